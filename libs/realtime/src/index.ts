export * from './realtime.module.js';
export * from './realtime-protocol.js';
export { REALTIME_PATHS } from './realtime.gateway.js';
