import { Injectable } from '@nestjs/common';
import { AppLogger } from '@mira/core';
import { ACTION_JSON_SCHEMA, ActionExtraction, parseActionExtraction } from './action-schema.js';
import { GeminiClient, GeminiError } from './gemini.client.js';
import { extractActionsByRules } from './rule-based-extractor.js';

export interface ActionExtractionInput {
  /** The utterance to examine. */
  text: string;
  /** Label of its speaker, e.g. "Person 1" or a name. */
  speaker: string;
  /** Earlier lines of the same conversation, oldest first, already formatted "Speaker: text". */
  context: string[];
  now: Date;
}

export interface ActionExtractionResult {
  extraction: ActionExtraction;
  source: 'gemini' | 'rules';
  /** Why the rules ran instead of Gemini, when they did. */
  note?: string;
}

const SYSTEM_PROMPT = [
  'You are Mira, an assistant that listens to a household or office conversation and extracts only clearly',
  'stated action requests from the current utterance.',
  'There is a call to action only when the speaker commits to it or asks for it (a proposal from someone else',
  'followed by the speaker agreeing, e.g. "Sounds good", also counts when the context shows it).',
  'Three action types exist:',
  '- remind: a reminder; default time is one hour from now; "tonight" means 19:00.',
  '- schedule: an event with a start and an end; overestimate the duration.',
  '- contact: send someone a message or an email; the default method is "message".',
  'Times are ISO 8601 date-times. Set missing string fields to "".',
  'If there is no clear call to action, answer {"call_to_action": false} and nothing else.',
  'Output only the structured JSON.',
].join('\n');

/** A Gemini answer that parsed but did not match the schema. */
export class MalformedActionAnswerError extends GeminiError {
  constructor() {
    super('malformed', 'Gemini answered JSON that does not match the action schema');
  }
}

/**
 * Finds actions (remind / schedule / contact) in an utterance. Gemini structured output when a key is configured;
 * otherwise, or on the final attempt after Gemini failures, a small rule-based extractor that says so.
 */
@Injectable()
export class ActionExtractor {
  constructor(
    private readonly gemini: GeminiClient,
    private readonly logger: AppLogger,
  ) {}

  get engine(): 'gemini' | 'rules' {
    return this.gemini.configured ? 'gemini' : 'rules';
  }

  /** Throws GeminiError on a retryable failure unless `finalAttempt`, which falls back to the rules. */
  async extract(
    input: ActionExtractionInput,
    options: { finalAttempt?: boolean } = {},
  ): Promise<ActionExtractionResult> {
    if (!this.gemini.configured) {
      return {
        extraction: extractActionsByRules(input.text, input.now),
        source: 'rules',
        note: 'offline rule-based extractor (no GEMINI_API_KEY): explicit phrasings only',
      };
    }
    try {
      return { extraction: await this.viaGemini(input), source: 'gemini' };
    } catch (err) {
      const failure = err instanceof GeminiError ? err : new GeminiError('network', String(err));
      this.logger.warn('action_extraction_gemini_failed', {
        kind: failure.kind,
        final_attempt: options.finalAttempt ?? false,
      });
      if (failure.retryable && !options.finalAttempt) throw failure;
      return {
        extraction: extractActionsByRules(input.text, input.now),
        source: 'rules',
        note: `Gemini failed (${failure.kind}); offline rule-based extractor used instead`,
      };
    }
  }

  private async viaGemini(input: ActionExtractionInput): Promise<ActionExtraction> {
    const context = input.context.length > 0 ? input.context.map((l) => `- ${l}`).join('\n') : '(none)';
    const text = await this.gemini.generate({
      systemInstruction: SYSTEM_PROMPT,
      responseJsonSchema: ACTION_JSON_SCHEMA,
      temperature: 0.2,
      parts: [
        {
          text:
            `Current time (UTC): ${input.now.toISOString()}\n` +
            `Current utterance by ${input.speaker}: ${input.text}\n\nContext (earlier in the conversation):\n${context}`,
        },
      ],
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(stripFence(text));
    } catch {
      throw new MalformedActionAnswerError();
    }
    const extraction = parseActionExtraction(parsed);
    if (!extraction) throw new MalformedActionAnswerError();
    return extraction;
  }
}

/** Models sometimes wrap JSON in a Markdown fence despite the MIME type. */
export function stripFence(text: string): string {
  const match = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(text);
  return (match ? match[1]! : text).trim();
}
