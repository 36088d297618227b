export * from './assistant.module.js';
export * from './action-schema.js';
export * from './action-extractor.js';
export { GeminiError } from './gemini.client.js';
export type { GeminiFailureKind } from './gemini.client.js';
export * from './summarizer.js';
export * from './transcriber.js';
export * from './memory-extractor.js';
