import { Injectable } from '@nestjs/common';
import { AppError, AppLogger, Transactions } from '@mira/core';
import { ConversationService } from '@mira/conversation';
import { type Interaction } from '@mira/interaction';
import { JobName, type JobOf, JobQueue, JobStopped, OnJob, PermanentJobError } from '@mira/jobs';
import { NetworkService } from '@mira/network';
import { RecordingAudioRepository } from './recording-audio.repository.js';
import { RecordingDecodeStage } from './recording-decode.stage.js';
import { RecordingDiarizeStage } from './recording-diarize.stage.js';
import { RecordingTurnsStage } from './recording-turns.stage.js';
import { RecordingRepository } from './recording.repository.js';
import type { Recording, RecordingStage } from './recording.types.js';

/** The share of the task's progress each stage covers (analysis, the embeddings, costs the most). */
const STAGE_SPAN: Record<Exclude<RecordingStage, 'done'>, [number, number]> = {
  decode: [0, 0.1],
  analyse: [0.1, 0.75],
  diarize: [0.75, 0.78],
  identify: [0.78, 1],
};

/** A job run longer than this fails (it keeps its lease meanwhile by reporting progress). */
const RUN_TIMEOUT_MS = 6 * 3_600_000;

/**
 * The `recording.process` job: a recording from its uploaded bytes to turns with persons and text, in stages that
 * each persist where they got to (recordings.stage, the parts and turns stored), so a run cut short by a crash or a
 * restart resumes where it stopped: the unique turn numbers and one interaction per turn keep a resumed run from
 * adding anything twice. Progress is reported to the task as it goes; a cancelled task stops at the next step.
 */
@Injectable()
export class RecordingProcessor {
  constructor(
    private readonly recordings: RecordingRepository,
    private readonly parts: RecordingAudioRepository,
    private readonly decodeStage: RecordingDecodeStage,
    private readonly diarizeStage: RecordingDiarizeStage,
    private readonly turnsStage: RecordingTurnsStage,
    private readonly networks: NetworkService,
    private readonly conversations: ConversationService,
    private readonly jobs: JobQueue,
    private readonly transactions: Transactions,
    private readonly logger: AppLogger,
  ) {}

  /** One recording at a time per process: it is CPU-bound for minutes, and other jobs keep their slots. */
  @OnJob(JobName.RecordingProcess, { timeoutMs: RUN_TIMEOUT_MS, concurrency: 1 })
  async onProcessJob(job: JobOf<JobName.RecordingProcess>): Promise<void> {
    const { networkId } = job;
    const id = job.payload.recording_id;
    const started = Date.now();
    let recording = await this.recordings.find(networkId, id);
    if (!recording || !['queued', 'processing'].includes(recording.status)) return;
    recording =
      (await this.recordings.update(
        networkId,
        id,
        { status: 'processing' },
        { from: ['queued', 'processing'] },
      )) ?? recording;
    let made: Interaction[] = [];
    try {
      for (;;) {
        const stage = recording.stage;
        if (stage === 'done') break;
        const [from, to] = STAGE_SPAN[stage];
        await job.checkpoint(from);
        const progress = (fraction: number) => job.checkpoint(from + (to - from) * fraction);
        if (stage === 'decode') await this.decodeStage.run(recording, progress);
        else if (stage === 'analyse') await this.diarizeStage.analyse(recording, progress);
        else if (stage === 'diarize') await this.diarizeStage.diarize(recording);
        else {
          made = await this.turnsStage.run(recording, progress, job.finalAttempt);
          await this.finish(recording);
          break;
        }
        const next = await this.recordings.find(networkId, id);
        if (!next || next.status !== 'processing') throw new JobStopped(job.id);
        recording = next;
      }
    } catch (err) {
      if (err instanceof JobStopped) throw err;
      const permanent = err instanceof AppError || err instanceof PermanentJobError;
      if (permanent || job.finalAttempt) await this.fail(recording, err);
      if (err instanceof AppError) throw new PermanentJobError(`${err.code}: ${err.detail}`);
      throw err;
    }
    this.logger.info('recording_processed', {
      network_id: networkId,
      recording_id: id,
      duration_ms: Date.now() - started,
      audio_ms: recording.durationMs,
      turns_this_run: made.length,
      voices: recording.speakers.length,
      attempt: job.attempt,
    });
  }

  /**
   * All turns done: the recording is done and its audio dropped; its conversation, whole now, goes where every
   * closed conversation goes (summary and memories jobs, committed with the recording's end), and its transcribed
   * turns to inference when the network has it on.
   */
  private async finish(recording: Recording): Promise<void> {
    const { networkId, id } = recording;
    const segments = await this.recordings.segmentsOf(networkId, id);
    const settings = await this.networks.settings(networkId);
    const conversationId = segments.some((s) => s.interactionId) ? recording.conversationId : null;
    const finished = await this.transactions.run(async (tx) => {
      const row = await this.recordings.update(
        networkId,
        id,
        { status: 'done', stage: 'done', processedAt: new Date() },
        { from: ['processing'], tx },
      );
      if (!row) return false;
      await this.parts.drop(networkId, id, ['source', 'pcm', 'analysis'], tx);
      if (conversationId) {
        await this.conversations.closeEnded(tx, networkId, conversationId);
      }
      if (settings['inference_enabled'] !== true) return true;
      for (const segment of segments) {
        if (segment.transcriptionStatus !== 'transcribed' || !segment.interactionId || !segment.text)
          continue;
        await this.jobs.enqueue(
          JobName.InteractionInfer,
          { networkId, payload: { interaction_id: segment.interactionId }, dedupeKey: segment.interactionId },
          tx,
        );
      }
      return true;
    });
    if (finished && conversationId) this.conversations.announceClosed(networkId, conversationId);
    this.jobs.kick();
  }

  /** Given up (refused audio, or the last attempt failed): the reason is kept, the audio dropped. */
  private async fail(recording: Recording, err: unknown): Promise<void> {
    const { networkId, id } = recording;
    const code = err instanceof AppError ? err.code : 'RECORDING_PROCESSING_FAILED';
    const detail = err instanceof AppError ? err.detail : err instanceof Error ? err.message : String(err);
    await this.transactions
      .run(async (tx) => {
        const row = await this.recordings.update(
          networkId,
          id,
          { status: 'failed', errorCode: code, error: detail.slice(0, 500), processedAt: new Date() },
          { from: ['processing', 'queued'], tx },
        );
        if (row) await this.parts.drop(networkId, id, ['source', 'pcm', 'analysis'], tx);
      })
      .catch(() => undefined);
    this.logger.warn('recording_failed', { network_id: networkId, recording_id: id, error_code: code });
  }
}
