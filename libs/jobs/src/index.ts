export * from './jobs.module.js';
export * from './job-queue.service.js';
export * from './job-catalogue.js';
export {
  defineJobKind,
  JobStopped,
  PermanentJobError,
  type JobKind,
  type PayloadSchema,
} from './job-payload.js';
export { OnJob } from './on-job.js';
export * from './task.types.js';
export { TaskErrors } from './task.service.js';
