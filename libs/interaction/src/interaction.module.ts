import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConversationModule } from '@mira/conversation';
import { provideHook } from '@mira/core';
import { PersonModule } from '@mira/person';
import { RetentionTarget } from '@mira/retention';
import { InteractionEntity } from './interaction.entity.js';
import { InteractionRepository } from './interaction.repository.js';
import { InteractionRetention } from './interaction.retention.js';
import { InteractionService } from './interaction.service.js';
import { InteractionsV1Controller, InteractionsV2Controller } from './interactions.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([InteractionEntity]), PersonModule, ConversationModule],
  controllers: [InteractionsV1Controller, InteractionsV2Controller],
  providers: [
    InteractionRepository,
    InteractionService,
    InteractionRetention,
    provideHook(RetentionTarget, InteractionRetention),
  ],
  exports: [InteractionService],
})
export class InteractionModule {}
