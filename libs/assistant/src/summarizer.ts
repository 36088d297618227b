import { Injectable } from '@nestjs/common';
import { AppLogger } from '@mira/core';
import { GeminiClient, GeminiError } from './gemini.client.js';
import { stripFence } from './action-extractor.js';

export interface SummaryLine {
  speaker: string;
  text: string;
}

export interface ConversationSummary {
  topic_summary: string;
  context_summary: string;
  /** `llm` from Gemini; `extractive` = picked from the transcript offline, not written by a model. */
  kind: 'llm' | 'extractive';
}

const SUMMARY_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: {
    topic_summary: { type: 'string', description: 'A short title for the conversation, at most 8 words' },
    context_summary: {
      type: 'string',
      description: 'Two or three sentences: who discussed what, and outcomes',
    },
  },
  required: ['topic_summary', 'context_summary'],
  additionalProperties: false,
};

const SYSTEM_PROMPT =
  'You summarise a finished conversation captured by a home/office assistant. Write a short title ' +
  '(topic_summary, at most 8 words) and a two or three sentence summary (context_summary) of who discussed ' +
  'what and any decisions or commitments. Use the speaker labels as given. Output only the structured JSON.';

const STOP_WORDS = new Set(
  (
    'a about above after again all also am an and any are as at be because been before being but by can could ' +
    'did do does doing don down during each few for from further get got had has have having he her here hers him ' +
    'his how i if in into is it its just know like me more most my no nor not now of off on once only or other ' +
    'our out over own really right said same say see she should so some such than that the their them then there ' +
    'these they this those through to too under until up us very was we well were what when where which while who ' +
    'why will with would yeah yes you your okay oh um uh going want think let go'
  ).split(' '),
);

/** Content words of a line, lower-cased (3+ letters). */
const contentWords = (text: string) => text.toLowerCase().match(/[a-z][a-z'-]{2,}/g) ?? [];

/** Whether a line says anything beyond stop words (an "okay" or a "yes" does not). */
export const hasContentWords = (text: string) => contentWords(text).some((w) => !STOP_WORDS.has(w));

/** How often each content word (stop words left out) occurs in the lines. */
function wordFrequencies(texts: string[]): Map<string, number> {
  const freq = new Map<string, number>();
  for (const t of texts)
    for (const w of contentWords(t)) if (!STOP_WORDS.has(w)) freq.set(w, (freq.get(w) ?? 0) + 1);
  return freq;
}

/**
 * The `count` most representative transcribed lines (highest mean frequency of their content words across the
 * conversation), in their original order: the extractive summary's context, and its facts.
 */
export function representativeLines(lines: SummaryLine[], count = 3): SummaryLine[] {
  const freq = wordFrequencies(lines.map((l) => l.text.trim()).filter((t) => t.length > 0));
  return lines
    .map((l, i) => ({
      i,
      line: l,
      score:
        contentWords(l.text).reduce((s, w) => s + (freq.get(w) ?? 0), 0) /
        Math.max(1, contentWords(l.text).length),
    }))
    .filter((s) => s.line.text.trim().length > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, count)
    .sort((a, b) => a.i - b.i)
    .map((s) => s.line);
}

/** Offline summary: the most frequent content words as the topic, the most representative lines as context. */
export function extractiveSummary(lines: SummaryLine[]): ConversationSummary {
  const texts = lines.map((l) => l.text.trim()).filter((t) => t.length > 0);
  if (texts.length === 0) {
    return { topic_summary: 'Untranscribed conversation', context_summary: '', kind: 'extractive' };
  }
  const freq = wordFrequencies(texts);
  const top = [...freq.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 4);
  const topic = top.length > 0 ? top.map(([w]) => w).join(', ') : texts[0]!.slice(0, 60);
  let context = representativeLines(lines)
    .map((l) => `${l.speaker}: ${l.text.trim()}`)
    .join(' … ');
  if (context.length > 400) context = `${context.slice(0, 399)}…`;
  return { topic_summary: topic, context_summary: context, kind: 'extractive' };
}

/** Topic and context summary of a closed conversation: Gemini when configured, else extractive (labelled). */
@Injectable()
export class Summarizer {
  constructor(
    private readonly gemini: GeminiClient,
    private readonly logger: AppLogger,
  ) {}

  get engine(): 'gemini' | 'extractive' {
    return this.gemini.configured ? 'gemini' : 'extractive';
  }

  async summarize(
    lines: SummaryLine[],
    options: { finalAttempt?: boolean } = {},
  ): Promise<ConversationSummary> {
    const transcribed = lines.filter((l) => l.text.trim().length > 0);
    if (!this.gemini.configured || transcribed.length === 0) return extractiveSummary(lines);
    try {
      const text = await this.gemini.generate({
        systemInstruction: SYSTEM_PROMPT,
        responseJsonSchema: SUMMARY_SCHEMA,
        temperature: 0.3,
        parts: [{ text: transcribed.map((l) => `${l.speaker}: ${l.text.trim()}`).join('\n') }],
      });
      let parsed: unknown;
      try {
        parsed = JSON.parse(stripFence(text));
      } catch {
        throw new GeminiError('malformed', 'Gemini summary is not valid JSON');
      }
      const p = parsed as Record<string, unknown>;
      if (typeof p?.topic_summary !== 'string' || typeof p?.context_summary !== 'string') {
        throw new GeminiError('malformed', 'Gemini summary does not match the schema');
      }
      return {
        topic_summary: p.topic_summary.trim(),
        context_summary: p.context_summary.trim(),
        kind: 'llm',
      };
    } catch (err) {
      const failure = err instanceof GeminiError ? err : new GeminiError('network', String(err));
      this.logger.warn('summary_gemini_failed', {
        kind: failure.kind,
        final_attempt: options.finalAttempt ?? false,
      });
      if (failure.retryable && !options.finalAttempt) throw failure;
      return extractiveSummary(lines);
    }
  }
}
