import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request facts every log line carries. Ids and counts only, never content. */
export interface RequestContext {
  requestId: string;
  networkId?: string;
  principal?: string;
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
