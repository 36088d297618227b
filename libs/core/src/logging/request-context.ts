import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request facts every log line carries. Ids and counts only, never content. */
export interface RequestContext {
  requestId: string;
  networkId?: string;
  principal?: string;
  /**
   * When the request reached the server (epoch ms, its first middleware): an upload's receive time before it waited
   * for its body, its authentication or a busy event loop.
   */
  arrivedAtMs?: number;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** When the current HTTP request reached the server (now, outside a request: the caller is receiving it as it runs). */
export function requestArrivedAt(): Date {
  const at = storage.getStore()?.arrivedAtMs;
  return at === undefined ? new Date() : new Date(at);
}
