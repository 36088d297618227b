import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { AppConfig, AppLogger } from '@mira/core';
import { createApp } from '../../apps/api/src/app.factory.js';
import { createTestDatabase, TestDatabase } from './database.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-signing';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  baseUrl: string;
  database: TestDatabase;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * The real application on a fresh PostgreSQL database, listening on a loopback port.
 * `overrides` are environment variables, exactly as an operator would set them.
 */
export async function startTestApp(
  overrides: Record<string, string> = {},
  options: { database?: TestDatabase } = {},
): Promise<TestApp> {
  // Passing another app's database starts a second instance on it (multi-instance tests); only its creator drops it.
  const ownsDatabase = options.database === undefined;
  const database = options.database ?? (await createTestDatabase());
  const dataDir = mkdtempSync(join(tmpdir(), 'mira-test-data-'));
  const config = AppConfig.fromEnvironment(
    {},
    {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      DB_POOL_SIZE: '5',
      JWT_SECRET: TEST_JWT_SECRET,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
      // Suites that exercise limits and the sweep switch them on explicitly (test/reliability).
      RATE_LIMIT_ENABLED: 'false',
      RETENTION_SWEEP_ENABLED: 'false',
      ...overrides,
    },
  );
  const logger = new AppLogger('error', process.env.MIRA_TEST_LOGS !== '1');
  const app = await createApp(config, logger);
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    config,
    baseUrl,
    database,
    http: () => request(baseUrl),
    async close() {
      await app.close();
      if (ownsDatabase) await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The real application on embedded PGlite (no DATABASE_URL) in a fresh data directory, listening on loopback.
 * `overrides` are environment variables, as for startTestApp.
 */
export async function startPgliteApp(
  prefix: string,
  overrides: Record<string, string> = {},
): Promise<EmbeddedApp> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const config = AppConfig.fromEnvironment(
    {},
    { NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: dataDir, LOG_LEVEL: 'error', ...overrides },
  );
  if (config.values.database.kind !== 'pglite') throw new Error('expected the embedded PGlite database');
  const app = await createApp(config, new AppLogger('error', true));
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    baseUrl,
    http: () => request(baseUrl),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface EmbeddedApp {
  app: NestExpressApplication;
  baseUrl: string;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/** What the HTTP helpers below need of an app: a started TestApp or EmbeddedApp. */
export type HttpTarget = Pick<TestApp, 'http'>;

export interface Session {
  accessToken: string;
  refreshToken: string;
  userId: string;
  auth: { Authorization: string };
}

let counter = 0;

export async function registerUser(t: HttpTarget, email?: string): Promise<Session> {
  counter += 1;
  const res = await t
    .http()
    .post('/api/v1/auth/register')
    .send({ email: email ?? `user${counter}-${Date.now()}@example.com`, password: 'correct horse battery' })
    .expect(201);
  return {
    accessToken: res.body.access_token,
    refreshToken: res.body.refresh_token,
    userId: res.body.user.id,
    auth: { Authorization: `Bearer ${res.body.access_token}` },
  };
}

export async function createNetwork(t: HttpTarget, session: Session, name = 'Home'): Promise<string> {
  const res = await t.http().post('/api/v1/networks').set(session.auth).send({ name }).expect(201);
  return res.body.id as string;
}

export async function registerClient(
  t: TestApp,
  session: Session,
  networkId: string,
  clientId: string,
): Promise<{ Authorization: string }> {
  const res = await t
    .http()
    .post(`/api/v1/${networkId}/service/client/register/${clientId}`)
    .set(session.auth)
    .expect(201);
  return { Authorization: `Bearer ${res.body.client_token}` };
}

/** Creates a person in the network over HTTP (201); answers its id. */
export async function createPerson(
  t: HttpTarget,
  auth: { Authorization: string },
  networkId: string,
  name: string | null = null,
): Promise<string> {
  const res = await t.http().post(`/api/v1/${networkId}/persons`).set(auth).send({ name }).expect(201);
  return res.body.id as string;
}

/** A user with one network, ready for domain tests. */
export async function userWithNetwork(t: HttpTarget): Promise<{ session: Session; networkId: string }> {
  const session = await registerUser(t);
  return { session, networkId: await createNetwork(t, session) };
}

/** Creates a conversation in the network over HTTP (201); answers its id. */
export async function createConversation(
  t: TestApp,
  auth: { Authorization: string },
  networkId: string,
  fields: { title: string; participants: string[] },
): Promise<string> {
  const res = await t.http().post(`/api/v1/${networkId}/conversations`).set(auth).send(fields).expect(201);
  return res.body.id as string;
}

/** Creates a text interaction in the network over HTTP (201), in a conversation or not; answers its id. */
export async function createInteraction(
  t: TestApp,
  auth: { Authorization: string },
  networkId: string,
  fields: { content: string; person_id?: string | null; conversation_id?: string; occurred_at?: string },
): Promise<string> {
  const res = await t
    .http()
    .post(`/api/v1/${networkId}/interactions`)
    .set(auth)
    .send({ interaction_type: 'text', ...fields })
    .expect(201);
  return res.body.id as string;
}

/**
 * Test data as the pipeline would make it from speech, through the network door: a conversation of `person` with
 * one line of theirs in it.
 */
export async function seedConversation(
  t: TestApp,
  auth: { Authorization: string },
  networkId: string,
  { title, person, content }: { title: string; person: string; content: string },
): Promise<{ conversation: string; said: string }> {
  const conversation = await createConversation(t, auth, networkId, { title, participants: [person] });
  const said = await createInteraction(t, auth, networkId, {
    content,
    person_id: person,
    conversation_id: conversation,
  });
  return { conversation, said };
}
