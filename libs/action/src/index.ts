export * from './action.module.js';
export { ActionService, parseActionTime } from './action.service.js';
export type { Action, ActionKind, ActionStatus, Inference } from './action.types.js';
