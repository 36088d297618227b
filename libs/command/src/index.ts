export * from './command.module.js';
export { COMMAND_EVENT_SCHEMA, type CommandStreamEvent } from './command-events.js';
export { COMMAND_MAX_SECONDS, VoiceCommandService, type PreparedCommand } from './voice-command.service.js';
