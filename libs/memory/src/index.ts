export * from './memory.module.js';
export { MemoryService } from './memory.service.js';
export { toMemoryDto } from './memory.mapper.js';
export { EpisodicMemoryDto } from './dto/memory.dto.js';
export type { EpisodicMemory, MemoryProvenance, NewMemory } from './memory.types.js';
export { MEMORY_LIST_DEFAULT_LIMIT, MEMORY_LIST_OPERATION } from './memories.controller.js';
