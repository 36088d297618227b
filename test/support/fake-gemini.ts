import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One chunk of a streamed answer: text, or a function call the client is to run. */
export type FakeStreamPart =
  { text: string } | { functionCall: { name: string; args: Record<string, unknown> } };

/** What the fake answers to one generateContent (or streamGenerateContent) request. */
export type FakeGeminiReply =
  | { kind: 'text'; text: string; delayMs?: number }
  /**
   * streamGenerateContent: one server-sent event per chunk. `holdMs` keeps the stream open (silent) that long
   * after the chunks before it ends; the fake counts streams the client closed before their end.
   */
  | { kind: 'stream'; chunks: FakeStreamPart[][]; delayMs?: number; holdMs?: number }
  | { kind: 'status'; status: number; delayMs?: number }
  | { kind: 'raw'; body: string; status?: number; delayMs?: number };

export interface RecordedGeminiRequest {
  model: string;
  /** Whether it came as streamGenerateContent. */
  stream: boolean;
  apiKey: string | undefined;
  body: {
    contents?: {
      role?: string;
      parts?: {
        text?: string;
        inlineData?: { mimeType: string; data: string };
        functionCall?: { name: string; args?: Record<string, unknown> };
        functionResponse?: { name: string; response?: Record<string, unknown> };
      }[];
    }[];
    systemInstruction?: unknown;
    generationConfig?: Record<string, unknown>;
    tools?: { functionDeclarations?: { name: string }[] }[];
  };
}

export type FakeGeminiResponder = (request: RecordedGeminiRequest) => FakeGeminiReply;

/** One embedding request as the fake received it (embedContent, or batchEmbedContents with one entry per text). */
export interface RecordedEmbeddingRequest {
  model: string;
  batch: boolean;
  texts: string[];
  taskTypes: (string | undefined)[];
  outputDimensionality: number | undefined;
}

/**
 * Word groups the fake's embeddings treat as one meaning, so that a query can find a text it shares no word with:
 * a stand-in for a real embedding model, good for nothing but tests and benches.
 */
const FAKE_MEANINGS: string[][] = [
  ['dog', 'dogs', 'puppy', 'puppies', 'canine', 'pet', 'pets', 'hound', 'vet', 'leash', 'walkies'],
  ['car', 'cars', 'vehicle', 'automobile', 'drive', 'driving', 'garage', 'mechanic', 'tyres', 'engine'],
  ['dinner', 'supper', 'meal', 'lunch', 'cook', 'cooking', 'eat', 'pasta', 'recipe', 'kitchen'],
  ['doctor', 'physician', 'appointment', 'clinic', 'dentist', 'medicine', 'sick', 'fever', 'pharmacy'],
  ['budget', 'money', 'spend', 'spending', 'expenses', 'cost', 'bank', 'finances', 'savings', 'bills'],
  ['rain', 'raining', 'umbrella', 'storm', 'weather', 'wet', 'forecast', 'drizzle'],
  ['flight', 'plane', 'airport', 'trip', 'holiday', 'vacation', 'travel', 'passport', 'luggage'],
];
const MEANING_OF = new Map(
  FAKE_MEANINGS.flatMap((group, index) => group.map((w) => [w, `meaning:${index}`])),
);
const FAKE_STOP_WORDS = new Set(
  'a an the is are was were be to of and or in on at for with it its this that i we you he she they my our your me us their'.split(
    ' ',
  ),
);

/** FNV-1a: a stable small hash of a string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/**
 * The fake's embedding of a text: a bag of meanings (FAKE_MEANINGS groups, other words each their own), each adding
 * 1 at two positions chosen by its hash, not normalised (like Gemini's reduced-size vectors). Deterministic.
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
    if (FAKE_STOP_WORDS.has(word)) continue;
    const key = MEANING_OF.get(word) ?? `word:${word}`;
    vector[fnv1a(key) % dimensions]! += 1;
    vector[fnv1a(`${key}#`) % dimensions]! += 0.5;
  }
  // a text of stop words only still gets a direction of its own
  if (!vector.some((x) => x !== 0)) vector[fnv1a(text) % dimensions] = 1;
  return vector;
}

/**
 * A local HTTP server on loopback that speaks Gemini's REST API (`POST /v1beta/models/{model}:generateContent`,
 * `:streamGenerateContent`, `:embedContent`, `:batchEmbedContents`),
 * so the real `@google/genai` SDK and our real client code run against it through GEMINI_BASE_URL.
 * Scriptable per test: queue replies with `next(...)`, or set a default responder.
 */
