import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConversationModule } from '@mira/conversation';
import { PersonModule } from '@mira/person';
import { InteractionEntity } from './interaction.entity.js';
import { InteractionRepository } from './interaction.repository.js';
import { InteractionService } from './interaction.service.js';
import { InteractionsV1Controller, InteractionsV2Controller } from './interactions.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([InteractionEntity]), PersonModule, ConversationModule],
  controllers: [InteractionsV1Controller, InteractionsV2Controller],
  providers: [InteractionRepository, InteractionService],
  exports: [InteractionService],
})
export class InteractionModule {}
