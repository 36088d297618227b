import { createHash } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  AppConfig,
  AppLogger,
  CommonErrors,
  floatToPcm16,
  isoUtc,
  MetricNames,
  MetricsService,
  pcm16ToFloat,
  type Principal,
  Tx,
} from '@mira/core';
import { AudioService, type QualityReport } from '@mira/audio';
import { JobName, type JobOf, JobQueue, OnJob } from '@mira/jobs';
import { NetworkService } from '@mira/network';
import {
  Candidate,
  decide,
  estimateClockOffset,
  floorIsHeld,
  FloorState,
  formGroup,
  isStreamActive,
  nextFloor,
  PhoneSignals,
  ScoreBreakdown,
  streamScore,
} from './arbitration.policy.js';
import { copyAudioScore, crossCopySnrDbAsync } from './copy-comparison.js';
import { parseChunkFields, assertStreamId, ChunkFields } from './chunk-input.js';
import type {
  PhoneLocationBodyDto,
  PhoneLocationUpdatedDto,
  PhoneRssiBodyDto,
  PhoneRssiUpdatedDto,
} from './dto/phone.dto.js';
import type {
  BestStreamDto,
  BestStreamInfoDto,
  ChunkAcceptedDto,
  StreamDto,
  StreamScoresDto,
} from './dto/stream.dto.js';
import { StreamErrors } from './stream.errors.js';
import { toQualityDto, toStreamDto } from './stream.mapper.js';
import {
  ChunkRow,
  FloorRow,
  NewChunk,
  SignalsRow,
  StreamRepository,
  StreamRow,
} from './stream.repository.js';

/** Longest the arbitration waits for copies still being decoded. */
const INGEST_WAIT_MAX_MS = 5000;

export interface UploadedAudio {
  buffer: Buffer;
  originalname?: string;
  mimetype?: string;
}

/** What the interaction pipeline reads for a winning chunk (see loadChunkForProcessing). */
export interface ChunkForProcessing {
  chunkId: string;
  streamId: string;
  clientId: string;
  /** The device's timestamp of the first sample, as sent. */
  capturedAt: Date;
  samples: Float32Array;
  quality: QualityReport;
  /** The same instant on the server's clock (device clock corrected by the stream's estimated offset). */
  alignedCapturedAt: Date;
}

interface Scored extends Candidate {
  row: ChunkRow;
  breakdown: ScoreBreakdown;
  crossCopy: boolean;
}

/**
 * Multi-device audio ingestion and best-microphone arbitration. Ingestion stores every chunk (decoded audio
 * included) as `pending` together with a delayed `stream.arbitrate` job; the job, under the network's floor row
 * lock, decides among all copies of that moment and enqueues `utterance.process` for the winner only.
 */
@Injectable()
export class StreamService implements OnModuleInit {
  constructor(
    private readonly repository: StreamRepository,
    private readonly audio: AudioService,
    private readonly networks: NetworkService,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
    private readonly metrics: MetricsService,
  ) {}

  /** Last chunk time per stream that sent audio to THIS instance (for the mira_active_streams gauge). */
  private readonly recentStreams = new Map<string, number>();

  private get cfg() {
    return this.config.values.streams;
  }

  onModuleInit(): void {
    this.metrics.gauge(
      MetricNames.activeStreams,
      'Audio streams that sent a chunk to this instance within STREAM_INACTIVE_AFTER_MS',
      [],
      (gauge) => gauge.set(this.activeStreamsHere()),
    );
  }

  @OnJob(JobName.StreamArbitrate)
  async onArbitrateJob(job: JobOf<JobName.StreamArbitrate>): Promise<void> {
    await this.arbitrate(job.networkId, job.payload.chunk_id);
  }

  // ---------------------------------------------------------------------------------------------- ingestion

