export * from './action.module.js';
export { ActionService, parseActionTime } from './action.service.js';
export { ActionEntity } from './action.entity.js';
