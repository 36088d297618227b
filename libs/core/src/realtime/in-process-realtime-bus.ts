import type { RealtimeEventName, RealtimeEventRefs, RealtimeNotice } from './realtime-events.js';
import { RealtimeBus } from './realtime-publisher.js';

/**
 * Notices within one process, for the embedded PGlite database (one process owns it, so there is no other
 * instance to tell). Listeners run on a later turn of the event loop, as they would after a NOTIFY.
 */
export class InProcessRealtimeBus extends RealtimeBus {
  publish<E extends RealtimeEventName>(
    networkId: string,
    event: E,
    ref: RealtimeEventRefs[E],
  ): Promise<void> {
    const notice = { networkId, event, ref } as RealtimeNotice;
    setImmediate(() => this.deliver(notice));
    return Promise.resolve();
  }
}