  async ingest(
    networkId: string,
    principal: Principal,
    rawStreamId: string,
    file: UploadedAudio | undefined,
    body: Record<string, unknown>,
    idempotencyHeader: string | undefined,
  ): Promise<ChunkAcceptedDto> {
    const receivedAt = new Date();
    if (principal.kind !== 'client') throw StreamErrors.clientTokenRequired();
    const clientId = principal.clientId;
    const streamId = assertStreamId(rawStreamId);
    const fields = parseChunkFields(body, idempotencyHeader, receivedAt.getTime());
    if (!file || !file.buffer) {
      throw CommonErrors.validation('Multipart field "audio_data" with the audio file is required', [
        { field: 'audio_data', messages: ['audio_data is required (multipart file)'] },
      ]);
    }
    if (!(await this.networks.isServiceEnabled(networkId))) throw StreamErrors.serviceDisabled();
    const hash = contentHash(file.buffer, fields.capturedAt);

    const earlier = await this.findRetried(networkId, clientId, streamId, fields);
    if (earlier) return this.replay(networkId, earlier, streamId, hash, fields);

    const marker = await this.repository.beginIngest(networkId, receivedAt);
    try {
      return await this.store(networkId, clientId, streamId, file, fields, hash, receivedAt, marker);
    } finally {
      // Normally removed inside the storing transaction; this covers refusals and failures.
      await this.repository.endIngest(networkId, marker).catch(() => undefined);
    }
  }

  private async store(
    networkId: string,
    clientId: string,
    streamId: string,
    file: UploadedAudio,
    fields: ChunkFields,
    hash: string,
    receivedAt: Date,
    marker: string,
  ): Promise<ChunkAcceptedDto> {
    const t0 = Date.now();
    const decoded = await this.audio.decode(file.buffer, {
      filename: file.originalname,
      mimetype: file.mimetype,
    });
    const t1 = Date.now();
    if (decoded.durationSeconds > this.cfg.maxChunkSeconds) {
      throw StreamErrors.chunkTooLong(decoded.durationSeconds, this.cfg.maxChunkSeconds);
    }
    const quality = await this.audio.assessQuality(decoded.samples);
    const t2 = Date.now();
    const durationMs = Math.round(decoded.durationSeconds * 1000);
    const audioBytes = floatToPcm16(decoded.samples);

    const outcome = await this.repository.transaction(async (m) => {
      const stream = await this.repository.lockOrCreateStream(m, networkId, streamId, clientId);
      if (stream.clientId !== clientId) throw StreamErrors.streamOwnedByAnotherClient(streamId);
      const sample = receivedAt.getTime() - (fields.capturedAt.getTime() + durationMs);
      const previous =
        stream.clockOffsetMs !== null && stream.lastReceivedAt
          ? { offsetMs: stream.clockOffsetMs, atMs: stream.lastReceivedAt.getTime() }
          : null;
      const offset = estimateClockOffset(previous, sample, receivedAt.getTime(), this.cfg.clockDriftPpm);
      const alignedStart = new Date(fields.capturedAt.getTime() + offset);
      const alignedEnd = new Date(alignedStart.getTime() + durationMs);
      const [signals] = await this.repository.getSignals(networkId, [clientId], m);
      const breakdown = streamScore(quality.score, this.freshSignals(signals ?? null, receivedAt.getTime()));
      const chunk: NewChunk = {
        networkId,
        streamRowId: stream.id,
        streamId,
        clientId,
        seq: fields.seq,
        idempotencyKey: fields.idempotencyKey,
        contentSha256: hash,
        capturedAt: fields.capturedAt,
        receivedAt,
        alignedStart,
        alignedEnd,
        durationMs,
        format: decoded.format,
        audioScore: quality.score,
        snrDb: quality.snr_db,
        clarity: quality.clarity,
        rms: quality.rms,
        clippingRatio: quality.clipping_ratio,
        speechRatio: quality.speech_ratio,
        score: breakdown.score,
        metadata: fields.metadata,
        audio: audioBytes,
      };
      const chunkId = await this.repository.insertChunk(m, chunk);
      if (!chunkId) return null; // a concurrent retry stored it first
      await this.repository.updateStreamAfterChunk(
        m,
        { ...stream, clockOffsetMs: offset },
        { ...chunk, id: chunkId },
      );
      // The window runs from the later of the chunk's end and its storage: copies of the same sound that arrived
      // together but were still being decoded on this or another instance get the whole window too.
      const decisionDueAt = new Date(
        Math.max(alignedEnd.getTime(), Date.now()) + this.cfg.arbitrationWindowMs,
      );
      await this.jobs.enqueue(
        JobName.StreamArbitrate,
        { networkId, payload: { chunk_id: chunkId }, dedupeKey: chunkId, runAt: decisionDueAt },
        Tx.of(m),
      );
      await this.repository.endIngest(networkId, marker, m);
      const floor = await this.repository.getFloor(networkId, m);
      return { chunkId, stream, chunk, breakdown, floor, decisionDueAt };
    });

    if (!outcome) {
      const stored = await this.findRetried(networkId, clientId, streamId, fields);
      if (!stored)
        throw CommonErrors.conflict('CHUNK_IN_FLIGHT', 'The same chunk is being stored; retry shortly');
      return this.replay(networkId, stored, streamId, hash, fields);
    }
    const { chunkId, stream, chunk, breakdown, floor, decisionDueAt } = outcome;
    this.recentStreams.set(stream.id, receivedAt.getTime());
    if (this.recentStreams.size > 10_000) this.activeStreamsHere();
    const holder = await this.floorHolder(networkId, floor);
    this.logger.info('stream_chunk_accepted', {
      network_id: networkId,
      stream_row_id: stream.id,
      chunk_id: chunkId,
      audio_ms: durationMs,
      wait_ms: t0 - receivedAt.getTime(),
      decode_ms: t1 - t0,
      quality_ms: t2 - t1,
      store_ms: Date.now() - t2,
      score: breakdown.score,
      snr_db: round2(quality.snr_db),
      speech_ratio: round2(quality.speech_ratio),
    });
    return {
      chunk_id: chunkId,
      stream_id: streamId,
      client_id: clientId,
      seq: fields.seq,
      quality_score: breakdown.score,
      quality: toQualityDto(chunk, breakdown),
      holds_floor: holder?.id === stream.id,
      floor_holder_stream_id: holder?.streamId ?? null,
      status: 'pending',
      captured_at: isoUtc(chunk.capturedAt),
      aligned_start: isoUtc(chunk.alignedStart),
      duration_seconds: durationMs / 1000,
      decision_due_at: isoUtc(decisionDueAt),
      replayed: false,
    };
  }

