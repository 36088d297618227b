import type { IncomingMessage } from 'node:http';
import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  AppConfig,
  AppError,
  AppLogger,
  closeSocket,
  isUuid,
  NetworkAccessPort,
  RateLimiter,
  RealtimeBus,
  type RealtimeNotice,
  resolveBearer,
  ShutdownCoordinator,
  TokenService,
} from '@mira/core';
import { LiveOpusDecoder } from '@mira/audio';
import { NetworkService } from '@mira/network';
import { WebSocket } from 'ws';
import { assertStreamId } from './chunk-input.js';
import { ChunkIngestionService } from './chunk-ingestion.service.js';
import {
  closeCodeOf,
  closeReason,
  DEFAULT_CHUNK_SECONDS,
  LIVE_AUDIO_FORMATS,
  LiveAudioCloseCode,
  MAX_FRAME_BYTES,
  PENDING_CHUNKS,
  readyMessage,
} from './live-audio-protocol.js';
import { type LiveAudioIdentity, LiveAudioSession } from './live-audio-session.js';
import { StreamErrors } from './stream.errors.js';
import { StreamRepository } from './stream.repository.js';

/** `/api/v{1,2}/{network_id}/streams/{stream_id}/ws`, its two ids captured. */
const LIVE_AUDIO_PATH = /^\/api\/v[12]\/([^/]+)\/streams\/([^/]+)\/ws$/;
/** Heartbeats in a row a socket may leave unanswered (no pong frame, no message) before it is cut as dead. */
const MAX_MISSED_BEATS = 2;

/**
 * The live audio sockets of this instance: authenticated when they open (a device token in the `token` query or the
 * Authorization header; the path's network must be the device's, as on the upload route; a refusal counts against
 * the client address, which the upgrade answers 429 once its budget is spent), then fed to a
 * LiveAudioSession each. Closed when their device is revoked, their network deleted or its service disabled (the
 * realtime bus: every instance hears it), cut when dead, and closed with 1012 after their commits on shutdown.
 */
@Injectable()
export class LiveAudioSockets implements OnApplicationBootstrap, OnApplicationShutdown {
  /** By network and stream id: one socket per stream on an instance. */
  private readonly sessions = new Map<string, LiveAudioSession>();
  private heartbeatTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;

  constructor(
    private readonly tokens: TokenService,
    private readonly access: NetworkAccessPort,
    private readonly networks: NetworkService,
    private readonly streams: StreamRepository,
    private readonly ingestion: ChunkIngestionService,
    private readonly bus: RealtimeBus,
    private readonly shutdown: ShutdownCoordinator,
    private readonly limiter: RateLimiter,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** The open sessions (tests watch a paused one). */
  list(): LiveAudioSession[] {
    return [...this.sessions.values()];
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((notice) => this.hear(notice));
    this.heartbeatTimer = setInterval(() => this.beat(), this.config.values.realtime.heartbeatSeconds * 1000);
    this.heartbeatTimer.unref();
    this.shutdown.onDrain('live-audio', (signal) => this.closeAll(signal));
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeatTimer);
    this.unsubscribe?.();
  }

  async open(ws: WebSocket, request: IncomingMessage): Promise<void> {
    if (this.shutdown.isDraining) {
      return closeSocket(ws, LiveAudioCloseCode.serviceRestart, 'server restarting');
    }
    // A socket error always ends in 'close', which is handled; without a listener it would be thrown.
    ws.on('error', () => undefined);
    // Frames that arrive while the socket is authenticated wait in the socket, unread.
    ws.pause();
    let identity: LiveAudioIdentity;
    let committedSeq: number | null;
    let opus: LiveOpusDecoder;
    try {
      identity = await this.authenticate(request);
      await this.replacePrevious(identity);
      const stream = await this.streams.find(identity.networkId, identity.streamId);
      if (stream && stream.clientId !== identity.principal.clientId) {
        throw StreamErrors.streamOwnedByAnotherClient(identity.streamId);
      }
      if (!(await this.networks.isServiceEnabled(identity.networkId))) throw StreamErrors.serviceDisabled();
      committedSeq = stream?.lastSeq ?? null;
      // unconfigured, it holds no libopus memory until a hello asks for Opus; the session frees it
      opus = await LiveOpusDecoder.create();
    } catch (err) {
      ws.resume(); // reads the client's answer to the close
      if (err instanceof AppError) {
        this.logger.info('live_audio_refused', { error_code: err.code, status: err.status });
        // the caller's refusals (not a disabled service) count against its address, before the close
        if (err.status < 500) await this.limiter.countRefusedUpgrade(request);
        return closeSocket(ws, closeCodeOf(err), closeReason(`${err.code}: ${err.detail}`));
      }
      this.logger.error('live_audio_open_failed', {
        error: err instanceof Error ? err.message : String(err),
      });
      return closeSocket(ws, LiveAudioCloseCode.internalError, 'try again later');
    }
    if (ws.readyState !== WebSocket.OPEN) return opus.free(); // the client left while it was authenticated

    const session = new LiveAudioSession(ws, identity, committedSeq, this.ingestion, opus, this.logger);
    const key = streamKey(identity);
    const openedAt = Date.now();
    this.sessions.set(key, session);
    ws.on('close', (code) => {
      // Audio cut but not yet committed is dropped (never acknowledged: the client resends it); the chunk being
      // committed finishes, and the next socket of the stream waits for it before it says where to resume.
      session.stop();
      void session.drain().finally(() => {
        if (this.sessions.get(key) === session) this.sessions.delete(key);
      });
      this.logger.info('live_audio_closed', {
        network_id: identity.networkId,
        client_id: identity.principal.clientId,
        code,
        duration_ms: Date.now() - openedAt,
        ...session.stats,
      });
    });
    ws.on('pong', () => (session.alive = true));
    ws.on('message', (data, isBinary) => {
      session.alive = true;
      session.receive(toBuffer(data), isBinary);
    });
    ws.send(
      readyMessage({
        stream_id: identity.streamId,
        client_id: identity.principal.clientId,
        committed_seq: committedSeq,
        max_frame_bytes: MAX_FRAME_BYTES,
        formats: LIVE_AUDIO_FORMATS,
        default_chunk_seconds: DEFAULT_CHUNK_SECONDS,
        pending_chunks: PENDING_CHUNKS,
      }),
    );
    ws.resume();
    this.logger.info('live_audio_connected', {
      network_id: identity.networkId,
      client_id: identity.principal.clientId,
      committed_seq: committedSeq,
      sockets: this.sessions.size,
    });
  }

