import { Module } from '@nestjs/common';
import { ActionModule } from '@mira/action';
import { AssistantModule } from '@mira/assistant';
import { AudioModule } from '@mira/audio';
import { InteractionModule } from '@mira/interaction';
import { MemoryModule } from '@mira/memory';
import { CommandToolbox } from './command-toolbox.js';
import { VoiceCommandService } from './voice-command.service.js';

/**
 * Voice commands: transcription, then the CommandAgent with tools on actions and memories. The account door
 * (@mira/apps) serves them at POST /actions/voice.
 */
@Module({
  imports: [AssistantModule, AudioModule, InteractionModule, ActionModule, MemoryModule],
  providers: [VoiceCommandService, CommandToolbox],
  exports: [VoiceCommandService],
})
export class CommandModule {}