  private async findRetried(
    networkId: string,
    clientId: string,
    streamId: string,
    fields: ChunkFields,
  ): Promise<ChunkRow | null> {
    if (fields.idempotencyKey !== null) {
      const byKey = await this.repository.findChunkByIdempotencyKey(
        networkId,
        clientId,
        fields.idempotencyKey,
      );
      if (byKey) return byKey;
    }
    if (fields.seq !== null) return this.repository.findChunkBySeq(networkId, streamId, fields.seq);
    return null;
  }

  /** Answers a retried upload with the original result; a different request under the same seq/key is refused. */
  private async replay(
    networkId: string,
    chunk: ChunkRow,
    streamId: string,
    hash: string,
    fields: ChunkFields,
  ): Promise<ChunkAcceptedDto> {
    const sameRequest = chunk.contentSha256 === hash && chunk.streamId === streamId;
    if (!sameRequest) {
      if (fields.idempotencyKey !== null && chunk.idempotencyKey === fields.idempotencyKey) {
        throw StreamErrors.idempotencyKeyReused();
      }
      throw StreamErrors.seqConflict(fields.seq ?? -1);
    }
    const [signals] = await this.repository.getSignals(networkId, [chunk.clientId]);
    const breakdown = streamScore(
      chunk.audioScore,
      this.freshSignals(signals ?? null, chunk.receivedAt.getTime()),
    );
    const holder = await this.floorHolder(networkId, await this.repository.getFloor(networkId));
    this.logger.info('stream_chunk_replayed', { network_id: networkId, chunk_id: chunk.id });
    return {
      chunk_id: chunk.id,
      stream_id: chunk.streamId,
      client_id: chunk.clientId,
      seq: chunk.seq,
      quality_score: chunk.score,
      quality: toQualityDto(chunk, { ...breakdown, score: chunk.score }),
      holds_floor: holder?.id === chunk.streamRowId,
      floor_holder_stream_id: holder?.streamId ?? null,
      status: chunk.status,
      captured_at: isoUtc(chunk.capturedAt),
      aligned_start: isoUtc(chunk.alignedStart),
      duration_seconds: chunk.durationMs / 1000,
      decision_due_at: isoUtc(
        new Date(
          Math.max(chunk.alignedEnd.getTime(), chunk.receivedAt.getTime()) + this.cfg.arbitrationWindowMs,
        ),
      ),
      replayed: true,
    };
  }

