import { isoUtc } from '@mira/core';
import { roundTo, type ScoreBreakdown } from './arbitration.policy.js';
import type { PhoneLocationUpdatedDto, PhoneRssiUpdatedDto } from './dto/phone.dto.js';
import type {
  BestStreamDto,
  BestStreamInfoDto,
  ChunkAcceptedDto,
  StreamDto,
  StreamQualityDto,
  StreamScoresDto,
} from './dto/stream.dto.js';
import type {
  BestStream,
  ChunkReceipt,
  LocationReport,
  RssiReport,
  StreamChunk,
  StreamScores,
  StreamView,
} from './stream.types.js';

export function toQualityDto(
  q: Pick<StreamChunk, 'snrDb' | 'clarity' | 'rms' | 'clippingRatio' | 'speechRatio' | 'qualityBasis'>,
  breakdown: ScoreBreakdown,
): StreamQualityDto {
  return {
    basis: q.qualityBasis,
    audio_score: breakdown.audio_score,
    snr_db: roundTo(q.snrDb, 4),
    clarity: roundTo(q.clarity, 4),
    rms: roundTo(q.rms, 6),
    clipping_ratio: roundTo(q.clippingRatio, 6),
    speech_ratio: roundTo(q.speechRatio, 4),
    location_score: breakdown.location_score,
    rssi_score: breakdown.rssi_score,
  };
}

export function toChunkAcceptedDto({
  chunk,
  breakdown,
  holder,
  decisionDueAt,
  replayed,
}: ChunkReceipt): ChunkAcceptedDto {
  return {
    chunk_id: chunk.id,
    stream_id: chunk.streamId,
    client_id: chunk.clientId,
    seq: chunk.seq,
    quality_score: chunk.score,
    quality: toQualityDto(chunk, breakdown),
    holds_floor: holder?.id === chunk.streamRowId,
    floor_holder_stream_id: holder?.streamId ?? null,
    status: chunk.status,
    captured_at: isoUtc(chunk.capturedAt),
    aligned_start: isoUtc(chunk.alignedStart),
    duration_seconds: chunk.durationMs / 1000,
    decision_due_at: isoUtc(decisionDueAt),
    replayed,
  };
}

export function toStreamDto({ stream, breakdown, device, isActive, holdsFloor }: StreamView): StreamDto {
  const { reports, signals } = device;
  return {
    stream_id: stream.streamId,
    client_id: stream.clientId,
    quality_score: breakdown ? breakdown.score : null,
    timestamp: isoUtc(stream.lastReceivedAt),
    captured_at: isoUtc(stream.lastCapturedAt),
    is_active: isActive,
    holds_floor: holdsFloor,
    quality: breakdown
      ? toQualityDto(
          {
            snrDb: stream.snrDb ?? 0,
            clarity: stream.clarity ?? 0,
            rms: stream.rms ?? 0,
            clippingRatio: stream.clippingRatio ?? 0,
            speechRatio: stream.speechRatio ?? 0,
            qualityBasis: stream.qualityBasis,
          },
          breakdown,
        )
      : null,
    chunk_count: stream.chunkCount,
    last_chunk_id: stream.lastChunkId,
    last_seq: stream.lastSeq,
    clock_offset_ms: stream.clockOffsetMs === null ? null : Math.round(stream.clockOffsetMs),
    location:
      reports &&
      signals.hasLocation &&
      reports.latitude !== null &&
      reports.longitude !== null &&
      reports.locationAt
        ? {
            latitude: reports.latitude,
            longitude: reports.longitude,
            accuracy: reports.accuracyM,
            reported_at: isoUtc(reports.locationAt),
          }
        : null,
    rssi:
      reports &&
      signals.rssiDbm !== null &&
      signals.rssiDbm !== undefined &&
      reports.rssiDbm !== null &&
      reports.rssiAt
        ? {
            rssi: reports.rssiDbm,
            phone_client_id: reports.rssiFrom ?? '',
            reported_at: isoUtc(reports.rssiAt),
          }
        : null,
  };
}

export function toBestStreamInfoDto(best: BestStream | null): BestStreamInfoDto | null {
  if (!best) return null;
  const { view, since } = best;
  return {
    stream_id: view.stream.streamId,
    client_id: view.stream.clientId,
    score: view.breakdown?.score ?? 0,
    holds_floor: view.holdsFloor,
    since: view.holdsFloor ? isoUtc(since) : null,
  };
}

export function toBestStreamDto(best: BestStream | null): BestStreamDto {
  return { best_stream: toBestStreamInfoDto(best) };
}

export function toStreamScoresDto({ views, best }: StreamScores): StreamScoresDto {
  const streams = views.map(toStreamDto);
  const active = streams.filter((s) => s.is_active);
  const stream_scores: Record<string, number> = {};
  for (const s of active) if (s.quality_score !== null) stream_scores[s.stream_id] = s.quality_score;
  return { active_streams: active.length, stream_scores, current_best: toBestStreamInfoDto(best), streams };
}

export function toLocationUpdatedDto(report: LocationReport): PhoneLocationUpdatedDto {
  return {
    message: `Phone location updated successfully for ${report.clientId}`,
    client_id: report.clientId,
    location: report.location,
    location_score: report.locationScore,
  };
}

export function toRssiUpdatedDto(report: RssiReport): PhoneRssiUpdatedDto {
  return {
    message: `RSSI updated successfully from ${report.phoneClientId} to ${report.targetClientId}`,
    rssi: report.rssi,
    phone_client_id: report.phoneClientId,
    target_client_id: report.targetClientId,
    rssi_score: report.rssiScore,
  };
}
