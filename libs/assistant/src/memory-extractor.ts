import { Injectable } from '@nestjs/common';
import { AppLogger } from '@mira/core';
import { stripFence } from './action-extractor.js';
import { GeminiClient, GeminiError } from './gemini.client.js';
import { hasContentWords, representativeLines, type SummaryLine } from './summarizer.js';

export const MEMORY_TYPES = ['fact', 'event', 'plan', 'preference'] as const;
export type MemoryType = (typeof MEMORY_TYPES)[number];
export const MEMORY_ACTION_KINDS = ['remind', 'schedule', 'contact', 'task'] as const;
export type MemoryActionKind = (typeof MEMORY_ACTION_KINDS)[number];

/** One thing worth remembering from a conversation. Times are ISO 8601 (null when none was said). */
export interface ExtractedMemory {
  memoryType: MemoryType;
  /** One standalone sentence (Gemini), or a transcript line as said (offline). */
  canonicalText: string;
  actionKind: MemoryActionKind | null;
  /** Speaker labels as given in the lines. */
  participants: string[];
  proposedStartAt: string | null;
  proposedEndAt: string | null;
  expiresAt: string | null;
  /** 0–1 from the model; null offline (nothing judged it). */
  confidence: number | null;
}

export interface MemoryExtraction {
  memories: ExtractedMemory[];
  /** `gemini`, or `extractive`: lines picked from the transcript offline, not written by a model. */
  engine: 'gemini' | 'extractive';
  note?: string;
}

const MEMORY_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: {
    memories: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        properties: {
          memory_type: { type: 'string', enum: [...MEMORY_TYPES] },
          canonical_text: {
            type: 'string',
            description: 'One standalone sentence, third person, with names as given',
          },
          action_kind: { type: 'string', enum: [...MEMORY_ACTION_KINDS, 'none'] },
          participants: { type: 'array', items: { type: 'string' }, description: 'Speaker labels involved' },
          proposed_start_at: { type: 'string', description: 'ISO 8601 date-time, or "" when none' },
          proposed_end_at: { type: 'string', description: 'ISO 8601 date-time, or "" when none' },
          expires_at: {
            type: 'string',
            description: 'ISO 8601 date-time after which it no longer matters, or ""',
          },
          confidence: { type: 'number', minimum: 0, maximum: 1 },
        },
        required: ['memory_type', 'canonical_text', 'action_kind', 'participants', 'confidence'],
        additionalProperties: false,
      },
    },
  },
  required: ['memories'],
  additionalProperties: false,
};

const SYSTEM_PROMPT = [
  'You keep the episodic memory of a home or office assistant. From a finished conversation, list what is worth',
  'remembering later: facts about people (fact), things that happened (event), plans and commitments with their',
  'times (plan), and likes or dislikes (preference). Write each as one standalone sentence with the speaker labels',
  'as given. Give proposed_start_at / proposed_end_at for plans and events with a time, and expires_at when the',
  'memory stops mattering (a plan: shortly after it ends). action_kind names the action a plan implies, else "none".',
  'Leave out small talk. An empty list is a good answer for a conversation with nothing to remember.',
  'Output only the structured JSON.',
].join('\n');

/** The offline engine keeps this many lines (the extractive summary's context lines). */
const EXTRACTIVE_FACTS = 3;

/**
 * Memories from a finished conversation: Gemini structured output when a key is configured; otherwise, or on the
 * final attempt after Gemini failures, the extractive summary's lines as facts, labelled `extractive`.
 */
@Injectable()
export class MemoryExtractor {
  constructor(
    private readonly gemini: GeminiClient,
    private readonly logger: AppLogger,
  ) {}

  get engine(): 'gemini' | 'extractive' {
    return this.gemini.configured ? 'gemini' : 'extractive';
  }

