import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { AudioErrors, inspectUploadHead, UPLOAD_HEAD_BYTES, type UploadHead } from '@mira/audio';
import { AppConfig, AppLogger, CommonErrors, type Principal, principalLabel, Transactions } from '@mira/core';
import { ConversationService } from '@mira/conversation';
import { JobName, JobQueue } from '@mira/jobs';
import { RecordingAudioRepository } from './recording-audio.repository.js';
import { RecordingErrors } from './recording.errors.js';
import { RecordingRepository } from './recording.repository.js';
import type { Recording, RecordingSegment } from './recording.types.js';

/** Uploaded bytes are stored in parts of this size as they arrive (never the whole file in memory). */
export const SOURCE_PART_BYTES = 1_048_576;

/** An upload whose bytes are all stored (RecordingService.receive), waiting for its form fields to be accepted. */
export interface ReceivedRecording {
  recordingId: string;
  bytes: number;
  format: UploadHead['container'];
}

export interface RecordingFields {
  recordedAt?: Date;
  title?: string;
  metadata?: Record<string, unknown>;
}

/**
 * Recordings of a network: long uploads stored as they stream in, processed by the recording.process job
 * (RecordingProcessor), read back with their turns, cancelled and deleted.
 */
@Injectable()
export class RecordingService {
  constructor(
    private readonly repository: RecordingRepository,
    private readonly audio: RecordingAudioRepository,
    private readonly conversations: ConversationService,
    private readonly jobs: JobQueue,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  private get limits() {
    return this.config.values.recordings;
  }

  /**
   * Stores an upload's bytes in parts as they arrive (back-pressure: the next bytes are read once a part is
   * written). Refuses as early as it can tell: a container Mira does not decode (415), WAV or raw PCM longer than
   * RECORDINGS_MAX_SECONDS (413, from the size), no bytes (422). A refused upload leaves nothing behind.
   */
  async receive(
    networkId: string,
    principal: Principal,
    stream: Readable,
    hint: { filename?: string; mimetype?: string },
  ): Promise<ReceivedRecording> {
    const recordingId = await this.repository.createReceiving(networkId, {
      uploadedBy: principalLabel(principal),
      filename: hint.filename?.slice(0, 255) ?? null,
      contentType: hint.mimetype?.slice(0, 255) ?? null,
      recordedAt: new Date(),
    });
    try {
      let head: UploadHead | null = null;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let total = 0;
      let index = 0;
      const flush = async () => {
        if (pendingBytes === 0) return;
        const data = Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        head ??= inspectUploadHead(data.subarray(0, UPLOAD_HEAD_BYTES), hint.mimetype);
        await this.audio.put(networkId, recordingId, 'source', { index: index++, data, meta: {} });
      };
      // A refusal stops the storing, not the reading: the rest of the body is drained (multer answers only once the
      // request has been read, so the client hears the refusal instead of a broken pipe).
      let refusal: unknown = null;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (refusal) continue;
          try {
            pending.push(chunk);
            pendingBytes += chunk.length;
            total += chunk.length;
            if (!head && pendingBytes >= UPLOAD_HEAD_BYTES) {
              head = inspectUploadHead(Buffer.concat(pending).subarray(0, UPLOAD_HEAD_BYTES), hint.mimetype);
            }
            this.checkLength(head, total);
            if (pendingBytes >= SOURCE_PART_BYTES) await flush();
          } catch (err) {
            refusal = err;
            pending = [];
          }
        }
      } catch {
        // only reading can fail here (storing failures are refusals above): the body ended before the file did
        throw CommonErrors.malformed('Malformed multipart body: the file part ends before its boundary');
      }
      if (refusal) throw refusal;
      await flush();
      if (total === 0 || !head) throw AudioErrors.empty('The uploaded audio file has no bytes');
      this.checkLength(head, total);
      return { recordingId, bytes: total, format: (head as UploadHead).container };
    } catch (err) {
      await this.discard(networkId, recordingId);
      throw err;
    }
  }

  /** Removes an upload that was refused or whose request failed before it was accepted. */
  async discard(networkId: string, recordingId: string): Promise<void> {
    await this.transactions
      .run(async (tx) => {
        const row = await this.repository.find(networkId, recordingId);
        if (row?.status === 'receiving') await this.repository.delete(tx, networkId, recordingId, false);
      })
      .catch((err: unknown) =>
        this.logger.warn('recording_discard_failed', {
          network_id: networkId,
          recording_id: recordingId,
          error_message: err instanceof Error ? err.message : String(err),
        }),
      );
  }

  /** The upload is complete and its fields valid: queued with its job in one transaction (the 202 survives a crash). */
  async accept(networkId: string, received: ReceivedRecording, fields: RecordingFields): Promise<Recording> {
    const recording = await this.transactions.run(async (tx) => {
      const taskId = await this.jobs.enqueue(
        JobName.RecordingProcess,
        { networkId, payload: { recording_id: received.recordingId }, dedupeKey: received.recordingId },
        tx,
      );
      const row = await this.repository.update(
        networkId,
        received.recordingId,
        {
          status: 'queued',
          taskId,
          format: received.format,
          sourceBytes: received.bytes,
          ...(fields.recordedAt ? { recordedAt: fields.recordedAt } : {}),
          metadata: { ...(fields.metadata ?? {}), ...(fields.title ? { title: fields.title } : {}) },
        },
        { from: ['receiving'], tx },
      );
      if (!row) throw RecordingErrors.notFound();
      return row;
    });
    this.jobs.kick();
    this.logger.info('recording_accepted', {
      network_id: networkId,
      recording_id: recording.id,
      task_id: recording.taskId,
      bytes: received.bytes,
      format: received.format,
    });
    return recording;
  }

  async get(networkId: string, id: string): Promise<{ recording: Recording; segments: RecordingSegment[] }> {
    const recording = await this.repository.find(networkId, id);
    if (!recording || recording.status === 'receiving') throw RecordingErrors.notFound();
    return { recording, segments: await this.repository.segmentsOf(networkId, id) };
  }

  async list(
    networkId: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: Array<{ recording: Recording; segmentCount: number }>; total: number }> {
    const { rows, total } = await this.repository.list(networkId, page);
    const counts = await this.repository.segmentCounts(
      networkId,
      rows.map((r) => r.id),
    );
    return {
      items: rows.map((recording) => ({ recording, segmentCount: counts.get(recording.id)?.total ?? 0 })),
      total,
    };
  }

  /**
   * Stops processing: a queued recording never starts, a running one stops at its next turn. Turns already made
   * (and their interactions) stay; the stored audio goes. Cancelling a cancelled recording answers it again.
   */
  async cancel(networkId: string, id: string): Promise<{ recording: Recording; segmentCount: number }> {
    const recording = await this.stop(networkId, id);
    const counts = await this.repository.segmentCounts(networkId, [id]);
    return { recording, segmentCount: counts.get(id)?.total ?? 0 };
  }

  private async stop(networkId: string, id: string): Promise<Recording> {
    const recording = await this.repository.find(networkId, id);
    if (!recording || recording.status === 'receiving') throw RecordingErrors.notFound();
    if (recording.status === 'cancelled') return recording;
    if (recording.status === 'done' || recording.status === 'failed')
      throw RecordingErrors.finished(recording.status);
    if (recording.taskId) await this.jobs.cancel(networkId, recording.taskId, 'cancelled by request');
    const cancelled = await this.transactions.run(async (tx) => {
      const row = await this.repository.update(
        networkId,
        id,
        { status: 'cancelled', error: 'cancelled by request', processedAt: new Date() },
        { from: ['queued', 'processing'], tx },
      );
      if (row) await this.audio.drop(networkId, id, ['source', 'pcm', 'analysis'], tx);
      return row;
    });
    this.logger.info('recording_cancelled', { network_id: networkId, recording_id: id });
    return cancelled ?? (await this.repository.find(networkId, id)) ?? recording;
  }

  /**
   * Deletes the recording with its turns and audio, and the conversation made from it with its interactions
   * (interactions moved to another conversation stay). Repeating the delete answers the same; unknown ids are 404.
   */
  async delete(networkId: string, id: string): Promise<void> {
    const recording = await this.repository.find(networkId, id);
    if (!recording) {
      if (await this.repository.wasDeleted(networkId, id)) return;
      throw RecordingErrors.notFound();
    }
    if (recording.taskId) await this.jobs.cancel(networkId, recording.taskId, 'recording deleted');
    if (recording.conversationId) {
      await this.conversations.delete(networkId, recording.conversationId).catch(() => undefined);
    }
    await this.transactions.run((tx) => this.repository.delete(tx, networkId, id));
    this.logger.info('recording_deleted', { network_id: networkId, recording_id: id });
  }

  private checkLength(head: UploadHead | null, bytes: number): void {
    if (!head?.bytesPerSecond) return;
    const seconds = Math.max(0, bytes - head.dataOffset) / head.bytesPerSecond;
    if (seconds > this.limits.maxSeconds) throw AudioErrors.tooLong(seconds, this.limits.maxSeconds);
  }
}