  // ---------------------------------------------------------------------------------------------- arbitration

  /**
   * Decides among all copies of the trigger chunk's sound, serially per network (floor row FOR UPDATE), and in
   * the same transaction marks winner and losers, moves the floor and enqueues `utterance.process` for the winner.
   * Idempotent: a chunk already decided (by another copy's job, or an earlier run) is left alone.
   */
  async arbitrate(networkId: string, chunkId: string): Promise<void> {
    const started = Date.now();
    const maxChunkMs = this.cfg.maxChunkSeconds * 1000;
    await this.waitForCopiesInFlight(networkId, chunkId);
    const result = await this.repository.transaction(async (m) => {
      const floorRow = await this.repository.lockFloor(m, networkId);
      const trigger = await this.repository.findChunk(networkId, chunkId, m);
      if (!trigger || trigger.status !== 'pending') return null;
      const { alignedStart, alignedEnd } = trigger;
      const pending = await this.repository.findOverlapping(
        m,
        networkId,
        alignedStart,
        alignedEnd,
        ['pending'],
        maxChunkMs,
      );
      const forwarded = await this.repository.findOverlapping(
        m,
        networkId,
        alignedStart,
        alignedEnd,
        ['won'],
        maxChunkMs,
      );
      const ref = (c: ChunkRow) => ({
        chunkId: c.id,
        streamRowId: c.streamRowId,
        streamId: c.streamId,
        startMs: c.alignedStart.getTime(),
        endMs: c.alignedEnd.getTime(),
        row: c,
      });
      const group = formGroup(ref(trigger), pending.map(ref), forwarded.map(ref));
      const nowMs = Date.now();
      const signals = await this.repository.getSignals(
        networkId,
        [...new Set(group.members.map((g) => g.row.clientId))],
        m,
      );
      const signalsOf = (clientId: string) =>
        this.freshSignals(signals.find((s) => s.clientId === clientId) ?? null, nowMs);
      const candidates: Scored[] = group.members.map((g) => {
        const breakdown = streamScore(g.row.audioScore, signalsOf(g.row.clientId));
        return {
          ...g,
          score: breakdown.score,
          snrDb: g.row.snrDb,
          speechRatio: g.row.speechRatio,
          breakdown,
          crossCopy: false,
        };
      });
      const crossCopy = await this.rescoreAcrossCopies(m, networkId, candidates, signalsOf);
      const floor: FloorState = {
        holderStreamRowId: floorRow.holderStreamRowId,
        lastUntilMs: floorRow.lastUntil?.getTime() ?? null,
      };
      const decision = decide(candidates, floor, {
        hysteresisMargin: this.cfg.hysteresisMargin,
        floorHoldMs: this.cfg.floorHoldMs,
        inactiveAfterMs: this.cfg.inactiveAfterMs,
        minSpeechRatio: this.cfg.minSpeechRatio,
        nowMs,
      });
      const winner = decision.winner;
      const all = [...group.members, ...group.lateCopies];
      const windowStart = new Date(Math.min(...all.map((c) => c.startMs)));
      const windowEnd = new Date(Math.max(...all.map((c) => c.endMs)));
      const features = {
        trigger_chunk_id: chunkId,
        cross_copy: crossCopy,
        previous_holder_stream_row_id: floor.holderStreamRowId,
        hysteresis_applied: decision.hysteresisApplied,
        floor_switch: decision.floorSwitch,
        candidates: candidates.map((c) => ({
          chunk_id: c.chunkId,
          stream_row_id: c.streamRowId,
          score: c.score,
          chunk_score: c.row.score,
          audio_score: c.breakdown.audio_score,
          snr_db: round2(c.snrDb),
          speech_ratio: round2(c.speechRatio),
          cross_copy_snr_db: c.crossCopy ? round2(c.snrDb) : null,
          clip_snr_db: round2(c.row.snrDb),
          offset_start_ms: c.startMs - windowStart.getTime(),
        })),
        late_copies: group.lateCopies.map((c) => c.chunkId),
      };
      const decisionId = await this.repository.insertDecision(m, {
        networkId,
        windowStart,
        windowEnd,
        winnerChunkId: winner?.chunkId ?? null,
        winnerStreamId: winner?.streamId ?? null,
        reason: group.members.length === 0 ? 'late_copy' : decision.reason,
        candidateCount: all.length,
        features,
      });
      const losers = candidates.filter((c) => c !== winner).map((c) => c.chunkId);
      if (winner) {
        await this.repository.markChunks(
          m,
          networkId,
          [winner.chunkId],
          'won',
          decisionId,
          decision.reason,
          false,
        );
        await this.repository.markChunks(m, networkId, losers, 'lost', decisionId, 'outscored', true);
        const next = nextFloor(floor, winner);
        const holderChanged = next.holderStreamRowId !== floorRow.holderStreamRowId;
        await this.repository.saveFloor(m, {
          networkId,
          holderStreamRowId: next.holderStreamRowId,
          holderSince: holderChanged ? new Date(nowMs) : (floorRow.holderSince ?? new Date(nowMs)),
          lastUntil: next.lastUntilMs === null ? null : new Date(next.lastUntilMs),
        });
        await this.jobs.enqueue(
          JobName.UtteranceProcess,
          { networkId, payload: { chunk_id: winner.chunkId }, dedupeKey: winner.chunkId },
          Tx.of(m),
        );
      } else {
        await this.repository.markChunks(m, networkId, losers, 'silent', decisionId, 'no_speech', true);
      }
      await this.repository.markChunks(
        m,
        networkId,
        group.lateCopies.map((c) => c.chunkId),
        'lost',
        decisionId,
        'late_copy',
        true,
      );
      return { decisionId, decision, candidates, lateCopies: group.lateCopies.length, crossCopy };
    });
    if (!result) return;
    const { decision, candidates } = result;
    if (decision.winner) this.jobs.kick();
    this.logger.info('stream_arbitration_decided', {
      network_id: networkId,
      decision_id: result.decisionId,
      trigger_chunk_id: chunkId,
      winner_chunk_id: decision.winner?.chunkId ?? null,
      winner_stream_row_id: decision.winner?.streamRowId ?? null,
      reason: candidates.length === 0 ? 'late_copy' : decision.reason,
      candidates: candidates.length,
      late_copies: result.lateCopies,
      hysteresis_applied: decision.hysteresisApplied,
      floor_switch: decision.floorSwitch,
      scores: candidates.map((c) => c.score),
      snr_db: candidates.map((c) => round2(c.snrDb)),
      cross_copy: result.crossCopy,
      duration_ms: Date.now() - started,
    });
  }