  /** Throws GeminiError on a retryable failure unless `finalAttempt`, which falls back to the extractive facts. */
  async extract(
    lines: SummaryLine[],
    now: Date,
    options: { finalAttempt?: boolean } = {},
  ): Promise<MemoryExtraction> {
    const transcribed = lines.filter((l) => l.text.trim().length > 0);
    if (transcribed.length === 0) return { memories: [], engine: this.engine };
    if (!this.gemini.configured) {
      return { ...extractiveMemories(transcribed), note: 'offline (no GEMINI_API_KEY)' };
    }
    try {
      return { memories: await this.viaGemini(transcribed, now), engine: 'gemini' };
    } catch (err) {
      const failure = err instanceof GeminiError ? err : new GeminiError('network', String(err));
      this.logger.warn('memory_gemini_failed', {
        kind: failure.kind,
        final_attempt: options.finalAttempt ?? false,
      });
      if (failure.retryable && !options.finalAttempt) throw failure;
      return { ...extractiveMemories(transcribed), note: `Gemini failed (${failure.kind})` };
    }
  }

  private async viaGemini(lines: SummaryLine[], now: Date): Promise<ExtractedMemory[]> {
    const text = await this.gemini.generate({
      systemInstruction: SYSTEM_PROMPT,
      responseJsonSchema: MEMORY_SCHEMA,
      temperature: 0.2,
      parts: [
        {
          text:
            `Current time (UTC): ${now.toISOString()}\nConversation:\n` +
            lines.map((l) => `${l.speaker}: ${l.text.trim()}`).join('\n'),
        },
      ],
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(stripFence(text));
    } catch {
      throw new GeminiError('malformed', 'Gemini memories are not valid JSON');
    }
    const memories = parseMemories(parsed);
    if (!memories) throw new GeminiError('malformed', 'Gemini memories do not match the schema');
    return memories;
  }
}

/**
 * Offline: the lines the extractive summary picks, each kept as said (a fact, not a model's sentence); lines of
 * stop words only ("okay") are never facts.
 */
export function extractiveMemories(lines: SummaryLine[]): MemoryExtraction {
  const saying = lines.filter((line) => hasContentWords(line.text));
  return {
    engine: 'extractive',
    memories: representativeLines(saying, EXTRACTIVE_FACTS).map((line) => ({
      memoryType: 'fact',
      canonicalText: `${line.speaker}: ${line.text.trim()}`.slice(0, 1000),
      actionKind: null,
      participants: [line.speaker],
      proposedStartAt: null,
      proposedEndAt: null,
      expiresAt: null,
      confidence: null,
    })),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalTime = (v: unknown): string | null | undefined => {
  if (v === undefined || v === '' || v === null) return null;
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : undefined;
};

/** Validates a parsed Gemini answer against the schema; null when it does not conform. */
export function parseMemories(value: unknown): ExtractedMemory[] | null {
  if (!isObject(value) || !Array.isArray(value.memories)) return null;
  const out: ExtractedMemory[] = [];
  for (const item of value.memories.slice(0, 10)) {
    if (!isObject(item)) return null;
    const type = item.memory_type;
    const kind = item.action_kind ?? 'none';
    const text = typeof item.canonical_text === 'string' ? item.canonical_text.trim() : '';
    const confidence = item.confidence;
    const times = [
      optionalTime(item.proposed_start_at),
      optionalTime(item.proposed_end_at),
      optionalTime(item.expires_at),
    ];
    if (
      !(MEMORY_TYPES as readonly unknown[]).includes(type) ||
      !([...MEMORY_ACTION_KINDS, 'none'] as readonly unknown[]).includes(kind) ||
      text.length === 0 ||
      !Array.isArray(item.participants) ||
      !item.participants.every((p) => typeof p === 'string') ||
      typeof confidence !== 'number' ||
      confidence < 0 ||
      confidence > 1 ||
      times.includes(undefined)
    ) {
      return null;
    }
    out.push({
      memoryType: type as MemoryType,
      canonicalText: text.slice(0, 1000),
      actionKind: kind === 'none' ? null : (kind as MemoryActionKind),
      participants: item.participants as string[],
      proposedStartAt: times[0] as string | null,
      proposedEndAt: times[1] as string | null,
      expiresAt: times[2] as string | null,
      confidence,
    });
  }
  return out;
}
