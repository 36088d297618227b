export * from './stream.module.js';
export * from './stream-chunk.service.js';
export type { ChunkForProcessing } from './stream.types.js';
export * from './arbitration.policy.js';
export { copyAudioScore, crossCopySnrDb } from './copy-comparison.js';
