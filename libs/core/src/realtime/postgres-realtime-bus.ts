import { OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { AppLogger } from '../logging/app-logger.js';
import {
  decodeNotice,
  encodeNotice,
  NOTIFY_PAYLOAD_LIMIT_BYTES,
  type RealtimeEventName,
  type RealtimeEventRefs,
  type RealtimeNotice,
} from './realtime-events.js';
import { RealtimeBus } from './realtime-publisher.js';

export const REALTIME_CHANNEL = 'mira_realtime';
/** The LISTEN connection's application_name (pg_stat_activity tells it apart from the pool). */
export const REALTIME_LISTENER_NAME = 'mira-realtime-listener';
const RECONNECT_MAX_MS = 30_000;
/** A LISTEN connection that died without an error (a half-open TCP after a failover) is found by this probe. */
const PROBE_INTERVAL_MS = 30_000;
/** At most this many notices in one pg_notify statement (each up to NOTIFY_PAYLOAD_LIMIT_BYTES). */
const NOTICES_PER_STATEMENT = 100;

/**
 * Notices through PostgreSQL NOTIFY, so that every instance on the database hears every notice.
 * Publishing goes through the application's pool; hearing needs one dedicated connection per instance (a pooled
 * connection cannot keep a LISTEN), opened at the first subscriber and reopened with backoff when it is lost.
 * Notices sent while this instance's LISTEN connection is down are not heard by it (the database is unreachable
 * then, so nothing else works either).
 */
export class PostgresRealtimeBus extends RealtimeBus implements OnApplicationShutdown {
  private client?: pg.Client;
  private starting = false;
  private closed = false;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private probeTimer?: NodeJS.Timeout;
  private readonly unsent: { payload: string; networkId: string; event: string; sent: () => void }[] = [];
  private sending = false;
  /** Further channels heard on the same connection (their payloads are not realtime notices). */
  private readonly channels = new Map<string, (payload: string) => void>();
  private connections = 0;
  /** The channels the open LISTEN connection has run LISTEN on. */
  private readonly heard = new Set<string>();

  constructor(
    private readonly databaseUrl: string,
    private readonly dataSource: DataSource,
    logger: AppLogger,
  ) {
    super(logger);
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  /**
   * Whether `channel` is heard right now (a LISTEN connection is open and has run LISTEN on it). A notice sent while
   * it was not was not heard by this instance: whoever keeps state derived from notices also watches `connection`.
   */
  hears(channel: string): boolean {
    return this.client !== undefined && this.heard.has(channel);
  }

  /** Changes each time a channel starts being heard again (a new LISTEN connection, or a LISTEN added to one). */
  get connection(): number {
    return this.connections;
  }

  /**
   * Hears `channel` on this instance's LISTEN connection too (opening it if no one listens yet); `handler` gets
   * each payload. `channel` must be a plain lower-case identifier (it is written into LISTEN).
   */
  listenChannel(channel: string, handler: (payload: string) => void): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
    this.channels.set(channel, handler);
    const client = this.client;
    if (!client) return this.onSubscribe();
    client.query(`LISTEN ${channel}`).then(
      () => {
        if (this.client !== client) return;
        this.heard.add(channel);
        this.connections += 1;
      },
      (err: unknown) => this.lost(client, err),
    );
  }

  async publish<E extends RealtimeEventName>(
    networkId: string,
    event: E,
    ref: RealtimeEventRefs[E],
  ): Promise<void> {
    const payload = encodeNotice({ networkId, event, ref } as RealtimeNotice);
    if (Buffer.byteLength(payload) > NOTIFY_PAYLOAD_LIMIT_BYTES) {
      this.logger.error('realtime_notice_too_large', { network_id: networkId, event, bytes: payload.length });
      return;
    }
    return new Promise<void>((sent) => {
      this.unsent.push({ payload, networkId, event, sent });
      if (!this.sending) void this.sendUnsent();
    });
  }

  /**
   * One pg_notify statement at a time: notices published while it runs wait and leave together in the next one, so
   * a busy instance spends one round trip on many notices (in the order published) instead of one each.
   */
  private async sendUnsent(): Promise<void> {
    this.sending = true;
    while (this.unsent.length > 0) {
      const batch = this.unsent.splice(0, NOTICES_PER_STATEMENT);
      try {
        await this.dataSource.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [
          REALTIME_CHANNEL,
          batch.map((notice) => notice.payload),
        ]);
      } catch (err) {
        for (const { networkId, event } of batch) {
          this.logger.warn('realtime_publish_failed', {
            network_id: networkId,
            event,
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }
      for (const notice of batch) notice.sent();
    }
    this.sending = false;
  }

  protected override onSubscribe(): void {
    if (!this.client && !this.starting && !this.reconnectTimer) void this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.probeTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.starting = true;
    this.reconnectTimer = undefined;
    let listened: string[] = [];
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      application_name: REALTIME_LISTENER_NAME,
    });
    client.on('notification', (message) => {
      const other = this.channels.get(message.channel);
      if (other) return other(message.payload ?? '');
      const notice = message.channel === REALTIME_CHANNEL && decodeNotice(message.payload ?? '');
      if (notice) this.deliver(notice);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${REALTIME_CHANNEL}`);
      listened = [...this.channels.keys()];
      for (const channel of listened) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      this.starting = false;
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.scheduleReconnect(err);
      return;
    }
    this.starting = false;
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.heard.clear();
    for (const channel of listened) this.heard.add(channel);
    this.connections += 1;
    // a channel added while this connection was being opened
    for (const [channel, handler] of this.channels)
      if (!this.heard.has(channel)) this.listenChannel(channel, handler);
    if (this.attempt > 0) this.logger.info('realtime_listener_restored', { attempts: this.attempt });
    this.attempt = 0;
    clearInterval(this.probeTimer);
    this.probeTimer = setInterval(() => {
      client.query('SELECT 1').catch((err: unknown) => this.lost(client, err));
    }, PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  private lost(client: pg.Client, err?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.heard.clear();
    clearInterval(this.probeTimer);
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (!this.closed) this.scheduleReconnect(err);
  }

  private scheduleReconnect(err: unknown): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = Math.min(RECONNECT_MAX_MS, 500 * 2 ** this.attempt);
    this.attempt += 1;
    this.logger.warn('realtime_listener_down', {
      attempt: this.attempt,
      retry_in_ms: delay,
      error: err instanceof Error ? err.message : err === undefined ? 'connection ended' : String(err),
    });
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }
}
