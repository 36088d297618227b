import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { UserEntity } from './user.entity.js';

/** The only place that touches the users and refresh_tokens tables. */
@Injectable()
export class IdentityRepository {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(RefreshTokenEntity) private readonly refreshTokens: Repository<RefreshTokenEntity>,
  ) {}

  findUserByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { email } });
  }

  findUserById(id: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { id } });
  }

  /** Inserts unless the e-mail is taken; returns null when it is. */
  async insertUser(email: string, passwordHash: string): Promise<UserEntity | null> {
    const rows = await this.users.query(
      `INSERT INTO users (email, password_hash) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id`,
      [email, passwordHash],
    );
    const id = (rows as { id: string }[])[0]?.id;
    return id ? this.findUserById(id) : null;
  }

  async insertRefreshToken(row: Pick<RefreshTokenEntity, 'userId' | 'familyId' | 'tokenHash' | 'expiresAt'>) {
    await this.refreshTokens.insert(row);
  }

  /** Atomically marks a live token used; returns it, or null if it was unknown or already used. */
  async consumeRefreshToken(tokenHash: string): Promise<RefreshTokenEntity | null> {
    const [rows] = (await this.refreshTokens.query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL
       RETURNING id, user_id AS "userId", family_id AS "familyId", expires_at AS "expiresAt"`,
      [tokenHash],
    )) as [RefreshTokenEntity[], number];
    return rows[0] ?? null;
  }

  findRefreshToken(tokenHash: string): Promise<RefreshTokenEntity | null> {
    return this.refreshTokens.findOne({ where: { tokenHash } });
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.refreshTokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
