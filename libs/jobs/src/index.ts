export * from './jobs.module.js';
export * from './job-queue.service.js';
export type { NewJob } from './jobs.repository.js';
