import { Injectable } from '@nestjs/common';
import type { Tx } from '@mira/core';
import type { PersonMergeHook, PersonStats, PersonStatsProvider } from '@mira/person';
import { VoiceprintRepository } from './voiceprint.repository.js';
import { VoiceprintService } from './voiceprint.service.js';

/**
 * A person's voiceprint figures (samples of the current speaker model), and their samples moving with a merge. On a
 * delete they go by foreign-key cascade.
 */
@Injectable()
export class VoiceprintPersonHooks implements PersonStatsProvider, PersonMergeHook {
  readonly personStatsFields: ReadonlyArray<keyof PersonStats> = ['voiceprint_samples', 'has_voiceprint'];

  constructor(
    private readonly repository: VoiceprintRepository,
    private readonly voiceprints: VoiceprintService,
  ) {}

  async personStats(networkId: string, personIds: string[]): Promise<Map<string, Partial<PersonStats>>> {
    const counts = await this.repository.countByPerson(
      networkId,
      personIds,
      this.voiceprints.currentModelId() ?? undefined,
    );
    return new Map(
      personIds.map((id) => [
        id,
        { voiceprint_samples: counts.get(id) ?? 0, has_voiceprint: (counts.get(id) ?? 0) > 0 },
      ]),
    );
  }

  movePersonReferences(tx: Tx, networkId: string, sourceId: string, targetId: string): Promise<void> {
    return this.repository.reassign(tx, networkId, sourceId, targetId);
  }
}
