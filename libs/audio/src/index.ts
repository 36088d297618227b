export * from './audio.types.js';
export * from './audio.errors.js';
export * from './audio.module.js';
export * from './audio.service.js';
export * from './audio-upload.js';
export * from './audio-pipeline.js';
export type { DecodeHint } from './decode/audio-decoder.js';
export { encodeWav16 } from './decode/wav.js';
export { cosine } from './speaker/onnx-speaker-embedder.js';
