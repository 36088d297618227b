import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class StreamQualityDto {
  @ApiProperty({
    enum: ['energy', 'vad'],
    description:
      'What the speech figures (speech_ratio, and snr_db, clarity and audio_score, measured on the speech frames) rest ' +
      'on. `energy`: frame energies, an estimate made when the chunk was stored (every upload answer and live-audio ' +
      'ack): it tells speech from silence, not from steady noise or babble. `vad`: the voice activity detector, which ' +
      "the arbitration runs once per sound on its best-ranked copy and on the copy it forwards; the sound's speech " +
      'decides whether anything is forwarded. rms and clipping_ratio are exact either way.',
  })
  basis: 'energy' | 'vad';

  @ApiProperty({
    description: 'Audio quality score 0–100 from the AudioModule (before phone signals); see basis',
  })
  audio_score: number;

  @ApiProperty({
    description: 'Estimated signal-to-noise ratio (dB), speech frames over the others; see basis',
  })
  snr_db: number;

  @ApiProperty({ description: 'Speech-band clarity 0–100 over the speech frames; see basis' })
  clarity: number;

  @ApiProperty({ description: 'Root mean square level, linear full scale 0–1' })
  rms: number;

  @ApiProperty({ description: 'Fraction of samples at full scale' })
  clipping_ratio: number;

  @ApiProperty({
    description:
      'Fraction of 32 ms frames judged speech: by frame energy (an estimate) when basis is energy, by the VAD when vad',
  })
  speech_ratio: number;

  @ApiProperty({ description: 'Location component 0–100 (100 without a fresh location report)' })
  location_score: number;

  @ApiProperty({ description: 'RSSI component 0–100 (100 without a fresh RSSI report)' })
  rssi_score: number;
}

export class ChunkAcceptedDto {
  @ApiProperty({ format: 'uuid' })
  chunk_id: string;

  @ApiProperty({ example: 'kitchen' })
  stream_id: string;

  @ApiProperty({ example: 'kitchen' })
  client_id: string;

  @ApiProperty({ nullable: true, type: Number })
  seq: number | null;

  @ApiProperty({
    description: 'Stream score of this chunk 0–100: 0.70 audio_score + 0.15 location_score + 0.15 rssi_score',
    example: 81.2,
  })
  quality_score: number;

  @ApiProperty({ type: StreamQualityDto })
  quality: StreamQualityDto;

  @ApiProperty({
    description:
      'Whether this stream holds the floor right now (its copies are the ones forwarded). The decision for this ' +
      'chunk itself is made at decision_due_at, once the other microphones had time to deliver their copies.',
  })
  holds_floor: boolean;

  @ApiProperty({ nullable: true, type: String, description: 'The stream that holds the floor, if any' })
  floor_holder_stream_id: string | null;

  @ApiProperty({
    enum: ['pending', 'won', 'lost', 'silent'],
    description: 'pending until decided; won = forwarded to the pipeline; lost = another copy was better',
  })
  status: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z', description: 'The timestamp sent (device clock)' })
  captured_at: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.120Z', description: 'The capture start on the server clock' })
  aligned_start: string;

  @ApiProperty({ example: 2.4 })
  duration_seconds: number;

  @ApiProperty({ example: '2026-01-01T12:00:03.120Z' })
  decision_due_at: string;

  @ApiProperty({ description: 'True when this answer replays an earlier identical upload (same seq or key)' })
  replayed: boolean;
}

export class PhoneLocationInfoDto {
  @ApiProperty()
  latitude: number;

  @ApiProperty()
  longitude: number;

  @ApiProperty({ nullable: true, type: Number, description: 'metres' })
  accuracy: number | null;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  reported_at: string;
}

export class PhoneRssiInfoDto {
  @ApiProperty({ example: -45.5 })
  rssi: number;

  @ApiProperty({ example: 'iphone' })
  phone_client_id: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  reported_at: string;
}

export class StreamDto {
  @ApiProperty({ example: 'kitchen' })
  stream_id: string;

  @ApiProperty({ example: 'kitchen' })
  client_id: string;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Score of the last chunk with the current phone signals (null before the first chunk)',
  })
  quality_score: number | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'When the last chunk was received (server clock, ISO 8601 UTC)',
  })
  timestamp: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Capture time of the last chunk (device clock)' })
  captured_at: string | null;

  @ApiProperty({ description: 'A chunk arrived within STREAM_INACTIVE_AFTER_MS' })
  is_active: boolean;

  @ApiProperty()
  holds_floor: boolean;

  @ApiProperty({ type: StreamQualityDto, nullable: true })
  quality: StreamQualityDto | null;

  @ApiProperty({ example: 12 })
  chunk_count: number;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  last_chunk_id: string | null;

  @ApiProperty({ nullable: true, type: Number })
  last_seq: number | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Estimated server clock minus device clock, including the fastest network delay (ms)',
  })
  clock_offset_ms: number | null;

  @ApiPropertyOptional({ type: PhoneLocationInfoDto, nullable: true })
  location: PhoneLocationInfoDto | null;

  @ApiPropertyOptional({ type: PhoneRssiInfoDto, nullable: true })
  rssi: PhoneRssiInfoDto | null;
}

export class BestStreamInfoDto {
  @ApiProperty({ example: 'kitchen' })
  stream_id: string;

  @ApiProperty({ example: 'kitchen' })
  client_id: string;

  @ApiProperty({ example: 81.2 })
  score: number;

  @ApiProperty({
    description:
      'True when this stream holds the floor; false when no stream holds it and this is the best-scoring active one',
  })
  holds_floor: boolean;

  @ApiProperty({ nullable: true, type: String, description: 'Since when it holds the floor' })
  since: string | null;
}

export class BestStreamDto {
  @ApiProperty({ type: BestStreamInfoDto, nullable: true })
  best_stream: BestStreamInfoDto | null;
}

export class StreamScoresDto {
  @ApiProperty({ example: 2 })
  active_streams: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { kitchen: 81.2, office: 55.0 },
    description: 'Score per active stream id',
  })
  stream_scores: Record<string, number>;

  @ApiProperty({ type: BestStreamInfoDto, nullable: true })
  current_best: BestStreamInfoDto | null;

  @ApiProperty({ type: [StreamDto], description: 'Every stream of the network, active ones first' })
  streams: StreamDto[];
}
