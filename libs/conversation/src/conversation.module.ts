import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { provideHook } from '@mira/core';
import { PersonDeletionHook, PersonMergeHook, PersonModule, PersonStatsProvider } from '@mira/person';
import { ConversationEntity } from './conversation.entity.js';
import { ConversationPersonHooks } from './conversation.person-hooks.js';
import { ConversationRepository } from './conversation.repository.js';
import { ConversationService } from './conversation.service.js';
import { ConversationsV1Controller, ConversationsV2Controller } from './conversations.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([ConversationEntity]), PersonModule],
  controllers: [ConversationsV1Controller, ConversationsV2Controller],
  providers: [
    ConversationRepository,
    ConversationService,
    ConversationPersonHooks,
    provideHook(PersonStatsProvider, ConversationPersonHooks),
    provideHook(PersonDeletionHook, ConversationPersonHooks),
    provideHook(PersonMergeHook, ConversationPersonHooks),
  ],
  exports: [ConversationService],
})
export class ConversationModule {}
