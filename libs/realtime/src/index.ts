export * from './realtime.module.js';
export * from './realtime-protocol.js';
export { REALTIME_PATHS } from './realtime.gateway.js';
/** The sockets this instance holds (tests observe what the server holds for a slow socket). */
export { RealtimeRegistry } from './realtime-registry.js';
