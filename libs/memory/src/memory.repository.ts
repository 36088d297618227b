import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EpisodicMemory, NewMemory } from './memory.types.js';

const COLUMNS = `id, network_id, source_conversation_id, source_interaction_id, memory_type, status, canonical_text,
  action_kind, participant_person_ids, proposed_start_at, proposed_end_at, expires_at, confidence, provenance,
  transition_history, created_at, updated_at`;

interface MemoryRow {
  id: string;
  network_id: string;
  source_conversation_id: string | null;
  source_interaction_id: string | null;
  memory_type: EpisodicMemory['memoryType'];
  status: EpisodicMemory['status'];
  canonical_text: string;
  action_kind: EpisodicMemory['actionKind'];
  participant_person_ids: string[] | string;
  proposed_start_at: Date | null;
  proposed_end_at: Date | null;
  expires_at: Date | null;
  confidence: number | null;
  provenance: EpisodicMemory['provenance'];
  transition_history: EpisodicMemory['transitionHistory'];
  created_at: Date;
  updated_at: Date;
}

/** A uuid[] as the driver hands it back: an array (pg) or its text form (some drivers). */
function uuidArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  return value
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter((v) => v.length > 0);
}

function toMemory(row: MemoryRow): EpisodicMemory {
  return {
    id: row.id,
    networkId: row.network_id,
    sourceConversationId: row.source_conversation_id,
    sourceInteractionId: row.source_interaction_id,
    memoryType: row.memory_type,
    status: row.status,
    canonicalText: row.canonical_text,
    actionKind: row.action_kind,
    participantPersonIds: uuidArray(row.participant_person_ids),
    proposedStartAt: row.proposed_start_at,
    proposedEndAt: row.proposed_end_at,
    expiresAt: row.expires_at,
    confidence: row.confidence === null ? null : Number(row.confidence),
    provenance: row.provenance,
    transitionHistory: row.transition_history,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The only SQL of memories (network_id leads every statement and index). */
@Injectable()
export class MemoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Writes the memories that are not written yet (by dedupe key); answers those written now. The first transition
   * (`active`, created) is recorded with each.
   */
  async insertMany(networkId: string, language: string, memories: NewMemory[]): Promise<EpisodicMemory[]> {
    const written: EpisodicMemory[] = [];
    for (const m of memories) {
      const rows = (await this.dataSource.query(
        `INSERT INTO memories (network_id, source_conversation_id, source_interaction_id, memory_type, canonical_text,
           action_kind, participant_person_ids, proposed_start_at, proposed_end_at, expires_at, confidence, provenance,
           transition_history, dedupe_key, search_language)
         VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8, $9, $10, $11, $12,
           jsonb_build_array(jsonb_build_object('status', 'active', 'at', now(), 'reason', 'created')), $13, $14)
         ON CONFLICT (network_id, dedupe_key) DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          networkId,
          m.sourceConversationId,
          m.sourceInteractionId,
          m.memoryType,
          m.canonicalText,
          m.actionKind,
          m.participantPersonIds,
          m.proposedStartAt,
          m.proposedEndAt,
          m.expiresAt,
          m.confidence,
          JSON.stringify(m.provenance),
          m.dedupeKey,
          language,
        ],
      )) as MemoryRow[];
      if (rows[0]) written.push(toMemory(rows[0]));
    }
    return written;
  }

  async find(networkId: string, id: string): Promise<EpisodicMemory | null> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM memories WHERE network_id = $1 AND id = $2`,
      [networkId, id],
    )) as MemoryRow[];
    return rows[0] ? toMemory(rows[0]) : null;
  }

  /** Active memories, newest first. */
  async listActive(networkId: string, limit: number, offset: number): Promise<EpisodicMemory[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM memories
       WHERE network_id = $1 AND status = 'active' AND (expires_at IS NULL OR expires_at > now())
       ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
      [networkId, limit, offset],
    )) as MemoryRow[];
    return rows.map(toMemory);
  }

  /** Whether a conversation's memories were extracted already (any memory from it). */
  async hasFromConversation(networkId: string, conversationId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM memories WHERE network_id = $1 AND source_conversation_id = $2 LIMIT 1`,
      [networkId, conversationId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Active memories matching any of the words, best first (full text in the network's language). */
  async search(
    networkId: string,
    language: string,
    words: string[],
    limit: number,
  ): Promise<EpisodicMemory[]> {
    if (words.length === 0) return [];
    const query = `websearch_to_tsquery(mira_search_config($2), $3)`;
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM memories
       WHERE network_id = $1 AND status = 'active' AND (expires_at IS NULL OR expires_at > now())
         AND search_vector @@ ${query}
       ORDER BY ts_rank_cd(search_vector, ${query}, 1) DESC, created_at DESC, id DESC
       LIMIT $4`,
      [networkId, language, words.join(' or '), limit],
    )) as MemoryRow[];
    return rows.map(toMemory);
  }

  /** Deletes the network's memories that expired, or were made before `cutoff`; answers how many went. */
  async deleteExpiredOrBefore(networkId: string, cutoff: Date): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `DELETE FROM memories WHERE network_id = $1 AND (expires_at <= now() OR created_at < $2)`,
      [networkId, cutoff],
    )) as [unknown, number];
    return Number(count ?? 0);
  }
}
