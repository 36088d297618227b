import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssistantModule } from '@mira/assistant';
import { ConversationModule } from '@mira/conversation';
import { InteractionModule } from '@mira/interaction';
import { provideHook } from '@mira/core';
import { PersonMergeHook, PersonModule } from '@mira/person';
import { ActionController } from './action.controller.js';
import { ActionEntity } from './action.entity.js';
import { ActionPersonHooks } from './action.person-hooks.js';
import { ActionRepository } from './action.repository.js';
import { ActionService } from './action.service.js';

/** Actions (inference results): the `interaction.infer` job, /actions and /interactions/{id}/inference. */
@Module({
  imports: [
    TypeOrmModule.forFeature([ActionEntity]),
    InteractionModule,
    ConversationModule,
    PersonModule,
    AssistantModule,
  ],
  controllers: [ActionController],
  providers: [
    ActionRepository,
    ActionService,
    ActionPersonHooks,
    provideHook(PersonMergeHook, ActionPersonHooks),
  ],
  exports: [ActionService],
})
export class ActionModule {}
