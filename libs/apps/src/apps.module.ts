import { Module } from '@nestjs/common';
import { ActionModule } from '@mira/action';
import { CommandModule } from '@mira/command';
import { ConversationModule } from '@mira/conversation';
import { InteractionModule } from '@mira/interaction';
import { MemoryModule } from '@mira/memory';
import { NetworkModule } from '@mira/network';
import { PersonModule } from '@mira/person';
import { RecognitionModule } from '@mira/recognition';
import { StreamModule } from '@mira/stream';
import { AppActionsController } from './app-actions.controller.js';
import { AppConversationsController } from './app-conversations.controller.js';
import { AppDevicesController } from './app-devices.controller.js';
import { AppInteractionsController } from './app-interactions.controller.js';
import { AppMemoriesController } from './app-memories.controller.js';
import { AppVoiceCommandsController } from './app-voice-commands.controller.js';
import { AppPersonsController } from './app-persons.controller.js';
import { AppPersonsService } from './app-persons.service.js';
import { AppSegmentsService } from './app-segments.service.js';

/**
 * The account door: the routes the shipped apps call, without a network id (the access guard resolves the
 * account's network from the token). Thin controllers over the same services as the network door.
 */
@Module({
  imports: [
    NetworkModule,
    PersonModule,
    ConversationModule,
    InteractionModule,
    ActionModule,
    RecognitionModule,
    StreamModule,
    MemoryModule,
    CommandModule,
  ],
  controllers: [
    AppDevicesController,
    AppInteractionsController,
    AppConversationsController,
    AppPersonsController,
    AppActionsController,
    AppMemoriesController,
    AppVoiceCommandsController,
  ],
  providers: [AppPersonsService, AppSegmentsService],
})
export class AppsModule {}
