import { Injectable } from '@nestjs/common';
import { AudioService } from '@mira/audio';
import { AppConfig, AppLogger, pcm16ToFloat, Transactions, type Tx } from '@mira/core';
import { JobName, type JobOf, JobQueue, OnJob } from '@mira/jobs';
import {
  COPY_OVERLAP_FRACTION,
  type Decision,
  decide,
  floorStateOf,
  formGroup,
  type GroupResult,
  nextFloor,
  overlapFraction,
  roundTo,
  streamScore,
} from './arbitration.policy.js';
import {
  compareAcrossCopies,
  type Heard,
  judge,
  judgeSound,
  type Ref,
  refOf,
  type Scored,
  type SoundSpeech,
} from './arbitration-copies.js';
import { PhoneSignalService } from './phone-signal.service.js';
import { StreamChunkRepository } from './stream-chunk.repository.js';
import { type FloorRow, StreamFloorRepository } from './stream-floor.repository.js';
import { StreamIngestRepository } from './stream-ingest.repository.js';

/** Longest the arbitration waits for copies still being decoded. */
const INGEST_WAIT_MAX_MS = 5000;

/** One sound's decision within an arbitration. */
interface SoundOutcome {
  decisionId: string;
  decision: Decision<Scored>;
  candidates: Scored[];
  lateCopies: number;
  crossCopy: boolean;
  speech: SoundSpeech;
  floorRow: FloorRow;
  /** Every chunk this decision settled: its candidates and its late copies. */
  decidedChunkIds: string[];
}

/**
 * Best-microphone arbitration, run by the delayed `stream.arbitrate` job of each stored chunk: under the network's
 * floor row lock it decides among all copies of that moment, marks winner and losers, moves the floor and enqueues
 * `utterance.process` for the winner only, all in one transaction. Ingestion only estimated each copy's speech from
 * frame energies; here the VAD judges each sound once, on its best-ranked copy, and every copy of the sound takes
 * that judgement (and the forwarded copy is judged too when hysteresis forwards another one, since the utterance
 * pipeline reads its SNR).
 */
