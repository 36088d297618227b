export * from './stream.module.js';
export * from './stream-chunk.service.js';
export type { ChunkForProcessing, UploadedAudio } from './stream.types.js';
export { ChunkIngestionService } from './chunk-ingestion.service.js';
/** Tests that run without a job worker decide chunks themselves. */
export { StreamArbitrationService } from './stream-arbitration.service.js';
export * from './arbitration.policy.js';
export { parseDeviceTime } from './chunk-input.js';
/** The live audio sockets this instance holds (tests watch backpressure on them). */
export { LiveAudioSockets } from './live-audio-sockets.js';
export { LIVE_AUDIO_PATHS } from './live-audio.gateway.js';
