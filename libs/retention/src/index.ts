export * from './retention.module.js';
export * from './retention-target.js';
export * from './retention.service.js';
export * from './retention.policy.js';
