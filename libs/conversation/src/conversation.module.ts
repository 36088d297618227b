import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PersonModule } from '@mira/person';
import { ConversationEntity } from './conversation.entity.js';
import { ConversationRepository } from './conversation.repository.js';
import { ConversationService } from './conversation.service.js';
import { ConversationsV1Controller, ConversationsV2Controller } from './conversations.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([ConversationEntity]), PersonModule],
  controllers: [ConversationsV1Controller, ConversationsV2Controller],
  providers: [ConversationRepository, ConversationService],
  exports: [ConversationService],
})
export class ConversationModule {}
