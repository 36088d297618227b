import { createHash, createSecretKey, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { AppConfig } from '../config/app-config.js';
import { LruCache } from '../util/lru-cache.js';
import { isUuid } from './uuid.js';

export const CLIENT_TOKEN_PREFIX = 'mira_ct_';
export const REFRESH_TOKEN_PREFIX = 'mira_rt_';
/** Verified access tokens kept (by their text) so that a token's signature is checked once, not on every request. */
const VERIFIED_TOKENS_KEPT = 1000;

export interface AccessClaims {
  sub: string;
  typ: 'access';
  jti: string;
  /** The sign-in session (refresh-token family) the token was issued for: it dies with the session. */
  sid: string;
}

export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; reason: 'expired' | 'invalid' };

/** What a realtime session_token asserts: this socket session belongs to this device of this network. */
export interface SessionClaims {
  networkId: string;
  clientId: string;
  sessionId: string;
}

export type SessionVerifyResult =
  { ok: true; claims: SessionClaims } | { ok: false; reason: 'expired' | 'invalid' };

/** Signs and verifies short-lived user access tokens; mints opaque secrets that are stored only as hashes. */
@Injectable()
export class TokenService {
  /** Built once: passing the raw secret makes jsonwebtoken rebuild a key object on every request. */
  private readonly key: KeyObject;
  private readonly verified = new LruCache<string, { claims: AccessClaims; expiresAtMs: number }>(
    VERIFIED_TOKENS_KEPT,
  );

  constructor(private readonly config: AppConfig) {
    this.key = createSecretKey(Buffer.from(config.values.jwt.secret, 'utf8'));
  }

  signAccessToken(userId: string, sessionId: string): { token: string; expiresIn: number } {
    const expiresIn = this.config.values.jwt.accessTtlSeconds;
    const token = jwt.sign({ typ: 'access', sid: sessionId }, this.key, {
      algorithm: 'HS256',
      subject: userId,
      expiresIn,
      jwtid: randomUUID(),
      issuer: 'mira',
    });
    return { token, expiresIn };
  }

  /**
   * A signed, unexpired access token of ours with every claim we issue: an expiry (a token without one would never
   * expire), a user id and a session id that are UUIDs (anything else is not a token we signed, and must not reach
   * a query as a malformed id). Anything less is `invalid` (401). A token verified before is only checked for
   * expiry again: its signature and claims cannot have changed (the session it belongs to is checked per request).
   */
  verifyAccessToken(token: string): VerifyResult {
    const known = this.verified.get(token);
    if (known !== undefined) {
      if (Date.now() < known.expiresAtMs) return { ok: true, claims: known.claims };
      this.verified.delete(token);
      return { ok: false, reason: 'expired' };
    }
    try {
      const claims = jwt.verify(token, this.key, {
        algorithms: ['HS256'],
        issuer: 'mira',
      }) as jwt.JwtPayload;
      const complete =
        claims.typ === 'access' &&
        typeof claims.exp === 'number' &&
        isUuid(claims.sub) &&
        isUuid(claims['sid']);
      if (!complete) return { ok: false, reason: 'invalid' };
      const sub = (claims.sub as string).toLowerCase();
      const sid = (claims['sid'] as string).toLowerCase();
      const verified = Object.freeze({ sub, sid, typ: 'access' as const, jti: String(claims.jti) });
      // jsonwebtoken's rule: expired from the second `exp` names on
      this.verified.set(token, { claims: verified, expiresAtMs: (claims.exp as number) * 1000 });
      return { ok: true, claims: verified };
    } catch (err) {
      return { ok: false, reason: err instanceof jwt.TokenExpiredError ? 'expired' : 'invalid' };
    }
  }

  /**
   * The session_token of a realtime socket (sent in session_ready, sent back by the apps with their uploads).
   * It is no credential (uploads still need a bearer token): it ties an upload to the socket session and device
   * it came from. Signed like access tokens, with its own `typ` so neither can stand in for the other.
   */
  signSessionToken(claims: SessionClaims, ttlSeconds: number): string {
    return jwt.sign({ typ: 'session', nid: claims.networkId, cid: claims.clientId }, this.key, {
      algorithm: 'HS256',
      expiresIn: ttlSeconds,
      jwtid: claims.sessionId,
      issuer: 'mira',
    });
  }

  verifySessionToken(token: string): SessionVerifyResult {
    try {
      const claims = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: 'mira' }) as jwt.JwtPayload;
      if (
        claims.typ !== 'session' ||
        typeof claims.nid !== 'string' ||
        typeof claims.cid !== 'string' ||
        typeof claims.jti !== 'string'
      ) {
        return { ok: false, reason: 'invalid' };
      }
      return { ok: true, claims: { networkId: claims.nid, clientId: claims.cid, sessionId: claims.jti } };
    } catch (err) {
      return { ok: false, reason: err instanceof jwt.TokenExpiredError ? 'expired' : 'invalid' };
    }
  }

  /** A random opaque secret (client or refresh token) and the hash that is stored instead of it. */
  mintOpaqueToken(prefix: string): { token: string; hash: string } {
    const token = `${prefix}${randomBytes(32).toString('base64url')}`;
    return { token, hash: TokenService.hashOpaqueToken(token) };
  }

  static hashOpaqueToken(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
}
