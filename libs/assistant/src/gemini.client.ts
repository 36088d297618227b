import { Injectable } from '@nestjs/common';
import type { ApiError, Content, FunctionDeclaration, GoogleGenAI, Part } from '@google/genai';
import { AppConfig } from '@mira/core';

export type GeminiFailureKind = 'timeout' | 'rate_limited' | 'server' | 'malformed' | 'network' | 'rejected';

/** A failed Gemini call. `retryable` failures (timeouts, 429, 5xx, garbled answers) are worth trying again later. */
export class GeminiError extends Error {
  constructor(
    readonly kind: GeminiFailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GeminiError';
  }

  get retryable(): boolean {
    return this.kind !== 'rejected';
  }
}

export interface GeminiRequest {
  parts: Part[];
  systemInstruction?: string;
  /** When set, the answer must be JSON conforming to this JSON Schema (structured output). */
  responseJsonSchema?: Record<string, unknown>;
  temperature?: number;
  maxOutputTokens?: number;
}

/** A streamed conversation turn with function calling: the model may answer text, call functions, or both. */
export interface GeminiStreamRequest {
  contents: Content[];
  systemInstruction?: string;
  functions: FunctionDeclaration[];
  /** Aborting it (the caller went away) stops the request at once. */
  signal: AbortSignal;
  temperature?: number;
  maxOutputTokens?: number;
}

/**
 * One piece of a streamed answer, in the order the model produced it. `part` is the model's part as received: it is
 * what goes back in the history of the next turn (thinking models sign their function calls and require the
 * signature back).
 */
export type GeminiStreamPiece =
  | { kind: 'text'; text: string; part: Part }
  | { kind: 'function_call'; name: string; args: Record<string, unknown>; part: Part };

/**
 * The one place that talks to Gemini through the official SDK (`@google/genai`). Every call is bounded by
 * GEMINI_TIMEOUT_MS, never retried inside the SDK (the job queue retries with backoff), and pointed at
 * GEMINI_BASE_URL when set (tests point it at a local fake that speaks Gemini's REST API). The SDK is loaded at
 * the first call, not at start: it brings an auth library whose loading would lengthen every start.
 */
@Injectable()
export class GeminiClient {
  private client?: Promise<GoogleGenAI>;
  readonly model: string;
  readonly timeoutMs: number;

  constructor(private readonly config: AppConfig) {
    const gemini = config.values.gemini;
    this.model = gemini.model;
    this.timeoutMs = gemini.timeoutMs;
  }

  get configured(): boolean {
    return Boolean(this.config.values.gemini.apiKey);
  }

  private sdkClient(): Promise<GoogleGenAI> {
    const gemini = this.config.values.gemini;
    this.client ??= import('@google/genai').then(
      ({ GoogleGenAI }) =>
        new GoogleGenAI({
          apiKey: gemini.apiKey,
          httpOptions: {
            ...(gemini.baseUrl ? { baseUrl: gemini.baseUrl } : {}),
            timeout: gemini.timeoutMs,
          },
        }),
    );
    return this.client;
  }

  /** Returns the text of the first candidate; throws GeminiError on any failure. */
  generate(request: GeminiRequest): Promise<string> {
    return this.bounded(this.timeoutMs, async (client, signal) => {
      const response = await client.models.generateContent({
        model: this.model,
        contents: [{ role: 'user', parts: request.parts }],
        config: {
          abortSignal: signal,
          ...(request.systemInstruction ? { systemInstruction: request.systemInstruction } : {}),
          ...(request.responseJsonSchema
            ? { responseMimeType: 'application/json', responseJsonSchema: request.responseJsonSchema }
            : {}),
          temperature: request.temperature ?? 0.2,
          maxOutputTokens: request.maxOutputTokens ?? 2048,
        },
      });
      const text = response.candidates?.[0]?.content?.parts?.map((part) => part.text ?? '').join('');
      if (text === undefined) {
        const reason = response.promptFeedback?.blockReason ?? response.candidates?.[0]?.finishReason;
        throw new GeminiError('malformed', `Gemini answered without a text candidate (${reason ?? 'empty'})`);
      }
      return text;
    });
  }

