import type { QualityReport } from '@mira/audio';
import type { PhoneSignals, ScoreBreakdown } from './arbitration.policy.js';

/** A device's audio stream in a network (named by the device; usually its client id) and its latest chunk. */
export interface Stream {
  id: string;
  networkId: string;
  streamId: string;
  /** The registered device that owns the stream. */
  clientId: string;
  /** Estimated server clock minus device clock (includes the fastest observed network delay). */
  clockOffsetMs: number | null;
  lastReceivedAt: Date | null;
  lastCapturedAt: Date | null;
  lastChunkId: string | null;
  lastSeq: number | null;
  chunkCount: number;
  audioScore: number | null;
  snrDb: number | null;
  clarity: number | null;
  rms: number | null;
  clippingRatio: number | null;
  speechRatio: number | null;
  /** What the last chunk's speech figures rest on (QualityBasis). */
  qualityBasis: QualityBasis;
  createdAt: Date;
  updatedAt: Date;
}

export type ChunkStatus = 'pending' | 'won' | 'lost' | 'silent';

/**
 * What a chunk's speech figures (speech_ratio, and the snr_db, clarity and audio score measured on its speech frames)
 * rest on: `energy`, frame energies at ingestion (an estimate: energy tells speech from silence, not from steady noise
 * or babble); `vad`, the VAD's frames, which the arbitration computes once per sound on its best-ranked copy and on the
 * copy it forwards. rms and clipping_ratio are exact either way.
 */
export type QualityBasis = 'energy' | 'vad';

/** One uploaded chunk: its timing, quality and (until decided, or processed when it won) its decoded audio. */
export interface StreamChunk {
  id: string;
  networkId: string;
  streamRowId: string;
  streamId: string;
  clientId: string;
  seq: number | null;
  idempotencyKey: string | null;
  contentSha256: string;
  /** The device's timestamp of the first sample. */
  capturedAt: Date;
  receivedAt: Date;
  /** The capture interval on the server's clock. */
  alignedStart: Date;
  alignedEnd: Date;
  durationMs: number;
  format: string;
  audioScore: number;
  snrDb: number;
  clarity: number;
  rms: number;
  clippingRatio: number;
  speechRatio: number;
  /** `energy` as ingested; `vad` once the arbitration judged this copy's speech (QualityBasis). */
  qualityBasis: QualityBasis;
  /** Stream score (audio plus phone signals) at ingestion, or at the arbitration that judged the chunk's speech. */
  score: number;
  metadata: Record<string, unknown> | null;
  status: ChunkStatus;
  decisionId: string | null;
  decisionReason: string | null;
  decidedAt: Date | null;
  /** PCM16LE mono 16 kHz; dropped once the chunk lost or was silent; read only on request. */
  audio: Buffer | null;
  createdAt: Date;
}

/** Location and RSSI reported by phones about a device. */
export interface ClientSignals {
  networkId: string;
  clientId: string;
  latitude: number | null;
  longitude: number | null;
  accuracyM: number | null;
  locationAt: Date | null;
  rssiDbm: number | null;
  rssiFrom: string | null;
  rssiAt: Date | null;
  updatedAt: Date;
}

/** A multipart file as the upload interceptor hands it over. */
export interface UploadedAudio {
  buffer: Buffer;
  originalname?: string;
  mimetype?: string;
}

/** The reports phones made about a device, and what of them counts now. */
export interface DeviceSignals {
  reports: ClientSignals | null;
  signals: PhoneSignals;
}

/** The answer to an upload (or to its retry): the stored chunk, its score and the floor as it stands. */
export interface ChunkReceipt {
  chunk: Pick<
    StreamChunk,
    | 'id'
    | 'streamRowId'
    | 'streamId'
    | 'clientId'
    | 'seq'
    | 'score'
    | 'snrDb'
    | 'clarity'
    | 'rms'
    | 'clippingRatio'
    | 'speechRatio'
    | 'qualityBasis'
    | 'status'
    | 'capturedAt'
    | 'alignedStart'
    | 'durationMs'
  >;
  /** The chunk's stream score and its components (score = the one stored with the chunk). */
  breakdown: ScoreBreakdown;
  /** The stream holding the floor right now, if any. */
  holder: Pick<Stream, 'id' | 'streamId'> | null;
  decisionDueAt: Date;
  /** True when this answers a retry of an upload stored earlier. */
  replayed: boolean;
}

/** A stream as the reads show it at one moment. */
export interface StreamView {
  stream: Stream;
  /** The last chunk's audio score with today's phone signals; null before the first chunk. */
  breakdown: ScoreBreakdown | null;
  device: DeviceSignals;
  isActive: boolean;
  holdsFloor: boolean;
}

/** The stream to listen to: the floor holder while it holds the floor, else the best-scoring active stream. */
export interface BestStream {
  view: StreamView;
  /** Since when it holds the floor (null when it is only the best-scoring one). */
  since: Date | null;
}

export interface StreamScores {
  /** Every stream of the network, active ones first. */
  views: StreamView[];
  best: BestStream | null;
}

/** A phone's report of where a device is (the body of POST /{network_id}/streams/phone/location). */
export interface PhoneLocationInput {
  client_id: string;
  location: { latitude: number; longitude: number; accuracy?: number };
}

/** The signal strength a phone measured from a device (the body of POST /{network_id}/streams/phone/rssi). */
export interface PhoneRssiInput {
  phone_client_id: string;
  target_client_id: string;
  rssi: number;
}

/** A phone's report as stored, with the score component it now gives the device. */
export interface LocationReport {
  clientId: string;
  location: { latitude: number; longitude: number; accuracy: number | null };
  locationScore: number;
}

export interface RssiReport {
  phoneClientId: string;
  targetClientId: string;
  rssi: number;
  rssiScore: number;
}

/** What the interaction pipeline reads for a winning chunk (see StreamChunkService.loadChunkForProcessing). */
export interface ChunkForProcessing {
  chunkId: string;
  streamId: string;
  clientId: string;
  /** The device's timestamp of the first sample, as sent. */
  capturedAt: Date;
  samples: Float32Array;
  /** Judged by the VAD: the arbitration judges every copy it forwards (QualityBasis `vad`). */
  quality: QualityReport;
  /** The same instant on the server's clock (device clock corrected by the stream's estimated offset). */
  alignedCapturedAt: Date;
}
