import { Injectable } from '@nestjs/common';
import type { InteractionPersonChangeHook } from '@mira/interaction';
import { VoiceprintRepository } from './voiceprint.repository.js';

/** A corrected utterance must not keep feeding the wrong person's voiceprint: its automatic sample goes. */
@Injectable()
export class VoiceprintInteractionHooks implements InteractionPersonChangeHook {
  constructor(private readonly repository: VoiceprintRepository) {}

  async afterInteractionPersonChanged(networkId: string, interactionId: string): Promise<void> {
    await this.repository.deleteFromInteraction(networkId, interactionId);
  }
}
