import { Injectable } from '@nestjs/common';
import type { Tx } from '@mira/core';
import type { PersonMergeHook, PersonStats, PersonStatsProvider } from '@mira/person';
import { VoiceprintRepository } from './voiceprint.repository.js';
import { VoiceprintService } from './voiceprint.service.js';

/**
 * A person's voiceprint figures (samples of the current speaker model; whether they have samples of other models
 * only, and so should enrol again), and their samples moving with a merge. On a delete they go by foreign-key cascade.
 */
@Injectable()
export class VoiceprintPersonHooks implements PersonStatsProvider, PersonMergeHook {
  readonly personStatsFields: ReadonlyArray<keyof PersonStats> = [
    'voiceprint_samples',
    'has_voiceprint',
    'needs_reenrolment',
  ];

  constructor(
    private readonly repository: VoiceprintRepository,
    private readonly voiceprints: VoiceprintService,
  ) {}

  async personStats(networkId: string, personIds: string[]): Promise<Map<string, Partial<PersonStats>>> {
    const counts = await this.repository.countByPersonAndModel(networkId, personIds);
    const current = this.voiceprints.currentModelId();
    return new Map(
      personIds.map((id) => {
        const byModel = counts.get(id) ?? new Map<string, number>();
        const own =
          current === null ? [...byModel.values()].reduce((a, b) => a + b, 0) : (byModel.get(current) ?? 0);
        return [
          id,
          {
            voiceprint_samples: own,
            has_voiceprint: own > 0,
            needs_reenrolment: own === 0 && byModel.size > 0,
          },
        ];
      }),
    );
  }

  movePersonReferences(tx: Tx, networkId: string, sourceId: string, targetId: string): Promise<void> {
    return this.repository.reassign(tx, networkId, sourceId, targetId);
  }
}
