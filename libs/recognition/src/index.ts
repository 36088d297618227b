export * from './recognition.module.js';
export * from './recognition.service.js';
export * from './recognition.errors.js';
export * from './speaker-policy.js';
export { VoiceprintCipher } from './voiceprint-crypto.js';
export { VoiceprintEntity } from './voiceprint.entity.js';
