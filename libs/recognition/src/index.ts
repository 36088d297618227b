export * from './recognition.module.js';
export * from './voiceprint.service.js';
export * from './speaker-identification.service.js';
export * from './identification.types.js';
export * from './voiceprint.types.js';
export * from './recognition.errors.js';
export * from './speaker-policy.js';
export { VoiceprintCipher } from './voiceprint-crypto.js';
export { RequirePersonInterceptor } from './require-person.interceptor.js';
