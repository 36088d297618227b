export * from './stream.module.js';
export * from './stream.service.js';
export * from './arbitration.policy.js';
