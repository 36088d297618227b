import { Injectable } from '@nestjs/common';
import type { InteractionPersonChangeHook } from '@mira/interaction';
import { UnattributedVoiceRepository } from './unattributed-voice.repository.js';
import { VoiceprintRepository } from './voiceprint.repository.js';

/**
 * A corrected utterance must not keep feeding the wrong person's voiceprint: its automatic sample goes. An utterance
 * given a speaker by hand is no longer an unknown voice: its kept speech goes too.
 */
@Injectable()
export class VoiceprintInteractionHooks implements InteractionPersonChangeHook {
  constructor(
    private readonly repository: VoiceprintRepository,
    private readonly unattributed: UnattributedVoiceRepository,
  ) {}

  async afterInteractionPersonChanged(networkId: string, interactionId: string): Promise<void> {
    await this.repository.deleteFromInteraction(networkId, interactionId);
    await this.unattributed.deleteForInteraction(networkId, interactionId);
  }
}
