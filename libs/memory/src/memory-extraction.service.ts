import { Injectable } from '@nestjs/common';
import { type ExtractedMemory, MemoryExtractor } from '@mira/assistant';
import { AppConfig, AppError, AppLogger, type Tx } from '@mira/core';
import { type ConversationClosedHook, ConversationService } from '@mira/conversation';
import { InteractionService } from '@mira/interaction';
import { JobName, type JobOf, JobQueue, OnJob } from '@mira/jobs';
import { MemoryService } from './memory.service.js';
import type { EpisodicMemory, NewMemory } from './memory.types.js';

/** Lines of a conversation read for its memories (the same bound as its summary). */
const CONVERSATION_MAX_LINES = 200;
/** A plan or event without an explicit expiry stops mattering this long after it ends (or starts). */
const EVENT_EXPIRY_MS = 86_400_000;

function time(value: string | null): Date | null {
  if (!value) return null;
  const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`;
  const date = new Date(withZone);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** When a memory stops mattering: as extracted, else a day after the plan or event it describes, else never. */
export function memoryExpiry(
  memory: Pick<ExtractedMemory, 'expiresAt' | 'proposedStartAt' | 'proposedEndAt'>,
) {
  const explicit = time(memory.expiresAt);
  if (explicit) return explicit;
  const end = time(memory.proposedEndAt) ?? time(memory.proposedStartAt);
  return end ? new Date(end.getTime() + EVENT_EXPIRY_MS) : null;
}

/**
 * A closed conversation becomes episodic memories: the conversation module runs this hook in the closing
 * transaction, which enqueues the `memory.from_conversation` job (one per conversation) there; the job reads the conversation's lines with their speakers
 * and asks the MemoryExtractor (Gemini structured output, or offline the extractive summary's lines).
 */
@Injectable()
export class MemoryExtractionService implements ConversationClosedHook {
  constructor(
    private readonly memories: MemoryService,
    private readonly extractor: MemoryExtractor,
    private readonly conversations: ConversationService,
    private readonly interactions: InteractionService,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  async whileConversationCloses(tx: Tx, networkId: string, conversationId: string): Promise<void> {
    await this.jobs.enqueue(
      JobName.MemoryFromConversation,
      { networkId, payload: { conversation_id: conversationId }, dedupeKey: conversationId },
      tx,
    );
  }

  afterCloseCommitted(): void {
    this.jobs.kick();
  }

  @OnJob(JobName.MemoryFromConversation)
  async onFromConversationJob(job: JobOf<JobName.MemoryFromConversation>): Promise<void> {
    await this.fromConversation(job.networkId, job.payload.conversation_id, job.finalAttempt);
  }

  /** Extracts and writes the conversation's memories once; answers those written now. */
  async fromConversation(
    networkId: string,
    conversationId: string,
    finalAttempt: boolean,
  ): Promise<EpisodicMemory[]> {
    const record = await this.conversations.get(networkId, conversationId).catch((err: unknown) => {
      if (err instanceof AppError && err.status === 404) return null; // deleted meanwhile: nothing to remember
      throw err;
    });
    if (!record || (await this.memories.hasFromConversation(networkId, conversationId))) return [];
    const lines = await this.interactions.conversationLines(
      networkId,
      conversationId,
      CONVERSATION_MAX_LINES,
    );
    const labels = new Map<string, string>();
    for (const line of lines) if (line.personId) labels.set(line.personId, line.speaker);
    const byLabel = new Map<string, string>();
    for (const [id, label] of labels) byLabel.set(label, byLabel.has(label) ? '' : id); // ambiguous labels name nobody
    const extraction = await this.extractor.extract(lines, new Date(), { finalAttempt });
    const memories: NewMemory[] = extraction.memories.map((m, index) => ({
      sourceConversationId: conversationId,
      sourceInteractionId: null,
      memoryType: m.memoryType,
      canonicalText: m.canonicalText,
      actionKind: m.actionKind,
      participantPersonIds: [...new Set(m.participants.map((p) => byLabel.get(p) ?? '').filter((id) => id))],
      proposedStartAt: time(m.proposedStartAt),
      proposedEndAt: time(m.proposedEndAt),
      expiresAt: memoryExpiry(m),
      confidence: m.confidence,
      provenance: {
        source: 'conversation',
        engine: extraction.engine,
        ...(extraction.engine === 'gemini' ? { model: this.config.values.gemini.model } : {}),
        ...(extraction.note ? { note: extraction.note } : {}),
      },
      dedupeKey: `conversation:${conversationId}:${index}`,
    }));
    const written = await this.memories.remember(networkId, memories);
    this.logger.info('conversation_memories_extracted', {
      network_id: networkId,
      conversation_id: conversationId,
      engine: extraction.engine,
      lines: lines.length,
      memories: written.length,
    });
    return written;
  }
}
