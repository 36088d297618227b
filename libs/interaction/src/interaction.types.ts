export type InteractionType = 'audio' | 'text' | 'system';
export type TranscriptionStatus = 'transcribed' | 'untranscribed' | 'pending' | 'failed';
export type ProcessingStatus = 'pending' | 'processing' | 'done' | 'failed';

/** One utterance (audio), message (text) or system event, possibly attributed to a person and a conversation. */
export interface Interaction {
  id: string;
  networkId: string;
  /** null = unknown speaker (or a deleted person: see metadata.deleted_person). */
  personId: string | null;
  conversationId: string | null;
  /** The transcript or message; null while untranscribed. */
  content: string | null;
  interactionType: InteractionType;
  metadata: Record<string, unknown>;
  /** When it was said (the utterance pipeline sets the capture time); defaults to the insert time. */
  occurredAt: Date;
  speakerConfidence: number | null;
  transcriptionStatus: TranscriptionStatus | null;
  processingStatus: ProcessingStatus | null;
  sourceStreamId: string | null;
  sourceChunkId: string | null;
  /** The recording this was said in (POST /recordings), when it came from one. */
  sourceRecordingId: string | null;
  /** Which turn of its source chunk or recording (0 for a chunk heard as one voice). */
  sourceTurn: number;
  createdAt: Date;
  updatedAt: Date;
}
