import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { waitFor } from '../../../../test/support/wait.js';
import { AppLogger } from '../logging/app-logger.js';
import { PostgresRealtimeBus } from './postgres-realtime-bus.js';
import type { RealtimeNotice } from './realtime-events.js';

/** Notices published together leave in shared pg_notify statements: every one must still arrive, in order. */
describe('PostgresRealtimeBus on PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let bus: PostgresRealtimeBus;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource({ type: 'postgres', url: database.url, poolSize: 2 });
    await dataSource.initialize();
    bus = new PostgresRealtimeBus(database.url, dataSource, new AppLogger('error', true));
  });

  afterAll(async () => {
    await bus.onApplicationShutdown();
    await dataSource.destroy();
    await database.drop();
  });

  it('delivers every notice of a burst once, in the order published', async () => {
    const heard: RealtimeNotice[] = [];
    const stop = bus.subscribe((notice) => heard.push(notice));
    await waitFor(() => bus.listening, { timeoutMs: 30_000 });
    const networkId = '6f1d7c3e-8a55-4d2b-9a4e-0c1b2d3e4f50';
    const ids = Array.from(
      { length: 250 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    await Promise.all(ids.map((id) => bus.publish(networkId, 'interaction', { id })));
    await waitFor(() => heard.length >= ids.length, { timeoutMs: 30_000 });
    stop();
    expect(heard.map((n) => (n.ref as { id: string }).id)).toEqual(ids);
    expect(new Set(heard.map((n) => n.networkId))).toEqual(new Set([networkId]));
  });
});
