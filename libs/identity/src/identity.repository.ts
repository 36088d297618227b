import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { forgetRateLimitCallers, Tx } from '@mira/core';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { UserEntity } from './user.entity.js';

/** The only place that touches the users and refresh_tokens tables. */
@Injectable()
export class IdentityRepository {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(RefreshTokenEntity) private readonly refreshTokens: Repository<RefreshTokenEntity>,
  ) {}

  findUserByEmail(email: string, tx?: Tx): Promise<UserEntity | null> {
    return Tx.manager(tx, this.users.manager).findOne(UserEntity, { where: { email } });
  }

  findUserById(id: string, tx?: Tx): Promise<UserEntity | null> {
    return Tx.manager(tx, this.users.manager).findOne(UserEntity, { where: { id } });
  }

  /** Inserts unless the e-mail is taken; returns null when it is. A null hash makes a provider-only account. */
  async insertUser(email: string, passwordHash: string | null, tx?: Tx): Promise<UserEntity | null> {
    const rows = await Tx.manager(tx, this.users.manager).query(
      `INSERT INTO users (email, password_hash) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id`,
      [email, passwordHash],
    );
    const id = (rows as { id: string }[])[0]?.id;
    return id ? this.findUserById(id, tx) : null;
  }

  /** Locks the user row for the rest of the transaction; false when there is none. */
  async lockUser(userId: string, tx: Tx): Promise<boolean> {
    const rows = (await Tx.manager(tx).query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [
      userId,
    ])) as unknown[];
    return rows.length > 0;
  }

  /**
   * Deletes the user; its refresh tokens, provider identities and sign-in grants go with it (foreign keys), and so
   * do the shared rate-limit counters its key names. Answers how many refresh tokens (sessions and their rotations)
   * it had.
   */
  async deleteUser(userId: string, tx: Tx): Promise<number> {
    const manager = Tx.manager(tx);
    await forgetRateLimitCallers(manager, [`user:${userId}`]);
    const rows = (await manager.query(`SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1`, [
      userId,
    ])) as { n: number }[];
    await manager.query(`DELETE FROM users WHERE id = $1`, [userId]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Serialises, until the transaction ends, everything that creates or links an account for this e-mail. */
  async lockEmail(email: string, tx: Tx): Promise<void> {
    await Tx.manager(tx).query(`SELECT pg_advisory_xact_lock(hashtext('account-email:' || $1::text))`, [
      email,
    ]);
  }

  /** The account can no longer be signed in to with a password, and every session open on it ends. */
  async dropPasswordAndSessions(userId: string, tx: Tx): Promise<void> {
    const manager = Tx.manager(tx);
    await manager.query(`UPDATE users SET password_hash = NULL, updated_at = now() WHERE id = $1`, [userId]);
    await manager.query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
  }

  async insertRefreshToken(
    row: Pick<RefreshTokenEntity, 'userId' | 'familyId' | 'tokenHash' | 'expiresAt'>,
    tx?: Tx,
  ) {
    await Tx.manager(tx, this.refreshTokens.manager).insert(RefreshTokenEntity, row);
  }

  /** Atomically marks a live token used; returns it, or null if it was unknown or already used. */
  async consumeRefreshToken(tokenHash: string, tx?: Tx): Promise<RefreshTokenEntity | null> {
    const [rows] = (await Tx.manager(tx, this.refreshTokens.manager).query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL
       RETURNING id, user_id AS "userId", family_id AS "familyId", expires_at AS "expiresAt"`,
      [tokenHash],
    )) as [RefreshTokenEntity[], number];
    return rows[0] ?? null;
  }

  findRefreshToken(tokenHash: string): Promise<RefreshTokenEntity | null> {
    return this.refreshTokens.findOne({ where: { tokenHash } });
  }

  /**
   * One indexed lookup (refresh_tokens by family): the user is active and the family still has a live token. A
   * rotation replaces the family's live token inside one transaction, so a session is never seen without one.
   */
  async sessionIsLive(userId: string, familyId: string): Promise<boolean> {
    const rows = (await this.refreshTokens.query(
      `SELECT 1 FROM refresh_tokens r JOIN users u ON u.id = r.user_id
       WHERE r.family_id = $2 AND r.user_id = $1 AND r.revoked_at IS NULL AND r.expires_at > now() AND u.is_active
       LIMIT 1`,
      [userId, familyId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** sessionIsLive for many sessions in one query: the family ids among them that are still live. */
  async liveSessions(sessions: readonly { userId: string; sessionId: string }[]): Promise<string[]> {
    const rows = (await this.refreshTokens.query(
      `SELECT DISTINCT r.family_id AS "familyId"
       FROM unnest($1::uuid[], $2::uuid[]) AS s(user_id, family_id)
       JOIN refresh_tokens r ON r.family_id = s.family_id AND r.user_id = s.user_id
       JOIN users u ON u.id = r.user_id
       WHERE r.revoked_at IS NULL AND r.expires_at > now() AND u.is_active`,
      [sessions.map((s) => s.userId), sessions.map((s) => s.sessionId)],
    )) as { familyId: string }[];
    return rows.map((row) => row.familyId);
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.refreshTokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