export class FakeGemini {
  readonly requests: RecordedGeminiRequest[] = [];
  /** Embedding requests, apart from `requests` (they neither take queued replies nor go to the responder). */
  readonly embeddingRequests: RecordedEmbeddingRequest[] = [];
  /** When set, every embedding request gets this reply (an error status, a delay past the timeout, a bad body). */
  embeddingFailure: FakeGeminiReply | null = null;
  /** Streams the client closed before the fake finished them. */
  abandonedStreams = 0;
  private readonly queue: FakeGeminiReply[] = [];
  private responder: FakeGeminiResponder = () => ({ kind: 'text', text: '' });
  private readonly pending = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<FakeGemini> {
    const holder: { fake?: FakeGemini } = {};
    const server = createServer((req, res) => void holder.fake!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    holder.fake = new FakeGemini(server, `http://127.0.0.1:${port}`);
    return holder.fake;
  }

  /** The environment that points the app at this fake. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { GEMINI_API_KEY: 'fake-key-for-tests', GEMINI_BASE_URL: this.baseUrl, ...extra };
  }

  /** Queue replies for the next requests (first in, first out); afterwards the default responder answers. */
  next(...replies: FakeGeminiReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  respondWith(responder: FakeGeminiResponder): this {
    this.responder = responder;
    return this;
  }

  reset(): void {
    this.queue.length = 0;
    this.requests.length = 0;
    this.embeddingRequests.length = 0;
    this.embeddingFailure = null;
    this.responder = () => ({ kind: 'text', text: '' });
  }

  async close(): Promise<void> {
    for (const t of this.pending) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const embedding = /^\/v1beta\/models\/([^/:]+):(embedContent|batchEmbedContents)/.exec(req.url ?? '');
    if (req.method === 'POST' && embedding) {
      this.embed(res, decodeURIComponent(embedding[1]!), embedding[2] === 'batchEmbedContents', chunks);
      return;
    }
    const match = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } }));
      return;
    }
    let body: RecordedGeminiRequest['body'] = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedGeminiRequest['body'];
    } catch {
      // recorded as empty
    }
    const request: RecordedGeminiRequest = {
      model: decodeURIComponent(match[1]!),
      stream: match[2] === 'streamGenerateContent',
      apiKey: (req.headers['x-goog-api-key'] as string | undefined) ?? undefined,
      body,
    };
    this.requests.push(request);
    const reply = this.queue.shift() ?? this.responder(request);
    this.reply(res, request, reply);
  }

  private reply(res: ServerResponse, request: RecordedGeminiRequest, reply: FakeGeminiReply): void {
    const send = () => {
      if (res.destroyed) return;
      if (reply.kind === 'stream') {
        this.stream(res, reply);
        return;
      }
      if (reply.kind === 'text') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            candidates: [
              { content: { role: 'model', parts: [{ text: reply.text }] }, finishReason: 'STOP', index: 0 },
            ],
            usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
            modelVersion: request.model,
          }),
        );
      } else if (reply.kind === 'status') {
        const status = reply.status;
        const name = status === 429 ? 'RESOURCE_EXHAUSTED' : status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: status, message: `fake ${status}`, status: name } }));
      } else {
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
        res.end(reply.body);
      }
    };
    if (reply.delayMs) {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        send();
      }, reply.delayMs);
      this.pending.add(timer);
    } else {
      send();
    }
  }

  /**
   * embedContent (`{content, taskType, outputDimensionality}` → `{embedding: {values}}`) and batchEmbedContents
   * (`{requests: [...]}` → `{embeddings: [{values}]}`), the vectors from fakeEmbedding (768 values unless asked).
   */
  private embed(res: ServerResponse, model: string, batch: boolean, chunks: Buffer[]): void {
    type EmbedEntry = {
      content?: { parts?: { text?: string }[] };
      taskType?: string;
      outputDimensionality?: number;
    };
    let entries: EmbedEntry[] = [];
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as EmbedEntry & {
        requests?: EmbedEntry[];
      };
      entries = batch ? (body.requests ?? []) : [body];
    } catch {
      // recorded as empty
    }
    const texts = entries.map((e) => (e.content?.parts ?? []).map((p) => p.text ?? '').join(''));
    const dimensions = entries[0]?.outputDimensionality;
    this.embeddingRequests.push({
      model,
      batch,
      texts,
      taskTypes: entries.map((e) => e.taskType),
      outputDimensionality: dimensions,
    });
    if (this.embeddingFailure) {
      this.reply(res, { model, stream: false, apiKey: undefined, body: {} }, this.embeddingFailure);
      return;
    }
    const vectors = texts.map((text) => ({ values: fakeEmbedding(text, dimensions ?? 768) }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(batch ? { embeddings: vectors } : { embedding: vectors[0] }));
  }

  /** Writes a streamGenerateContent answer as server-sent events, the way Gemini's REST API does (alt=sse). */
  private stream(res: ServerResponse, reply: Extract<FakeGeminiReply, { kind: 'stream' }>): void {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.on('close', () => {
      if (!res.writableEnded) this.abandonedStreams += 1;
    });
    reply.chunks.forEach((parts, index) => {
      const last = index === reply.chunks.length - 1 && !reply.holdMs;
      const chunk = {
        candidates: [
          { content: { role: 'model', parts }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) },
        ],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 2, totalTokenCount: 12 },
      };
      res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
    });
    if (!reply.holdMs) {
      res.end();
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      if (!res.destroyed) res.end();
    }, reply.holdMs);
    this.pending.add(timer);
  }
}

/** Helpers for the usual scripts. */
/** Which of Mira's Gemini calls a request is, told by the JSON schema it asks for. */
export const geminiRequestKind = (
  r: RecordedGeminiRequest,
): 'actions' | 'summary' | 'memories' | 'command' | 'transcription' => {
  if (r.stream) return 'command';
  const schema = JSON.stringify(r.body.generationConfig?.responseJsonSchema ?? '');
  if (schema.includes('call_to_action')) return 'actions';
  if (schema.includes('canonical_text')) return 'memories';
  if (schema.includes('topic_summary')) return 'summary';
  return 'transcription';
};

export const geminiStream = (
  chunks: FakeStreamPart[][],
  options: { holdMs?: number; delayMs?: number } = {},
) => ({ kind: 'stream', chunks, ...options }) as FakeGeminiReply;
export const geminiText = (text: string, delayMs?: number): FakeGeminiReply => ({
  kind: 'text',
  text,
  delayMs,
});
export const geminiJson = (value: unknown): FakeGeminiReply => ({
  kind: 'text',
  text: JSON.stringify(value),
});
export const geminiStatus = (status: number): FakeGeminiReply => ({ kind: 'status', status });
export const geminiMalformedBody = (): FakeGeminiReply => ({
  kind: 'raw',
  body: '{"candidates": [{"content": ',
});
