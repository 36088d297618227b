import { Module } from '@nestjs/common';
import { ActionModule } from '@mira/action';
import { AssistantModule } from '@mira/assistant';
import { ConversationModule } from '@mira/conversation';
import { InteractionModule } from '@mira/interaction';
import { JobsModule } from '@mira/jobs';
import { NetworkModule } from '@mira/network';
import { PersonModule } from '@mira/person';
import { RecognitionModule } from '@mira/recognition';
import { StreamModule } from '@mira/stream';
import { ConversationAssigner } from './conversation-assigner.js';
import { UtteranceProcessor } from './utterance-processor.js';

/** The utterance pipeline's jobs: utterance.process, conversation.close_idle, conversation.summarize. */
@Module({
  imports: [
    StreamModule,
    RecognitionModule,
    InteractionModule,
    ConversationModule,
    PersonModule,
    NetworkModule,
    ActionModule,
    AssistantModule,
    JobsModule,
  ],
  providers: [UtteranceProcessor, ConversationAssigner],
  exports: [UtteranceProcessor, ConversationAssigner],
})
export class PipelineModule {}
