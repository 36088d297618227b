import { isoUtc } from '@mira/core';
import type { ScoreBreakdown } from './arbitration.policy.js';
import type { StreamDto, StreamQualityDto } from './dto/stream.dto.js';
import type { SignalsRow, StreamRow } from './stream.repository.js';

export function toQualityDto(
  q: { snrDb: number; clarity: number; rms: number; clippingRatio: number; speechRatio: number },
  breakdown: ScoreBreakdown,
): StreamQualityDto {
  return {
    audio_score: breakdown.audio_score,
    snr_db: round(q.snrDb),
    clarity: round(q.clarity),
    rms: round(q.rms, 6),
    clipping_ratio: round(q.clippingRatio, 6),
    speech_ratio: round(q.speechRatio),
    location_score: breakdown.location_score,
    rssi_score: breakdown.rssi_score,
  };
}

export function toStreamDto(
  stream: StreamRow,
  breakdown: ScoreBreakdown | null,
  signals: { fresh: SignalsRow | null; hasLocation: boolean; hasRssi: boolean },
  state: { isActive: boolean; holdsFloor: boolean },
): StreamDto {
  const s = signals.fresh;
  const hasAudio = stream.audioScore !== null && breakdown !== null;
  return {
    stream_id: stream.streamId,
    client_id: stream.clientId,
    quality_score: hasAudio ? breakdown.score : null,
    timestamp: isoUtc(stream.lastReceivedAt),
    captured_at: isoUtc(stream.lastCapturedAt),
    is_active: state.isActive,
    holds_floor: state.holdsFloor,
    quality: hasAudio
      ? toQualityDto(
          {
            snrDb: stream.snrDb ?? 0,
            clarity: stream.clarity ?? 0,
            rms: stream.rms ?? 0,
            clippingRatio: stream.clippingRatio ?? 0,
            speechRatio: stream.speechRatio ?? 0,
          },
          breakdown,
        )
      : null,
    chunk_count: stream.chunkCount,
    last_chunk_id: stream.lastChunkId,
    last_seq: stream.lastSeq,
    clock_offset_ms: stream.clockOffsetMs === null ? null : Math.round(stream.clockOffsetMs),
    location:
      s && signals.hasLocation && s.latitude !== null && s.longitude !== null && s.locationAt
        ? {
            latitude: s.latitude,
            longitude: s.longitude,
            accuracy: s.accuracyM,
            reported_at: isoUtc(s.locationAt),
          }
        : null,
    rssi:
      s && signals.hasRssi && s.rssiDbm !== null && s.rssiAt
        ? { rssi: s.rssiDbm, phone_client_id: s.rssiFrom ?? '', reported_at: isoUtc(s.rssiAt) }
        : null,
  };
}

function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