  /**
   * Copies that reached any instance before this decision's deadline but are still being decoded belong in the
   * decision: wait for them (bounded by INGEST_WAIT_MAX_MS; an upload that crashed stops counting after that).
   */
  private async waitForCopiesInFlight(networkId: string, chunkId: string): Promise<void> {
    const trigger = await this.repository.findChunk(networkId, chunkId);
    if (!trigger || trigger.status !== 'pending') return;
    const due =
      Math.max(trigger.alignedEnd.getTime(), trigger.receivedAt.getTime()) + this.cfg.arbitrationWindowMs;
    const since = new Date(Date.now() - INGEST_WAIT_MAX_MS);
    await this.repository.purgeStaleIngests(networkId, new Date(Date.now() - 12 * INGEST_WAIT_MAX_MS));
    const until = new Date(due);
    const deadline = Date.now() + INGEST_WAIT_MAX_MS;
    while (Date.now() < deadline && (await this.repository.countIngesting(networkId, since, until)) > 0) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * Ranks the copies of one group on the same sound: cross-copy SNR (copy-comparison.ts) instead of each clip's own
   * quality score, which is not commensurable across devices. Single copies keep their clip score.
   */
  private async rescoreAcrossCopies(
    m: Parameters<Parameters<StreamRepository['transaction']>[0]>[0],
    networkId: string,
    candidates: Scored[],
    signalsOf: (clientId: string) => PhoneSignals,
  ): Promise<boolean> {
    if (candidates.length < 2) return false;
    const audio = await this.repository.loadAudio(
      m,
      networkId,
      candidates.map((c) => c.chunkId),
    );
    if (audio.size !== candidates.length) return false;
    const snr = await crossCopySnrDbAsync(
      candidates.map((c) => pcm16ToFloat(audio.get(c.chunkId) as Buffer)),
    );
    candidates.forEach((c, i) => {
      c.snrDb = snr[i]!;
      c.breakdown = streamScore(copyAudioScore(c.snrDb, c.row.clippingRatio), signalsOf(c.row.clientId));
      c.score = c.breakdown.score;
      c.crossCopy = true;
    });
    return true;
  }

  // ---------------------------------------------------------------------------------------------- reads

  async getStream(networkId: string, rawStreamId: string): Promise<StreamDto> {
    const streamId = assertStreamId(rawStreamId);
    const stream = await this.repository.findStream(networkId, streamId);
    if (!stream) throw StreamErrors.streamNotFound(streamId);
    const floor = await this.repository.getFloor(networkId);
    const [dto] = await this.describe(networkId, [stream], floor);
    return dto as StreamDto;
  }

  async scores(networkId: string): Promise<StreamScoresDto> {
    const streams = await this.repository.listStreams(networkId);
    const floor = await this.repository.getFloor(networkId);
    const dtos = await this.describe(networkId, streams, floor);
    const active = dtos.filter((d) => d.is_active);
    const stream_scores: Record<string, number> = {};
    for (const d of active) if (d.quality_score !== null) stream_scores[d.stream_id] = d.quality_score;
    return {
      active_streams: active.length,
      stream_scores,
      current_best: this.bestOf(dtos, floor),
      streams: [...active, ...dtos.filter((d) => !d.is_active)],
    };
  }

  async best(networkId: string): Promise<BestStreamDto> {
    const streams = await this.repository.listStreams(networkId);
    const floor = await this.repository.getFloor(networkId);
    return { best_stream: this.bestOf(await this.describe(networkId, streams, floor), floor) };
  }

  /** The floor holder while it holds the floor; otherwise the best-scoring active stream; otherwise null. */
  private bestOf(dtos: StreamDto[], floor: FloorRow): BestStreamInfoDto | null {
    const holder = dtos.find((d) => d.holds_floor);
    const pick =
      holder ??
      dtos
        .filter((d) => d.is_active && d.quality_score !== null)
        .sort(
          (a, b) =>
            (b.quality_score as number) - (a.quality_score as number) || (a.stream_id < b.stream_id ? -1 : 1),
        )[0];
    if (!pick) return null;
    return {
      stream_id: pick.stream_id,
      client_id: pick.client_id,
      score: pick.quality_score ?? 0,
      holds_floor: pick.holds_floor,
      since: pick.holds_floor ? isoUtc(floor.holderSince) : null,
    };
  }

  private async describe(networkId: string, streams: StreamRow[], floor: FloorRow): Promise<StreamDto[]> {
    const nowMs = Date.now();
    const signals = await this.repository.getSignals(networkId, [...new Set(streams.map((s) => s.clientId))]);
    const held = floorIsHeld(
      { holderStreamRowId: floor.holderStreamRowId, lastUntilMs: floor.lastUntil?.getTime() ?? null },
      nowMs,
      this.cfg.inactiveAfterMs,
    );
    return streams.map((stream) => {
      const row = signals.find((s) => s.clientId === stream.clientId) ?? null;
      const fresh = this.freshSignals(row, nowMs);
      const isActive = isStreamActive(
        stream.lastReceivedAt?.getTime() ?? null,
        nowMs,
        this.cfg.inactiveAfterMs,
      );
      return toStreamDto(
        stream,
        stream.audioScore === null ? null : streamScore(stream.audioScore, fresh),
        { fresh: row, hasLocation: fresh.hasLocation, hasRssi: fresh.rssiDbm !== null },
        { isActive, holdsFloor: held && isActive && floor.holderStreamRowId === stream.id },
      );
    });
  }

  private async floorHolder(networkId: string, floor: FloorRow): Promise<StreamRow | null> {
    const state = {
      holderStreamRowId: floor.holderStreamRowId,
      lastUntilMs: floor.lastUntil?.getTime() ?? null,
    };
    if (!floorIsHeld(state, Date.now(), this.cfg.inactiveAfterMs) || !floor.holderStreamRowId) return null;
    const [holder] = await this.repository.findStreamsByRowIds(networkId, [floor.holderStreamRowId]);
    return holder ?? null;
  }

  // ---------------------------------------------------------------------------------------------- phone signals

  async updateLocation(networkId: string, body: PhoneLocationBodyDto): Promise<PhoneLocationUpdatedDto> {
    if (!(await this.networks.isClientRegistered(networkId, body.client_id))) {
      throw StreamErrors.clientNotFound(body.client_id);
    }
    const location = {
      latitude: body.location.latitude,
      longitude: body.location.longitude,
      accuracy: body.location.accuracy ?? null,
    };
    const row = await this.repository.upsertLocation(networkId, body.client_id, location);
    const fresh = this.freshSignals(row, Date.now());
    this.logger.info('stream_phone_location', { network_id: networkId });
    return {
      message: `Phone location updated successfully for ${body.client_id}`,
      client_id: body.client_id,
      location,
      location_score: streamScore(0, fresh).location_score,
    };
  }

  async updateRssi(networkId: string, body: PhoneRssiBodyDto): Promise<PhoneRssiUpdatedDto> {
    if (!(await this.networks.isClientRegistered(networkId, body.target_client_id))) {
      throw StreamErrors.targetClientNotFound(body.target_client_id);
    }
    const row = await this.repository.upsertRssi(
      networkId,
      body.target_client_id,
      body.rssi,
      body.phone_client_id,
    );
    const fresh = this.freshSignals(row, Date.now());
    this.logger.info('stream_phone_rssi', { network_id: networkId, rssi: body.rssi });
    return {
      message: `RSSI updated successfully from ${body.phone_client_id} to ${body.target_client_id}`,
      rssi: body.rssi,
      phone_client_id: body.phone_client_id,
      target_client_id: body.target_client_id,
      rssi_score: streamScore(0, fresh).rssi_score,
    };
  }

  private freshSignals(row: SignalsRow | null, nowMs: number): PhoneSignals {
    const ttl = this.cfg.phoneSignalTtlMs;
    const hasLocation = !!row?.locationAt && nowMs - row.locationAt.getTime() <= ttl;
    const hasRssi = !!row?.rssiAt && row.rssiDbm !== null && nowMs - row.rssiAt.getTime() <= ttl;
    return {
      hasLocation,
      locationAccuracyM: hasLocation ? (row?.accuracyM ?? null) : null,
      rssiDbm: hasRssi ? (row?.rssiDbm ?? null) : null,
    };
  }

  // ---------------------------------------------------------------------------------------------- for the pipeline

  /**
   * The audio and metadata of a chunk for the `utterance.process` handler; null when the chunk does not exist in
   * this network or its audio was already released.
   */
  async loadChunkForProcessing(networkId: string, chunkId: string): Promise<ChunkForProcessing | null> {
    const found = await this.repository.findChunkWithAudio(networkId, chunkId);
    if (!found || !found.audio) return null;
    const { chunk, audio } = found;
    return {
      chunkId: chunk.id,
      streamId: chunk.streamId,
      clientId: chunk.clientId,
      capturedAt: chunk.capturedAt,
      samples: pcm16ToFloat(audio),
      quality: {
        score: chunk.audioScore,
        snr_db: chunk.snrDb,
        clarity: chunk.clarity,
        rms: chunk.rms,
        clipping_ratio: chunk.clippingRatio,
        speech_ratio: chunk.speechRatio,
      },
      alignedCapturedAt: chunk.alignedStart,
    };
  }

  /** Drops a processed chunk's audio (the pipeline calls this once the utterance is recorded). */
  releaseChunkAudio(networkId: string, chunkId: string): Promise<void> {
    return this.repository.releaseAudio(networkId, chunkId);
  }

  /** Streams that sent audio within the inactivity timeout, across all networks and instances. */
  countActiveStreams(): Promise<number> {
    return this.repository.countActiveStreams(new Date(Date.now() - this.cfg.inactiveAfterMs));
  }

  private activeStreamsHere(): number {
    const cutoff = Date.now() - this.cfg.inactiveAfterMs;
    for (const [id, at] of this.recentStreams) if (at < cutoff) this.recentStreams.delete(id);
    return this.recentStreams.size;
  }
}

function contentHash(bytes: Buffer, capturedAt: Date): string {
  return createHash('sha256').update(bytes).update(`|${capturedAt.getTime()}`).digest('hex');
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
