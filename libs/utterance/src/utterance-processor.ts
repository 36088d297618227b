import { Injectable } from '@nestjs/common';
import { Transcriber, TranscriptionUnavailableError } from '@mira/assistant';
import { AudioService, noiseJudgementSnrDb, SAMPLE_RATE, type SpeechExtract } from '@mira/audio';
import { AppLogger } from '@mira/core';
import { type Interaction, InteractionService } from '@mira/interaction';
import { JobName, type JobOf, JobQueue, OnJob, PermanentJobError } from '@mira/jobs';
import { NetworkService } from '@mira/network';
import { SpeakerIdentificationService, VoiceGatheringService, VoiceprintService } from '@mira/recognition';
import { type ChunkForProcessing, StreamChunkService } from '@mira/stream';
import { ChunkTurnRecorder } from './chunk-turn-recorder.js';
import { ChunkVoiceSplitter, sliceOf } from './chunk-voice-splitter.js';
import { ConversationLifecycle } from './conversation-lifecycle.service.js';
import { allRecorded, isDone, pipelineOf, speakerMetadata, turnOf } from './utterance-turns.js';

/**
 * How long a processed chunk's audio is kept before it is dropped: long enough for stream arbitration to compare
 * late copies of the same moment with it, short enough that raw audio does not linger.
 */
const AUDIO_RETENTION_MS = 120_000;

/**
 * The `utterance.process` job: from the winning copy of an utterance to interactions with their speaker, text and
 * conversation: one when the chunk is one voice, one per turn when several voices speak in it (ChunkVoiceSplitter).
 * Idempotent per chunk (one interaction per turn of a source chunk, unique in the database) and resumable: each step
 * is persisted on the interactions (processing_status, transcription_status, metadata.pipeline) so a retry or another
 * instance after a crash continues where the last run stopped.
 */
@Injectable()
export class UtteranceProcessor {
  constructor(
    private readonly streams: StreamChunkService,
    private readonly audio: AudioService,
    private readonly identification: SpeakerIdentificationService,
    private readonly voiceprints: VoiceprintService,
    private readonly gathering: VoiceGatheringService,
    private readonly interactions: InteractionService,
    private readonly networks: NetworkService,
    private readonly transcriber: Transcriber,
    private readonly conversations: ConversationLifecycle,
    private readonly splitter: ChunkVoiceSplitter,
    private readonly turnRecorder: ChunkTurnRecorder,
    private readonly jobs: JobQueue,
    private readonly logger: AppLogger,
  ) {}

  /**
   * One utterance at a time per process: it is CPU-bound (denoise, VAD, embedding), and the other job slots stay free
   * for stream arbitration, which decides while devices are still talking.
   */
  @OnJob(JobName.UtteranceProcess, { timeoutMs: 300_000, concurrency: 1 })
  async onProcessJob(job: JobOf<JobName.UtteranceProcess>): Promise<void> {
    const chunkId = job.payload.chunk_id;
    try {
      await this.process(job.networkId, chunkId, job.finalAttempt);
    } catch (err) {
      if (job.finalAttempt || err instanceof PermanentJobError) {
        const rows = await this.interactions.turnsOfSourceChunk(job.networkId, chunkId).catch(() => []);
        for (const row of rows.filter((r) => !isDone(r))) {
          await this.interactions
            .applySystemChanges(job.networkId, row.id, {
              processingStatus: 'failed',
              ...(row.transcriptionStatus === 'pending' ? { transcriptionStatus: 'failed' as const } : {}),
              metadata: {
                ...row.metadata,
                pipeline: { ...pipelineOf(row), error: String((err as Error)?.message ?? err).slice(0, 200) },
              },
            })
            .catch(() => undefined);
        }
      }
      throw err;
    }
  }

  @OnJob(JobName.UtteranceReleaseAudio)
  async onReleaseAudioJob(job: JobOf<JobName.UtteranceReleaseAudio>): Promise<void> {
    await this.streams.releaseChunkAudio(job.networkId, job.payload.chunk_id);
  }