  /**
   * One vector per text from the embedding model (GEMINI_EMBEDDING_MODEL, GEMINI_EMBEDDING_DIMENSIONS values each),
   * in one request (the SDK sends batchEmbedContents). `query` embeds a search query, else a document to be found.
   * Bounded by `timeoutMs` (GEMINI_TIMEOUT_MS by default). Throws GeminiError on any failure, an answer of the wrong
   * shape included.
   */
  embed(texts: string[], purpose: 'query' | 'document', timeoutMs = this.timeoutMs): Promise<number[][]> {
    const { model, dimensions } = this.config.values.gemini.embeddings;
    return this.bounded(timeoutMs, async (client, signal) => {
      const response = await client.models.embedContent({
        model,
        contents: texts,
        config: {
          abortSignal: signal,
          taskType: purpose === 'query' ? 'RETRIEVAL_QUERY' : 'RETRIEVAL_DOCUMENT',
          outputDimensionality: dimensions,
        },
      });
      const vectors = (response.embeddings ?? []).map((e) => e.values ?? []);
      const wellFormed =
        vectors.length === texts.length &&
        vectors.every((v) => v.length === dimensions && v.every((x) => Number.isFinite(x)));
      if (!wellFormed) {
        throw new GeminiError('malformed', `Gemini answered ${vectors.length} embeddings of the wrong shape`);
      }
      return vectors;
    });
  }

  /**
   * Runs one request bounded by `timeoutMs` (aborted when it runs out); failures become GeminiError. The bound starts
   * once the SDK is loaded: it measures Gemini, not the first import on a busy machine.
   */
  private async bounded<T>(
    timeoutMs: number,
    work: (client: GoogleGenAI, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (!this.configured) throw new GeminiError('rejected', 'GEMINI_API_KEY is not configured');
    const client = await this.sdkClient();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new GeminiError('timeout', `Gemini did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const call = work(client, abort.signal);
      call.catch(() => undefined); // settled by the race below; avoid an unhandled rejection after a timeout
      return await Promise.race([call, timeout]);
    } catch (err) {
      throw classify(err);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Streams one turn (`streamGenerateContent`, server-sent events) with the given functions declared; function calls
   * are returned to the caller, never run by the SDK. Each chunk must arrive within GEMINI_TIMEOUT_MS of the previous
   * one (a stream may be long, a silent one is not); throws GeminiError on any failure.
   */
  async *stream(request: GeminiStreamRequest): AsyncGenerator<GeminiStreamPiece> {
    if (!this.configured) throw new GeminiError('rejected', 'GEMINI_API_KEY is not configured');
    const abort = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        abort.abort();
      }, this.timeoutMs);
    };
    const stop = () => abort.abort();
    request.signal.addEventListener('abort', stop);
    arm();
    try {
      const client = await this.sdkClient();
      const stream = await client.models.generateContentStream({
        model: this.model,
        contents: request.contents,
        config: {
          abortSignal: abort.signal,
          ...(request.systemInstruction ? { systemInstruction: request.systemInstruction } : {}),
          tools: [{ functionDeclarations: request.functions }],
          automaticFunctionCalling: { disable: true },
          temperature: request.temperature ?? 0.3,
          maxOutputTokens: request.maxOutputTokens ?? 1024,
        },
      });
      for await (const chunk of stream) {
        arm();
        for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
          if (part.functionCall?.name) {
            const call = { name: part.functionCall.name, args: part.functionCall.args ?? {} };
            yield { kind: 'function_call', ...call, part };
          } else if (part.text && !part.thought) {
            yield { kind: 'text', text: part.text, part };
          }
        }
      }
    } catch (err) {
      if (timedOut) throw new GeminiError('timeout', `Gemini's stream was silent for ${this.timeoutMs} ms`);
      throw classify(err);
    } finally {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', stop);
    }
  }
}

/** The SDK's ApiError (recognised without loading the SDK: it is loaded at the first call). */
function isApiError(err: unknown): err is ApiError {
  return err instanceof Error && err.name === 'ApiError' && typeof (err as ApiError).status === 'number';
}

function classify(err: unknown): GeminiError {
  if (err instanceof GeminiError) return err;
  if (isApiError(err)) {
    if (err.status === 429) return new GeminiError('rate_limited', 'Gemini rate limit (429)', 429);
    if (err.status === 408) return new GeminiError('timeout', 'Gemini request timeout (408)', 408);
    if (err.status >= 500)
      return new GeminiError('server', `Gemini server error (${err.status})`, err.status);
    return new GeminiError('rejected', `Gemini rejected the request (${err.status})`, err.status);
  }
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  if (name === 'AbortError' || /abort|timed? ?out/i.test(message)) {
    return new GeminiError('timeout', 'Gemini request aborted after the timeout');
  }
  if (err instanceof SyntaxError || /JSON|Unexpected token|parse/i.test(message)) {
    return new GeminiError('malformed', 'Gemini answered with a body that is not valid JSON');
  }
  const cause =
    err instanceof Error && err.cause ? `: ${String((err.cause as Error).message ?? err.cause)}` : '';
  return new GeminiError('network', `Gemini unreachable (${message.slice(0, 200)}${cause.slice(0, 200)})`);
}
