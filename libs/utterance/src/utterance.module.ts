import { Module } from '@nestjs/common';
import { AssistantModule } from '@mira/assistant';
import { AudioModule } from '@mira/audio';
import { ConversationClosedHook, ConversationModule } from '@mira/conversation';
import { provideHook } from '@mira/core';
import { InteractionModule } from '@mira/interaction';
import { JobsModule } from '@mira/jobs';
import { NetworkModule } from '@mira/network';
import { PersonModule } from '@mira/person';
import { RecognitionModule } from '@mira/recognition';
import { StreamModule } from '@mira/stream';
import { ChunkTurnRecorder } from './chunk-turn-recorder.js';
import { ChunkVoiceSplitter } from './chunk-voice-splitter.js';
import { ConversationLifecycle } from './conversation-lifecycle.service.js';
import { ConversationSummaryOnClose } from './conversation-summary-on-close.js';
import { UtteranceProcessor } from './utterance-processor.js';

/**
 * What happens to an utterance after arbitration: UtteranceProcessor (utterance.process, utterance.release_audio)
 * and the ConversationLifecycle (assignment, conversation.close_idle, conversation.summarize), whose summary job
 * every close of a conversation writes (ConversationSummaryOnClose).
 */
@Module({
  imports: [
    StreamModule,
    RecognitionModule,
    InteractionModule,
    ConversationModule,
    PersonModule,
    NetworkModule,
    AssistantModule,
    AudioModule,
    JobsModule,
  ],
  providers: [
    UtteranceProcessor,
    ConversationLifecycle,
    ChunkVoiceSplitter,
    ChunkTurnRecorder,
    ConversationSummaryOnClose,
    provideHook(ConversationClosedHook, ConversationSummaryOnClose),
  ],
  exports: [UtteranceProcessor, ConversationLifecycle],
})
export class UtteranceModule {}
