export * from './action.module.js';
export { ActionService, parseActionTime } from './action.service.js';
export type { Action, ActionKind, ActionStatus, Inference } from './action.types.js';
export { ActionDto, ActionListQueryDto, UpdateActionDto } from './dto/action.dto.js';
export { toActionDto } from './action.mapper.js';
