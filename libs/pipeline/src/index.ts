export * from './pipeline.module.js';
export * from './utterance-processor.js';
export * from './conversation-assigner.js';
export * from './conversation-policy.js';