  async process(networkId: string, chunkId: string, finalAttempt: boolean): Promise<void> {
    const started = Date.now();
    let rows = await this.interactions.turnsOfSourceChunk(networkId, chunkId);
    if (allRecorded(rows) && rows.every(isDone)) return;
    const chunk = await this.streams.loadChunkForProcessing(networkId, chunkId);
    if (!chunk) {
      if (rows.length > 0) throw new PermanentJobError('The audio of this utterance is no longer available');
      this.logger.warn('utterance_chunk_missing', { network_id: networkId, chunk_id: chunkId });
      return; // deleted with its network or stream: nothing to do
    }
    const speech = await this.audio.extractSpeech(chunk.samples);

    // Step 1: who spoke, and the interaction rows (the idempotency point): one, or one per voice's turn.
    if (!allRecorded(rows)) rows = await this.recordTurns(networkId, chunk, speech, rows);

    // Steps 2-4 per interaction, in time order: a turn's text is its own stretch of the chunk.
    for (const row of rows) {
      if (isDone(row)) continue;
      const turn = turnOf(row);
      await this.complete(
        networkId,
        row,
        turn ? sliceOf(speech.denoised, turn) : speech.denoised,
        turn ? turn.end - turn.start : speech.speechSeconds,
        finalAttempt,
      );
    }
    await this.jobs.enqueue(JobName.UtteranceReleaseAudio, {
      networkId,
      payload: { chunk_id: chunkId },
      dedupeKey: chunkId,
      runAt: new Date(Date.now() + AUDIO_RETENTION_MS),
    });
    this.logger.info('utterance_processed', {
      network_id: networkId,
      chunk_id: chunkId,
      interaction_ids: rows.map((r) => r.id),
      turns: rows.length,
      duration_ms: Date.now() - started,
      speakers_known: rows.filter((r) => r.personId !== null).length,
    });
  }

  /** Steps 2-4 of one interaction: its conversation, its text, done (and inference when the network wants it). */
  private async complete(
    networkId: string,
    row: Interaction,
    audio: Float32Array,
    speechSeconds: number,
    finalAttempt: boolean,
  ): Promise<void> {
    let interaction = row;
    if (!interaction.conversationId) {
      await this.conversations.assign(networkId, interaction.id);
      interaction = await this.interactions.get(networkId, interaction.id);
    }
    if (interaction.transcriptionStatus === 'pending') {
      interaction = await this.transcribe(networkId, interaction, audio, speechSeconds, finalAttempt);
    }
    interaction = await this.interactions.applySystemChanges(networkId, interaction.id, {
      processingStatus: 'done',
    });
    const settings = await this.networks.settings(networkId);
    if (
      settings.inference_enabled === true &&
      interaction.transcriptionStatus === 'transcribed' &&
      interaction.content
    ) {
      await this.jobs.enqueue(JobName.InteractionInfer, {
        networkId,
        payload: { interaction_id: interaction.id },
        dedupeKey: interaction.id,
      });
      this.jobs.kick();
    }
  }

  /**
   * The chunk's interactions: one when it is one voice; one per turn when the splitter finds voices the speaker policy
   * tells apart. A run that stopped between two turns records the rest from the plan on the first turn's row.
   */
  private async recordTurns(
    networkId: string,
    chunk: ChunkForProcessing,
    speech: SpeechExtract,
    existing: Interaction[],
  ): Promise<Interaction[]> {
    const duration = chunk.samples.length / SAMPLE_RATE;
    if (existing.length > 0) return this.turnRecorder.recordRest(networkId, chunk, existing);
    const snrDb = noiseJudgementSnrDb(chunk.quality.snr_db, chunk.samples);
    const origin = { clientId: chunk.clientId, startedAt: chunk.alignedCapturedAt };
    const split = await this.splitter.split(networkId, speech, snrDb, origin);
    if (!split) return [await this.identifyAndRecord(networkId, chunk, duration, speech, snrDb)];
    return this.turnRecorder.recordVoices(networkId, chunk, split, snrDb);
  }

