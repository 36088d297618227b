import type { AppLogger } from '../logging/app-logger.js';
import type { RealtimeEventName, RealtimeEventRefs, RealtimeNotice } from './realtime-events.js';

/**
 * The one port services use to tell connected apps that something changed. Call it after the transaction that
 * made the change has committed (a notice about a rolled-back row would make every instance load nothing, or an
 * older row). It never throws: a notice that cannot be sent is logged, and the change itself stands.
 */
export abstract class RealtimePublisher {
  abstract publish<E extends RealtimeEventName>(
    networkId: string,
    event: E,
    ref: RealtimeEventRefs[E],
  ): Promise<void>;
}

export type RealtimeListener = (notice: RealtimeNotice) => void;

/** The publisher as seen by the realtime gateway: every instance hears every notice (its own included). */
export abstract class RealtimeBus extends RealtimePublisher {
  private readonly listeners = new Set<RealtimeListener>();

  constructor(protected readonly logger: AppLogger) {
    super();
  }

  /** Starts hearing notices; the returned function stops. */
  subscribe(listener: RealtimeListener): () => void {
    this.listeners.add(listener);
    this.onSubscribe();
    return () => this.listeners.delete(listener);
  }

  /** Called on every subscription (a transport opens what it needs to hear). */
  protected onSubscribe(): void {}

  protected deliver(notice: RealtimeNotice): void {
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch (err) {
        this.logger.error('realtime_listener_failed', {
          event: notice.event,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }
}
