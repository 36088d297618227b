import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppConfig, AppLogger, RealtimeBus, type RealtimeNotice } from '@mira/core';
import { RealtimeEventLoader } from './realtime-event-loader.js';
import { eventMessage, RealtimeCloseCode, serviceStatusMessage } from './realtime-protocol.js';
import { RealtimeRegistry } from './realtime-registry.js';

type RowNotice = Exclude<RealtimeNotice, { event: 'service_status' | 'device_revoked' | 'network_closed' }>;

/** Rows read at once per instance (each notice costs one read, however many sockets it reaches). */
const CONCURRENT_LOADS = 4;
/** Notices waiting for a read at most; beyond it new ones are dropped (and counted in the log). */
const MAX_PENDING = 10_000;

/**
 * From notices to sockets on this instance: a notice for a network with no socket here costs nothing; otherwise
 * the row is read once (a few reads at a time, a notice already waiting for the same row is not queued twice) and
 * sent to every socket of that network, and of no other.
 */
@Injectable()
export class RealtimeDispatcher implements OnModuleInit, OnModuleDestroy {
  private readonly pending = new Map<string, RowNotice>();
  private running = 0;
  private dropped = 0;
  private unsubscribe?: () => void;

  constructor(
    private readonly bus: RealtimeBus,
    private readonly registry: RealtimeRegistry,
    private readonly loader: RealtimeEventLoader,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe((notice) => this.hear(notice));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  hear(notice: RealtimeNotice): void {
    if (!this.registry.hasSockets(notice.networkId)) return;
    if (notice.event === 'device_revoked') {
      this.registry.closeDevice(notice.networkId, notice.ref.id);
      return;
    }
    if (notice.event === 'network_closed') {
      this.registry.closeNetwork(notice.networkId, RealtimeCloseCode.unauthenticated, 'account deleted');
      return;
    }
    if (notice.event === 'service_status') {
      const message = serviceStatusMessage(notice.ref.enabled);
      const timer = setTimeout(
        () => this.registry.broadcast(notice.networkId, message),
        this.config.values.realtime.statusDelayMs,
      );
      timer.unref();
      return;
    }
    const key = `${notice.networkId}:${notice.event}:${notice.ref.id}`;
    if (this.pending.has(key)) return;
    if (this.pending.size >= MAX_PENDING) {
      if (this.dropped++ % 1000 === 0) {
        this.logger.warn('realtime_notices_dropped', { dropped: this.dropped, pending: this.pending.size });
      }
      return;
    }
    this.pending.set(key, notice);
    this.pump();
  }

  private pump(): void {
    while (this.running < CONCURRENT_LOADS && this.pending.size > 0) {
      const [key, notice] = this.pending.entries().next().value as [string, RowNotice];
      this.pending.delete(key);
      this.running += 1;
      void this.dispatch(notice).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async dispatch(notice: RowNotice): Promise<void> {
    try {
      const data = await this.loader.load(notice);
      if (data) this.registry.broadcast(notice.networkId, eventMessage(notice.event, data));
    } catch (err) {
      this.logger.warn('realtime_event_failed', {
        network_id: notice.networkId,
        event: notice.event,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