@Injectable()
export class StreamArbitrationService {
  constructor(
    private readonly chunks: StreamChunkRepository,
    private readonly floors: StreamFloorRepository,
    private readonly ingests: StreamIngestRepository,
    private readonly signals: PhoneSignalService,
    private readonly audio: AudioService,
    private readonly jobs: JobQueue,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  private get cfg() {
    return this.config.values.streams;
  }

  @OnJob(JobName.StreamArbitrate)
  async onArbitrateJob(job: JobOf<JobName.StreamArbitrate>): Promise<void> {
    await this.arbitrate(job.networkId, job.payload.chunk_id);
  }

  /**
   * Decides among all copies of the trigger chunk's moment, serially per network (floor row FOR UPDATE): one decision
   * per distinct sound among them (two rooms talking at once are two sounds, each keeps its best copy).
   * Idempotent: a chunk already decided (by another copy's job, or an earlier run) is left alone.
   */
  async arbitrate(networkId: string, chunkId: string): Promise<void> {
    const started = Date.now();
    const maxChunkMs = this.cfg.maxChunkSeconds * 1000;
    // Every copy of a moment has its own job and the first one decides them all: the others end here, without
    // taking the network's floor lock that the next moment's decision waits for.
    if (!(await this.waitForCopiesInFlight(networkId, chunkId))) return;
    const outcomes = await this.transactions.run(async (tx) => {
      let floorRow = await this.floors.lock(tx, networkId);
      const trigger = await this.chunks.find(networkId, chunkId, tx);
      if (!trigger || trigger.status !== 'pending') return null;
      const window = { start: trigger.alignedStart, end: trigger.alignedEnd };
      const pending = await this.chunks.findOverlapping(tx, networkId, window, ['pending'], maxChunkMs);
      const forwarded = await this.chunks.findOverlapping(tx, networkId, window, ['won'], maxChunkMs);
      const formed = formGroup(refOf(trigger), pending.map(refOf), forwarded.map(refOf));
      const group = await this.separateOtherSounds(tx, networkId, formed, forwarded.map(refOf));
      const nowMs = Date.now();
      const devices = await this.signals.of(
        networkId,
        group.members.map((g) => g.row.clientId),
        nowMs,
        tx,
      );
      const signalsOf = (clientId: string) => devices(clientId).signals;
      const stored = await this.chunks.loadAudio(
        tx,
        networkId,
        group.members.map((g) => g.chunkId),
      );
      const heard: Heard = {
        samples: new Map([...stored].map(([id, pcm]) => [id, pcm16ToFloat(pcm)])),
        signalsOf,
      };
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
      const { sounds, crossCopy } = await compareAcrossCopies(this.audio, candidates, heard);
      const triggerSound = Math.max(
        0,
        sounds.findIndex((sound) => sound.some((c) => c.chunkId === chunkId)),
      );
      const decided: SoundOutcome[] = [];
      for (const [k, sound] of [
        sounds[triggerSound]!,
        ...sounds.filter((_, i) => i !== triggerSound),
      ].entries()) {
        const outcome = await this.decideSound(tx, networkId, floorRow, {
          triggerChunkId: chunkId,
          candidates: sound,
          lateCopies: k === 0 ? group.lateCopies : [],
          crossCopy,
          sounds: sounds.length,
          nowMs,
          heard,
        });
        floorRow = outcome.floorRow;
        decided.push(outcome);
      }
      // The other copies' own arbitration jobs would only find their chunks decided: they are settled here.
      const others = decided.flatMap((o) => o.decidedChunkIds).filter((id) => id !== chunkId);
      await this.jobs.settleQueued(JobName.StreamArbitrate, networkId, others, tx);
      return decided;
    });
    if (!outcomes) return;
    if (outcomes.some((o) => o.decision.winner)) this.jobs.kick();
    for (const { decisionId, decision, candidates, lateCopies, crossCopy, speech } of outcomes) {
      this.logger.info('stream_arbitration_decided', {
        network_id: networkId,
        decision_id: decisionId,
        trigger_chunk_id: chunkId,
        winner_chunk_id: decision.winner?.chunkId ?? null,
        winner_stream_row_id: decision.winner?.streamRowId ?? null,
        reason: candidates.length === 0 ? 'late_copy' : decision.reason,
        candidates: candidates.length,
        late_copies: lateCopies,
        sounds: outcomes.length,
        hysteresis_applied: decision.hysteresisApplied,
        floor_switch: decision.floorSwitch,
        scores: candidates.map((c) => c.score),
        snr_db: candidates.map((c) => roundTo(c.snrDb, 2)),
        cross_copy: crossCopy,
        speech_ratio: speech.speechRatio === null ? null : roundTo(speech.speechRatio, 2),
        vad_passes: speech.judged.size,
        duration_ms: Date.now() - started,
      });
    }
  }

  /**
   * Decides one sound's copies: winner forwarded (utterance.process), the other copies and the late copies lost with
   * their audio dropped, the floor moved; answers the floor as saved, for the next sound of the same moment.
   */
  private async decideSound(
    tx: Tx,
    networkId: string,
    floorRow: FloorRow,
    input: {
      triggerChunkId: string;
      candidates: Scored[];
      lateCopies: Ref[];
      crossCopy: boolean;
      sounds: number;
      nowMs: number;
      heard: Heard;
    },
  ): Promise<SoundOutcome> {
    const { candidates, lateCopies, crossCopy, nowMs, heard } = input;
    const floor = floorStateOf(floorRow);
    const speech = await judgeSound(this.audio, candidates, floor, heard);
    const decision = decide(
      candidates,
      floor,
      {
        hysteresisMargin: this.cfg.hysteresisMargin,
        floorHoldMs: this.cfg.floorHoldMs,
        inactiveAfterMs: this.cfg.inactiveAfterMs,
        minSpeechRatio: this.cfg.minSpeechRatio,
        nowMs,
      },
      speech.speechRatio ?? undefined,
    );
    const winner = decision.winner;
    // The utterance pipeline judges noise by the forwarded copy's SNR on its speech frames: always the VAD's.
    if (winner && !speech.judged.has(winner.chunkId)) {
      const own = await judge(this.audio, winner, heard);
      if (own) speech.judged.set(winner.chunkId, own);
    }
    for (const [chunkId, judgement] of speech.judged) {
      await this.chunks.recordJudgement(tx, networkId, chunkId, judgement);
    }
    const all = [...candidates, ...lateCopies];
    const windowStart = new Date(Math.min(...all.map((c) => c.startMs)));
    const windowEnd = new Date(Math.max(...all.map((c) => c.endMs)));
    const decisionId = await this.floors.insertDecision(tx, {
      networkId,
      windowStart,
      windowEnd,
      winnerChunkId: winner?.chunkId ?? null,
      winnerStreamId: winner?.streamId ?? null,
      reason: candidates.length === 0 ? 'late_copy' : decision.reason,
      candidateCount: all.length,
      features: {
        trigger_chunk_id: input.triggerChunkId,
        cross_copy: crossCopy,
        sounds: input.sounds,
        previous_holder_stream_row_id: floor.holderStreamRowId,
        hysteresis_applied: decision.hysteresisApplied,
        floor_switch: decision.floorSwitch,
        candidates: candidates.map((c) => ({
          chunk_id: c.chunkId,
          stream_row_id: c.streamRowId,
          score: c.score,
          chunk_score: c.row.score,
          audio_score: c.breakdown.audio_score,
          snr_db: roundTo(c.snrDb, 2),
          speech_ratio: roundTo(speech.speechRatio ?? c.speechRatio, 2),
          speech_judged: speech.judged.has(c.chunkId),
          cross_copy_snr_db: c.crossCopy ? roundTo(c.snrDb, 2) : null,
          clip_snr_db: roundTo(c.row.snrDb, 2),
          offset_start_ms: c.startMs - windowStart.getTime(),
        })),
        late_copies: lateCopies.map((c) => c.chunkId),
      },
    });
    const losers = candidates.filter((c) => c !== winner).map((c) => c.chunkId);
    let saved = floorRow;
    if (winner) {
      await this.chunks.decide(tx, networkId, [winner.chunkId], {
        status: 'won',
        decisionId,
        reason: decision.reason,
        dropAudio: false,
      });
      await this.chunks.decide(tx, networkId, losers, {
        status: 'lost',
        decisionId,
        reason: 'outscored',
        dropAudio: true,
      });
      const next = nextFloor(floor, winner);
      const holderChanged = next.holderStreamRowId !== floorRow.holderStreamRowId;
      saved = {
        networkId,
        holderStreamRowId: next.holderStreamRowId,
        holderSince: holderChanged ? new Date(nowMs) : (floorRow.holderSince ?? new Date(nowMs)),
        lastUntil: next.lastUntilMs === null ? null : new Date(next.lastUntilMs),
      };
      await this.floors.save(tx, saved);
      await this.jobs.enqueue(
        JobName.UtteranceProcess,
        { networkId, payload: { chunk_id: winner.chunkId }, dedupeKey: winner.chunkId },
        tx,
      );
    } else {
      await this.chunks.decide(tx, networkId, losers, {
        status: 'silent',
        decisionId,
        reason: 'no_speech',
        dropAudio: true,
      });
    }
    await this.chunks.decide(
      tx,
      networkId,
      lateCopies.map((c) => c.chunkId),
      { status: 'lost', decisionId, reason: 'late_copy', dropAudio: true },
    );
    return {
      decisionId,
      decision,
      candidates,
      lateCopies: lateCopies.length,
      crossCopy,
      speech,
      floorRow: saved,
      decidedChunkIds: [...candidates, ...lateCopies].map((c) => c.chunkId),
    };
  }

  /**
   * A copy overlapping a chunk already forwarded from another stream is late only if it heard the same sound: one
   * that shares no coherent sound with the forwarded copies (another room) joins the members. Decided by the audio
   * while the forwarded copies still hold it (until the utterance pipeline has used it); after that, by time alone.
   */
  private async separateOtherSounds(
    tx: Tx,
    networkId: string,
    group: GroupResult<Ref>,
    forwarded: Ref[],
  ): Promise<GroupResult<Ref>> {
    if (group.lateCopies.length === 0) return group;
    const heardBy = new Map(
      group.lateCopies.map((late) => [
        late,
        forwarded.filter(
          (f) => f.streamRowId !== late.streamRowId && overlapFraction(f, late) >= COPY_OVERLAP_FRACTION,
        ),
      ]),
    );
    const ids = new Set([...heardBy].flatMap(([late, copies]) => [late, ...copies].map((c) => c.chunkId)));
    const audio = await this.chunks.loadAudio(tx, networkId, [...ids]);
    const members = [...group.members];
    const lateCopies: Ref[] = [];
    for (const [late, copies] of heardBy) {
      const heard = [late, ...copies].map((c) => audio.get(c.chunkId));
      if (copies.length === 0 || heard.some((a) => a === undefined)) {
        lateCopies.push(late);
        continue;
      }
      const { sounds } = await this.audio.compareCopies(heard.map((a) => pcm16ToFloat(a as Buffer)));
      const apart = sounds.some((sound) => sound.length === 1 && sound[0] === 0);
      (apart ? members : lateCopies).push(late);
    }
    return { members, lateCopies };
  }

  /**
   * Copies that reached any instance before this decision's deadline but are still being decoded belong in the
   * decision: wait for them (bounded by INGEST_WAIT_MAX_MS; an upload that crashed stops counting after that).
   * False when the trigger chunk is gone or already decided: there is nothing to wait for or decide.
   */
  private async waitForCopiesInFlight(networkId: string, chunkId: string): Promise<boolean> {
    const trigger = await this.chunks.find(networkId, chunkId);
    if (!trigger || trigger.status !== 'pending') return false;
    const due =
      Math.max(trigger.alignedEnd.getTime(), trigger.receivedAt.getTime()) + this.cfg.arbitrationWindowMs;
    const since = new Date(Date.now() - INGEST_WAIT_MAX_MS);
    await this.ingests.purgeStale(networkId, new Date(Date.now() - 12 * INGEST_WAIT_MAX_MS));
    const until = new Date(due);
    const deadline = Date.now() + INGEST_WAIT_MAX_MS;
    while (Date.now() < deadline && (await this.ingests.count(networkId, since, until)) > 0) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return true;
  }
}
