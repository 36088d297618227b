import type { PayloadSchema } from './job-payload.js';

/**
 * Every kind of background work Mira does. The value is what the jobs table stores in `type`. "Find references" on a
 * name lists who enqueues it and the one method that handles it (marked `@OnJob(JobName.…)`).
 */
export enum JobName {
  /** Decides among the copies of one moment of audio and enqueues the winner's UtteranceProcess (libs/stream). */
  StreamArbitrate = 'stream.arbitrate',
  /** From the winning copy to an interaction with speaker, text and conversation (UtteranceProcessor). */
  UtteranceProcess = 'utterance.process',
  /** Drops a processed chunk's audio once late copies can no longer need it (UtteranceProcessor). */
  UtteranceReleaseAudio = 'utterance.release_audio',
  /** Closes a conversation nobody has spoken in for the gap (ConversationLifecycle). */
  ConversationCloseIdle = 'conversation.close_idle',
  /** Writes a closed conversation's topic and context summaries (ConversationLifecycle). */
  ConversationSummarize = 'conversation.summarize',
  /** Extracts an action from a transcribed interaction (ActionService). */
  InteractionInfer = 'interaction.infer',
  /** Embeds an interaction's text for semantic search, after it was written or its text changed (InteractionEmbedder). */
  InteractionEmbed = 'interaction.embed',
  /** Embeds a network's interactions that have no current embedding, a batch at a time (InteractionEmbedder). */
  InteractionEmbedBackfill = 'interaction.embed_backfill',
  /** Deletes one network's data older than its retention (RetentionService). */
  RetentionSweep = 'retention.sweep',
  /** Turns a closed conversation into episodic memories (MemoryExtractionService). */
  MemoryFromConversation = 'memory.from_conversation',
  /** An uploaded recording: decoded, diarized, each turn identified and transcribed (RecordingProcessor). */
  RecordingProcess = 'recording.process',
}

/**
 * The jobs a client follows through GET /{network_id}/tasks/{task_id} (their handlers report progress with
 * JobRun.checkpoint); any other job id answers 404 there.
 */
export const TASK_JOBS: readonly JobName[] = [JobName.RecordingProcess];

/** The payload each job carries: ids only (the handler reads the rows), never audio, text or names. */
export interface JobPayloads {
  [JobName.StreamArbitrate]: { chunk_id: string };
  [JobName.UtteranceProcess]: { chunk_id: string };
  [JobName.UtteranceReleaseAudio]: { chunk_id: string };
  [JobName.ConversationCloseIdle]: { conversation_id: string };
  [JobName.ConversationSummarize]: { conversation_id: string };
  [JobName.InteractionInfer]: { interaction_id: string };
  [JobName.InteractionEmbed]: { interaction_id: string };
  [JobName.InteractionEmbedBackfill]: Record<string, never>;
  [JobName.RetentionSweep]: Record<string, never>;
  [JobName.MemoryFromConversation]: { conversation_id: string };
  [JobName.RecordingProcess]: { recording_id: string };
}

/**
 * How each payload is checked when its row is read back: a row can be older than the code or damaged, and such a job
 * fails at once with a clear error instead of reaching its handler.
 */
export const JOB_PAYLOAD_SCHEMAS: { [N in JobName]: PayloadSchema<JobPayloads[N]> } = {
  [JobName.StreamArbitrate]: { chunk_id: 'uuid' },
  [JobName.UtteranceProcess]: { chunk_id: 'uuid' },
  [JobName.UtteranceReleaseAudio]: { chunk_id: 'uuid' },
  [JobName.ConversationCloseIdle]: { conversation_id: 'uuid' },
  [JobName.ConversationSummarize]: { conversation_id: 'uuid' },
  [JobName.InteractionInfer]: { interaction_id: 'uuid' },
  [JobName.InteractionEmbed]: { interaction_id: 'uuid' },
  [JobName.InteractionEmbedBackfill]: {},
  [JobName.RetentionSweep]: {},
  [JobName.MemoryFromConversation]: { conversation_id: 'uuid' },
  [JobName.RecordingProcess]: { recording_id: 'uuid' },
};
