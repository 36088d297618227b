import type { QualityReport } from '@mira/audio';
import type { PhoneSignals, ScoreBreakdown } from './arbitration.policy.js';
import type { StreamClientSignalsEntity } from './client-signals.entity.js';
import type { StreamChunkEntity } from './stream-chunk.entity.js';
import type { StreamEntity } from './stream.entity.js';

/** A multipart file as the upload interceptor hands it over. */
export interface UploadedAudio {
  buffer: Buffer;
  originalname?: string;
  mimetype?: string;
}

/** The reports phones made about a device, and what of them counts now. */
export interface DeviceSignals {
  reports: StreamClientSignalsEntity | null;
  signals: PhoneSignals;
}

/** The answer to an upload (or to its retry): the stored chunk, its score and the floor as it stands. */
export interface ChunkReceipt {
  chunk: Pick<
    StreamChunkEntity,
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
    | 'status'
    | 'capturedAt'
    | 'alignedStart'
    | 'durationMs'
  >;
  /** The chunk's stream score and its components (score = the one stored with the chunk). */
  breakdown: ScoreBreakdown;
  /** The stream holding the floor right now, if any. */
  holder: StreamEntity | null;
  decisionDueAt: Date;
  /** True when this answers a retry of an upload stored earlier. */
  replayed: boolean;
}

/** A stream as the reads show it at one moment. */
export interface StreamView {
  stream: StreamEntity;
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
  quality: QualityReport;
  /** The same instant on the server's clock (device clock corrected by the stream's estimated offset). */
  alignedCapturedAt: Date;
}
