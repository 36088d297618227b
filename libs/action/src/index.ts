export * from './action.module.js';
export { ActionService, INFER_JOB, parseActionTime } from './action.service.js';
export { ActionEntity } from './action.entity.js';
