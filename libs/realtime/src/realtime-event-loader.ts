import { Injectable } from '@nestjs/common';
import { ActionService } from '@mira/action';
import { toAppAction, toAppInteraction } from '@mira/apps';
import { ConversationService, toConversationDto } from '@mira/conversation';
import { AppError, type RealtimeNotice } from '@mira/core';
import { InteractionService } from '@mira/interaction';
import { MemoryService, toMemoryDto } from '@mira/memory';
import { PersonService, toPersonDto } from '@mira/person';

/**
 * The row a notice names, as the apps' REST calls return it (the same mappers), read when the notice is heard:
 * a row changed twice before it is read is sent once, as it is now. A row gone meanwhile is sent as nothing.
 */
@Injectable()
export class RealtimeEventLoader {
  constructor(
    private readonly interactions: InteractionService,
    private readonly conversations: ConversationService,
    private readonly persons: PersonService,
    private readonly actions: ActionService,
    private readonly memories: MemoryService,
  ) {}

  async load(
    notice: Exclude<RealtimeNotice, { event: 'service_status' | 'device_revoked' | 'network_closed' }>,
  ): Promise<object | null> {
    const { networkId, ref } = notice;
    try {
      switch (notice.event) {
        case 'interaction':
          return toAppInteraction(await this.interactions.get(networkId, ref.id));
        case 'conversation':
          return toConversationDto(await this.conversations.get(networkId, ref.id));
        case 'person':
          return toPersonDto(await this.persons.get(networkId, ref.id, 'basic'));
        case 'action':
          return toAppAction(await this.actions.get(networkId, ref.id));
        case 'episodic_memory':
          return toMemoryDto(await this.memories.get(networkId, ref.id));
      }
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null;
      throw err;
    }
  }
}
