export * from './utterance.module.js';
export * from './utterance-processor.js';
export * from './conversation-lifecycle.service.js';
export * from './conversation-policy.js';
export * from './chunk-voices.js';
