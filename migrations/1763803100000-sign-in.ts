import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in with Google and GitHub. Accounts made by a provider have no password (password_hash null). A provider
 * identity (provider, subject) belongs to one user. sign_in_flows holds each started sign-in until it is finished
 * or expires: the hash of its single-use state, the PKCE verifier and nonce, and where the tokens may go back to.
 * sign_in_grants holds the one-time codes (hashed) Mira hands a desktop app at the end of GitHub's flow, which the
 * app exchanges for tokens once.
 * Identity tables, not tenant data: they belong to a user, not to a network (like users and refresh_tokens).
 */
export class SignIn1763803100000 implements MigrationInterface {
  name = 'SignIn1763803100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL`);
    await q.query(`
      CREATE TABLE user_identities (
        provider text NOT NULL CHECK (provider IN ('google', 'github')),
        subject text NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, subject)
      )`);
    await q.query(`CREATE INDEX user_identities_user_idx ON user_identities (user_id)`);
    await q.query(`
      CREATE TABLE sign_in_flows (
        state_hash text PRIMARY KEY,
        provider text NOT NULL CHECK (provider IN ('google', 'github')),
        kind text NOT NULL CHECK (kind IN ('desktop', 'web')),
        redirect_uri text NOT NULL,
        code_verifier text NOT NULL,
        nonce text,
        redirect_port int,
        spa_origin text,
        next_path text,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sign_in_flows_expires_idx ON sign_in_flows (expires_at)`);
    await q.query(`
      CREATE TABLE sign_in_grants (
        grant_hash text PRIMARY KEY,
        provider text NOT NULL CHECK (provider IN ('google', 'github')),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        redirect_port int NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sign_in_grants_expires_idx ON sign_in_grants (expires_at)`);
    await q.query(`CREATE INDEX sign_in_grants_user_idx ON sign_in_grants (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sign_in_grants`);
    await q.query(`DROP TABLE sign_in_flows`);
    await q.query(`DROP TABLE user_identities`);
    await q.query(`DELETE FROM users WHERE password_hash IS NULL`);
    await q.query(`ALTER TABLE users ALTER COLUMN password_hash SET NOT NULL`);
  }
}
