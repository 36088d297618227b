import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../support/build.js';
import { createTestDatabase } from '../support/database.js';
import { openSession, realtimeUrl } from '../support/realtime-client.js';
import { requestJson, startServerProcess, waitForExit } from '../support/server-process.js';

/** SIGTERM on the compiled server: its sockets are closed with 1012, which the apps reconnect after. */
describe('realtime sockets at shutdown', () => {
  beforeAll(async () => {
    await ensureBuilt();
  });

  it('closes every socket with 1012 "server restarting" and exits 0', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'mira-realtime-shutdown-'));
    try {
      const server = await startServerProcess({
        NODE_ENV: 'production',
        DATABASE_URL: db.url,
        JWT_SECRET: 'realtime-shutdown-secret-that-is-long-enough',
        VOICEPRINT_KEY: Buffer.alloc(32, 7).toString('base64'),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      });
      const user = await requestJson(server.baseUrl, 'POST', '/api/v1/auth/register', {
        email: 'shutdown@example.com',
        password: 'correct horse battery',
      });
      const token = user.body.access_token as string;
      await requestJson(server.baseUrl, 'POST', '/api/v1/networks', { name: 'Home' }, token);
      const sockets = await Promise.all(
        [1, 2].map((v) =>
          openSession(realtimeUrl(server.baseUrl, { token, client_id: `c${v}` }, v as 1 | 2)),
        ),
      );
      server.child.kill('SIGTERM');
      for (const socket of sockets) {
        expect(await socket.closed).toEqual({ code: 1012, reason: 'server restarting' });
      }
      expect(await waitForExit(server, 60_000)).toEqual({ code: 0, signal: null });
      expect(server.stderr()).toBe('');
      expect(server.lines.filter((l) => l.message === 'realtime_closed')).toHaveLength(2);
    } finally {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
