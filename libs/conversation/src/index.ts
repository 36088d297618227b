export * from './conversation.module.js';
export * from './conversation.service.js';
export * from './conversation.hooks.js';
export * from './conversation.types.js';
export * from './conversation.errors.js';
export type { ConversationChanges } from './conversation.repository.js';
export { ConversationDto } from './dto/conversation.dto.js';
export { toConversationDto } from './conversation.mapper.js';
