import { Injectable } from '@nestjs/common';
import { CommonErrors, type FieldError, type Principal } from '@mira/core';
import { NetworkService } from '@mira/network';
import { ChunkIngestionService, parseDeviceTime, type UploadedAudio } from '@mira/stream';
import type { SegmentFields } from './app.types.js';

/**
 * POST /interactions/register: one segment an app's VAD cut, heard by one of the account's devices. It goes through
 * the stream ingestion (stored with its arbitration job in one transaction, then the best copy among the devices
 * that heard the same words becomes one interaction), so the answer 204 means the audio is safe.
 */
@Injectable()
export class AppSegmentsService {
  constructor(
    private readonly networks: NetworkService,
    private readonly ingestion: ChunkIngestionService,
  ) {}

  /** `arrivedAt`: when the request reached the server (a segment without times ended then). */
  async register(
    networkId: string,
    principal: Principal,
    fields: SegmentFields,
    audio: UploadedAudio,
    arrivedAt: Date,
  ): Promise<void> {
    const clientId = fields.client_id;
    if (principal.kind === 'client' && principal.clientId !== clientId) {
      throw CommonErrors.forbidden('A device token uploads as its own device: client_id must be its name');
    }
    const timing = segmentTiming(fields, arrivedAt.getTime());
    await this.ingestion.ingestSegment(
      networkId,
      clientId,
      audio,
      timing,
      {
        via: 'app',
        chunk_start_ms: timing.startedAt?.getTime() ?? null,
        chunk_end_ms: timing.endedAt?.getTime() ?? null,
      },
      arrivedAt,
    );
    // A name first seen on an accepted upload becomes a device of the account (dadei never registers its own).
    if (principal.kind === 'user') await this.networks.ensureDevice(networkId, clientId);
  }
}

/** chunk_start_ms / chunk_end_ms: the device's epoch milliseconds, within 7 days of now, the end not before the start. */
export function segmentTiming(
  fields: Pick<SegmentFields, 'chunk_start_ms' | 'chunk_end_ms'>,
  nowMs: number,
): { startedAt: Date | null; endedAt: Date | null } {
  const problems: FieldError[] = [];
  const read = (field: 'chunk_start_ms' | 'chunk_end_ms') => {
    const raw = fields[field];
    if (raw === undefined || raw === '') return null;
    if (!/^\d{1,16}$/.test(raw.trim())) {
      problems.push({ field, messages: [`${field} must be epoch milliseconds (an integer)`] });
      return null;
    }
    return parseDeviceTime(field, raw, nowMs, problems);
  };
  const startedAt = read('chunk_start_ms');
  const endedAt = read('chunk_end_ms');
  if (startedAt && endedAt && endedAt < startedAt) {
    problems.push({ field: 'chunk_end_ms', messages: ['chunk_end_ms must not be before chunk_start_ms'] });
  }
  if (problems.length > 0) {
    throw CommonErrors.validation(problems.map((p) => p.messages.join('; ')).join('; '), problems);
  }
  return { startedAt, endedAt };
}
