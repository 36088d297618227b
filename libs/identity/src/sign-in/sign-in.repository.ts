import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Tx } from '@mira/core';
import type { SignInFlow, SignInFlowKind, SignInProvider } from './sign-in.types.js';

interface FlowRow {
  provider: SignInProvider;
  kind: SignInFlowKind;
  redirect_uri: string;
  code_verifier: string;
  nonce: string | null;
  redirect_port: number | null;
  spa_origin: string | null;
  next_path: string | null;
}

/** The only SQL of sign-in: started flows, one-time grants and provider identities. */
@Injectable()
export class SignInRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores a started flow under its state's hash; drops flows and grants that expired meanwhile. */
  async insertFlow(stateHash: string, flow: SignInFlow, expiresAt: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM sign_in_flows WHERE expires_at < now()`);
    await this.dataSource.query(`DELETE FROM sign_in_grants WHERE expires_at < now()`);
    await this.dataSource.query(
      `INSERT INTO sign_in_flows
         (state_hash, provider, kind, redirect_uri, code_verifier, nonce, redirect_port, spa_origin, next_path, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        stateHash,
        flow.provider,
        flow.kind,
        flow.redirectUri,
        flow.codeVerifier,
        flow.nonce,
        flow.redirectPort,
        flow.spaOrigin,
        flow.nextPath,
        expiresAt,
      ],
    );
  }

  /**
   * Takes a live flow of this provider and kind: it is deleted in the same statement, so a state works once (two
   * requests racing with it: one gets the flow, the other null).
   */
  async consumeFlow(
    stateHash: string,
    provider: SignInProvider,
    kind: SignInFlowKind,
  ): Promise<SignInFlow | null> {
    const [rows] = (await this.dataSource.query(
      `DELETE FROM sign_in_flows WHERE state_hash = $1 AND provider = $2 AND kind = $3 AND expires_at > now()
       RETURNING provider, kind, redirect_uri, code_verifier, nonce, redirect_port, spa_origin, next_path`,
      [stateHash, provider, kind],
    )) as [FlowRow[], number];
    const row = rows[0];
    if (!row) return null;
    return {
      provider: row.provider,
      kind: row.kind,
      redirectUri: row.redirect_uri,
      codeVerifier: row.code_verifier,
      nonce: row.nonce,
      redirectPort: row.redirect_port === null ? null : Number(row.redirect_port),
      spaOrigin: row.spa_origin,
      nextPath: row.next_path,
    };
  }

  async insertGrant(
    grantHash: string,
    grant: { provider: SignInProvider; userId: string; redirectPort: number },
    expiresAt: Date,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO sign_in_grants (grant_hash, provider, user_id, redirect_port, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [grantHash, grant.provider, grant.userId, grant.redirectPort, expiresAt],
    );
  }

  /** Takes a live grant for this provider and port (single use, like a state); answers its user. */
  async consumeGrant(
    grantHash: string,
    provider: SignInProvider,
    redirectPort: number,
  ): Promise<string | null> {
    const [rows] = (await this.dataSource.query(
      `DELETE FROM sign_in_grants
       WHERE grant_hash = $1 AND provider = $2 AND redirect_port = $3 AND expires_at > now()
       RETURNING user_id`,
      [grantHash, provider, redirectPort],
    )) as [{ user_id: string }[], number];
    return rows[0]?.user_id ?? null;
  }

  /** The user a provider identity belongs to, or null. */
  async identityOwner(provider: SignInProvider, subject: string, tx?: Tx): Promise<string | null> {
    const rows = (await Tx.manager(tx, this.dataSource.manager).query(
      `SELECT user_id FROM user_identities WHERE provider = $1 AND subject = $2`,
      [provider, subject],
    )) as { user_id: string }[];
    return rows[0]?.user_id ?? null;
  }

  /** Links the identity to the user unless it is linked already (to anyone); answers its owner afterwards. */
  async linkIdentity(provider: SignInProvider, subject: string, userId: string, tx: Tx): Promise<string> {
    const manager = Tx.manager(tx);
    await manager.query(
      `INSERT INTO user_identities (provider, subject, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [provider, subject, userId],
    );
    return (await this.identityOwner(provider, subject, tx)) as string;
  }
}
