export * from './recording.module.js';
export * from './recording.service.js';
export * from './recording.types.js';
export * from './recording.errors.js';
