import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConversationDeletionHook, ConversationModule, ConversationStatsProvider } from '@mira/conversation';
import { AssistantModule } from '@mira/assistant';
import { provideHook } from '@mira/core';
import { JobsModule } from '@mira/jobs';
import { NetworkModule } from '@mira/network';
import { PersonDeletionHook, PersonMergeHook, PersonModule, PersonStatsProvider } from '@mira/person';
import { RetentionTarget } from '@mira/retention';
import { InteractionConversationHooks } from './interaction.conversation-hooks.js';
import { InteractionEntity } from './interaction.entity.js';
import { InteractionPersonHooks } from './interaction.person-hooks.js';
import { InteractionRepository } from './interaction.repository.js';
import { InteractionRetention } from './interaction.retention.js';
import { InteractionService } from './interaction.service.js';
import { InteractionsV1Controller, InteractionsV2Controller } from './interactions.controller.js';
import { InteractionSearchController } from './search/search.controller.js';
import { InteractionSearchRepository } from './search/search.repository.js';
import { InteractionSearchService } from './search/search.service.js';
import { InteractionEmbedder } from './semantic/interaction-embedder.js';
import { InteractionEmbeddingRepository } from './semantic/interaction-embedding.repository.js';
import { SemanticSearchCapability } from './semantic/semantic-search.capability.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([InteractionEntity]),
    PersonModule,
    ConversationModule,
    NetworkModule,
    JobsModule,
    AssistantModule,
  ],
  // Search first: its fixed path must win over the {interaction_id} routes.
  controllers: [InteractionSearchController, InteractionsV1Controller, InteractionsV2Controller],
  providers: [
    InteractionRepository,
    InteractionService,
    InteractionPersonHooks,
    provideHook(PersonStatsProvider, InteractionPersonHooks),
    provideHook(PersonDeletionHook, InteractionPersonHooks),
    provideHook(PersonMergeHook, InteractionPersonHooks),
    InteractionConversationHooks,
    provideHook(ConversationStatsProvider, InteractionConversationHooks),
    provideHook(ConversationDeletionHook, InteractionConversationHooks),
    InteractionRetention,
    provideHook(RetentionTarget, InteractionRetention),
    InteractionSearchRepository,
    InteractionSearchService,
    InteractionEmbeddingRepository,
    InteractionEmbedder,
    SemanticSearchCapability,
  ],
  exports: [InteractionService],
})
export class InteractionModule {}
