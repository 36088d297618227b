import { isoUtc } from '@mira/core';
import type {
  RecordingAcceptedDto,
  RecordingDetailDto,
  RecordingDto,
  RecordingSegmentDto,
  RecordingSpeakerDto,
} from './dto/recording.dto.js';
import type { Recording, RecordingSegment } from './recording.types.js';

const seconds = (ms: number) => Math.round(ms) / 1000;

export function toRecordingAcceptedDto(r: Recording): RecordingAcceptedDto {
  return { recording_id: r.id, task_id: r.taskId ?? '', status: r.status };
}

export function toRecordingDto(r: Recording, segmentCount: number): RecordingDto {
  return {
    id: r.id,
    network_id: r.networkId,
    status: r.status,
    task_id: r.taskId,
    filename: r.filename,
    format: r.format,
    size_bytes: r.sourceBytes,
    duration: r.durationMs === null ? null : seconds(r.durationMs),
    recorded_at: isoUtc(r.recordedAt),
    conversation_id: r.conversationId,
    speakers: r.speakers.map((v): RecordingSpeakerDto => ({
      speaker_label: v.label,
      person_id: v.personId,
      decision: v.decision,
      speech_seconds: Math.round(v.speechSeconds * 100) / 100,
    })),
    metadata: r.metadata ?? {},
    error_code: r.errorCode,
    error: r.error,
    segment_count: segmentCount,
    created_at: isoUtc(r.createdAt),
    processed_at: r.processedAt ? isoUtc(r.processedAt) : null,
  };
}

export function toRecordingSegmentDto(s: RecordingSegment): RecordingSegmentDto {
  return {
    index: s.index,
    start: seconds(s.startMs),
    end: seconds(s.endMs),
    person_id: s.personId,
    speaker_label: s.speakerLabel,
    text: s.text,
    confidence: s.confidence === null ? null : Math.round(s.confidence * 1000) / 1000,
    transcription_status: s.transcriptionStatus,
    interaction_id: s.interactionId,
  };
}

export function toRecordingDetailDto(r: Recording, segments: RecordingSegment[]): RecordingDetailDto {
  return { ...toRecordingDto(r, segments.length), segments: segments.map(toRecordingSegmentDto) };
}
