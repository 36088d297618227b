import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake answers to one generateContent request. */
export type FakeGeminiReply =
  | { kind: 'text'; text: string; delayMs?: number }
  | { kind: 'status'; status: number; delayMs?: number }
  | { kind: 'raw'; body: string; status?: number; delayMs?: number };

export interface RecordedGeminiRequest {
  model: string;
  apiKey: string | undefined;
  body: {
    contents?: {
      role?: string;
      parts?: { text?: string; inlineData?: { mimeType: string; data: string } }[];
    }[];
    systemInstruction?: unknown;
    generationConfig?: Record<string, unknown>;
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
    const match = /^\/v1beta\/models\/([^/:]+):generateContent/.exec(req.url ?? '');
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
      apiKey: (req.headers['x-goog-api-key'] as string | undefined) ?? undefined,
      body,
    };
    this.requests.push(request);
    const reply = this.queue.shift() ?? this.responder(request);
    const send = () => {
      if (res.destroyed) return;
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
}

/** Helpers for the usual scripts. */
/** Which of Mira's Gemini calls a request is, told by the JSON schema it asks for. */
export const geminiRequestKind = (r: RecordedGeminiRequest): 'actions' | 'summary' | 'transcription' => {
  const schema = JSON.stringify(r.body.generationConfig?.responseJsonSchema ?? '');
  if (schema.includes('call_to_action')) return 'actions';
  if (schema.includes('topic_summary')) return 'summary';
  return 'transcription';
};

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