  /** The upload route's rules: a device token of the path's network (another network's path answers "not found"). */
  private async authenticate(request: IncomingMessage): Promise<LiveAudioIdentity> {
    const url = new URL(request.url ?? '/', 'http://socket');
    const path = LIVE_AUDIO_PATH.exec(url.pathname);
    const networkId = decodeURIComponent(path?.[1] ?? '').toLowerCase();
    const header = request.headers.authorization;
    const token =
      url.searchParams.get('token') ?? (header?.startsWith('Bearer ') ? header.slice(7).trim() : null);
    if (!token) throw new AppError('UNAUTHENTICATED', 'missing token', 401);
    const bearer = await resolveBearer(token, this.tokens, this.access);
    if (!bearer.ok) throw new AppError('UNAUTHENTICATED', bearer.detail, 401);
    if (bearer.principal.kind !== 'client') throw StreamErrors.clientTokenRequired();
    if (!isUuid(networkId) || networkId !== bearer.principal.networkId) {
      throw new AppError('NETWORK_NOT_FOUND', 'Network not found', 404);
    }
    const streamId = assertStreamId(decodeURIComponent(path?.[2] ?? ''));
    return { networkId, streamId, principal: bearer.principal };
  }

  /**
   * One socket per stream on this instance: a newer one (a client reconnecting before its old socket timed out)
   * closes the older and waits for the chunk it is committing, so `ready` says exactly where to resume.
   */
  private async replacePrevious(identity: LiveAudioIdentity): Promise<void> {
    const previous = this.sessions.get(streamKey(identity));
    if (!previous) return;
    previous.close(4409, 'LIVE_STREAM_REPLACED: a newer connection feeds this stream');
    await previous.drain();
  }

  private hear(notice: RealtimeNotice): void {
    for (const session of this.sessions.values()) {
      if (session.identity.networkId !== notice.networkId) continue;
      if (notice.event === 'device_revoked' && session.identity.principal.clientRowId === notice.ref.id) {
        session.close(4401, 'device revoked');
      } else if (notice.event === 'network_closed') {
        session.close(4401, 'account deleted');
      } else if (notice.event === 'service_status' && !notice.ref.enabled) {
        session.close(4503, 'SERVICE_DISABLED: the service is disabled in this network');
      }
    }
  }

  /** Cuts the sockets that answered nothing since the last beats, pings the others. */
  private beat(): void {
    for (const [key, session] of this.sessions) {
      if (session.alive) {
        session.missedBeats = 0;
      } else if (++session.missedBeats >= MAX_MISSED_BEATS) {
        this.sessions.delete(key);
        session.ws.terminate();
        continue;
      }
      session.alive = false;
      // a paused socket reads no pong: it is waiting for the database, not dead
      if (session.isPaused) session.alive = true;
      else if (session.ws.readyState === WebSocket.OPEN) session.ws.ping();
    }
  }

  /** Lets every socket's cut chunks commit (their acks go out), then closes it with 1012. */
  private async closeAll(signal: AbortSignal): Promise<void> {
    const all = [...this.sessions.values()];
    const cut = () => all.forEach((session) => session.ws.terminate());
    signal.addEventListener('abort', cut, { once: true });
    await Promise.all(
      all.map(async (session) => {
        await session.drain();
        const closed = new Promise<void>((resolve) => {
          if (session.ws.readyState === WebSocket.CLOSED) return resolve();
          session.ws.once('close', () => resolve());
        });
        session.close(LiveAudioCloseCode.serviceRestart, 'server restarting');
        await closed;
      }),
    );
    signal.removeEventListener('abort', cut);
  }
}

function streamKey(identity: LiveAudioIdentity): string {
  return `${identity.networkId}/${identity.streamId}`;
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
