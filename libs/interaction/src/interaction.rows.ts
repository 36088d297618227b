import type {
  Interaction,
  InteractionType,
  ProcessingStatus,
  TranscriptionStatus,
} from './interaction.types.js';

/**
 * The columns an Interaction is read from, for the hot paths that run plain SQL (the list and the insert): building
 * the SQL and hydrating entities through TypeORM cost more CPU than the query itself on a page of rows.
 */
export const INTERACTION_COLUMNS =
  'id, network_id, person_id, conversation_id, content, interaction_type, metadata, occurred_at, ' +
  'speaker_confidence, transcription_status, processing_status, source_stream_id, source_chunk_id, ' +
  'source_recording_id, source_turn, created_at, updated_at';

/** One row of INTERACTION_COLUMNS as the driver returns it (PGlite may hand timestamps over as text). */
export interface InteractionRow {
  id: string;
  network_id: string;
  person_id: string | null;
  conversation_id: string | null;
  content: string | null;
  interaction_type: InteractionType;
  metadata: Record<string, unknown> | null;
  occurred_at: Date | string;
  speaker_confidence: number | string | null;
  transcription_status: TranscriptionStatus | null;
  processing_status: ProcessingStatus | null;
  source_stream_id: string | null;
  source_chunk_id: string | null;
  source_recording_id: string | null;
  source_turn: number | string;
  created_at: Date | string;
  updated_at: Date | string;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

export function toInteraction(row: InteractionRow): Interaction {
  return {
    id: row.id,
    networkId: row.network_id,
    personId: row.person_id,
    conversationId: row.conversation_id,
    content: row.content,
    interactionType: row.interaction_type,
    metadata: row.metadata ?? {},
    occurredAt: toDate(row.occurred_at),
    speakerConfidence: row.speaker_confidence === null ? null : Number(row.speaker_confidence),
    transcriptionStatus: row.transcription_status,
    processingStatus: row.processing_status,
    sourceStreamId: row.source_stream_id,
    sourceChunkId: row.source_chunk_id,
    sourceRecordingId: row.source_recording_id,
    sourceTurn: Number(row.source_turn),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** The columns an insert sets (the others take their defaults). */
export type NewInteraction = Pick<
  Interaction,
  'personId' | 'conversationId' | 'content' | 'interactionType' | 'metadata'
> &
  Partial<
    Pick<
      Interaction,
      | 'occurredAt'
      | 'speakerConfidence'
      | 'transcriptionStatus'
      | 'processingStatus'
      | 'sourceStreamId'
      | 'sourceChunkId'
      | 'sourceRecordingId'
      | 'sourceTurn'
    >
  > & {
    /** ISO 639-1 code of the language the content is indexed in for search (the network's language). */
    searchLanguage?: string;
  };

/** The insertable fields and their columns; a field left undefined takes the column's default. */
export const INSERTABLE: [keyof NewInteraction, string][] = [
  ['personId', 'person_id'],
  ['conversationId', 'conversation_id'],
  ['content', 'content'],
  ['interactionType', 'interaction_type'],
  ['metadata', 'metadata'],
  ['searchLanguage', 'search_language'],
  ['occurredAt', 'occurred_at'],
  ['speakerConfidence', 'speaker_confidence'],
  ['transcriptionStatus', 'transcription_status'],
  ['processingStatus', 'processing_status'],
  ['sourceStreamId', 'source_stream_id'],
  ['sourceChunkId', 'source_chunk_id'],
  ['sourceRecordingId', 'source_recording_id'],
  ['sourceTurn', 'source_turn'],
];

/** The columns an update may change. */
export type InteractionChanges = Partial<Omit<NewInteraction, 'sourceStreamId' | 'sourceChunkId'>>;