  private async identifyAndRecord(
    networkId: string,
    chunk: Omit<ChunkForProcessing, 'samples'>,
    durationSeconds: number,
    speech: { speech: Float32Array; speechSeconds: number },
    snrDb: number,
  ): Promise<Interaction> {
    const identification = await this.identification.identify(
      networkId,
      speech.speech,
      speech.speechSeconds,
      snrDb,
      { clientId: chunk.clientId, startedAt: chunk.alignedCapturedAt },
    );
    const decision = identification.decision;
    const personId = decision.kind === 'match' ? decision.personId : null;
    const row = await this.interactions.recordUtterance(
      networkId,
      {
        interaction_type: 'audio',
        person_id: personId,
        content: null,
        metadata: {
          speaker: speakerMetadata(identification, snrDb),
          audio: {
            captured_at: chunk.capturedAt.toISOString(),
            client_id: chunk.clientId,
            // when the device's next utterance follows this one (the context of short turns)
            duration_seconds: Math.round(durationSeconds * 100) / 100,
          },
          pipeline: { identified: true },
        },
      },
      {
        occurredAt: chunk.alignedCapturedAt,
        speakerConfidence: decision.kind === 'match' ? decision.similarity : null,
        transcriptionStatus: 'pending',
        processingStatus: 'processing',
        sourceStreamId: chunk.streamId,
        sourceChunkId: chunk.chunkId,
      },
    );
    if (!row) {
      // Another run recorded this chunk first: continue with its row.
      const existing = await this.interactions.findBySourceChunk(networkId, chunk.chunkId);
      if (!existing) throw new Error('The interaction of this chunk was recorded by another run and is gone');
      return existing;
    }
    if (personId && decision.kind === 'match' && decision.refine) {
      await this.voiceprints.addAutoSample(networkId, personId, identification, row.id);
    }
    // an unknown voice is kept until enough of it gathers into one new person, never a person per utterance
    const newPersonId = await this.gathering.gather(networkId, identification, row.id);
    if (!newPersonId) return row;
    return this.interactions.applySystemChanges(networkId, row.id, {
      personId: newPersonId,
      metadata: {
        ...row.metadata,
        speaker: {
          ...(row.metadata.speaker as Record<string, unknown>),
          decision: 'new_person',
          reason: null,
        },
      },
    });
  }

  private async transcribe(
    networkId: string,
    interaction: Interaction,
    audio: Float32Array,
    speechSeconds: number,
    finalAttempt: boolean,
  ): Promise<Interaction> {
    if (speechSeconds === 0) {
      return this.interactions.applySystemChanges(networkId, interaction.id, {
        transcriptionStatus: 'untranscribed',
        metadata: { ...interaction.metadata, transcription: { engine: 'none', reason: 'no_speech' } },
      });
    }
    try {
      const result = await this.transcriber.transcribe(audio, SAMPLE_RATE, { finalAttempt });
      return this.interactions.applySystemChanges(networkId, interaction.id, {
        content: result.status === 'transcribed' ? result.text : null,
        transcriptionStatus: result.status,
        metadata: {
          ...interaction.metadata,
          transcription:
            result.status === 'transcribed'
              ? { engine: result.engine }
              : { engine: result.engine, reason: result.reason },
        },
      });
    } catch (err) {
      if (err instanceof TranscriptionUnavailableError && finalAttempt) {
        return this.interactions.applySystemChanges(networkId, interaction.id, {
          transcriptionStatus: 'failed',
          metadata: {
            ...interaction.metadata,
            transcription: { engine: err.engine, error: err.message.slice(0, 200) },
          },
        });
      }
      throw err; // retried by the job queue with backoff; the interaction keeps transcription_status 'pending'
    }
  }
}
