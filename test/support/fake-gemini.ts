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

/**
 * A local HTTP server on loopback that speaks Gemini's REST API (`POST /v1beta/models/{model}:generateContent`),
 * so the real `@google/genai` SDK and our real client code run against it through GEMINI_BASE_URL.
 * Scriptable per test: queue replies with `next(...)`, or set a default responder.
 */
export class FakeGemini {
  readonly requests: RecordedGeminiRequest[] = [];
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
