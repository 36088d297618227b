import { isoUtc } from '@mira/core';
import { PersonDto, PersonV2Dto } from './dto/person.dto.js';
import type { PersonRecord } from './person.types.js';

/** The label clients show: the name, or "Person {index}" for unnamed persons. */
export function personDisplayName(person: { name: string | null; index: number }): string {
  return person.name ?? `Person ${person.index}`;
}

export function toPersonDto({ person, stats }: PersonRecord): PersonDto {
  return {
    id: person.id,
    network_id: person.networkId,
    name: person.name,
    index: person.index,
    voiceprint_samples: stats.voiceprint_samples,
    has_voiceprint: stats.has_voiceprint,
    needs_reenrolment: stats.needs_reenrolment,
    conversation_count: stats.conversation_count,
    metadata: person.metadata ?? {},
    created_at: isoUtc(person.createdAt),
    updated_at: isoUtc(person.updatedAt),
  };
}

export function toPersonV2Dto(record: PersonRecord): PersonV2Dto {
  return {
    ...toPersonDto(record),
    display_name: personDisplayName(record.person),
    interaction_count: record.stats.interaction_count,
    last_interaction_at: isoUtc(record.stats.last_interaction_at),
  };
}
