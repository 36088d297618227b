import { Module } from '@nestjs/common';
import { AssistantModule } from '@mira/assistant';
import { ConversationClosedHook, ConversationModule } from '@mira/conversation';
import { provideHook } from '@mira/core';
import { InteractionModule } from '@mira/interaction';
import { JobsModule } from '@mira/jobs';
import { NetworkModule } from '@mira/network';
import { RetentionTarget } from '@mira/retention';
import { MemoriesController } from './memories.controller.js';
import { MemoryExtractionService } from './memory-extraction.service.js';
import { MemoryRepository } from './memory.repository.js';
import { MemoryRetention } from './memory.retention.js';
import { MemoryService } from './memory.service.js';

/**
 * Episodic memories: extracted when a conversation closes (the `memory.from_conversation` job), stored by voice
 * commands, listed at /memories, pushed as `episodic_memory` events, swept when they expire.
 */
@Module({
  imports: [AssistantModule, ConversationModule, InteractionModule, NetworkModule, JobsModule],
  controllers: [MemoriesController],
  providers: [
    MemoryRepository,
    MemoryService,
    MemoryExtractionService,
    provideHook(ConversationClosedHook, MemoryExtractionService),
    MemoryRetention,
    provideHook(RetentionTarget, MemoryRetention),
  ],
  exports: [MemoryService],
})
export class MemoryModule {}
