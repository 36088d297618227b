export * from './recording.module.js';
export * from './recording.service.js';
export * from './recording.types.js';
export * from './recording.errors.js';
export { VOICE_SAMPLE_SECONDS, voiceSample } from './voice-sample.js';
