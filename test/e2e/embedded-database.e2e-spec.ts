import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { AppConfig, AppLogger, encodeWav16 } from '@mira/core';
import { createApp } from '../../apps/api/src/app.factory.js';

/** "one command on a fresh machine" — the app on its embedded PGlite database, no server needed. */
describe('embedded database smoke (PGlite)', () => {
  let app: NestExpressApplication;
  let baseUrl: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'mira-pglite-'));

  beforeAll(async () => {
    const config = AppConfig.fromEnvironment({}, { NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'error' });
    app = await createApp(config, new AppLogger('error', true));
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 120_000);

  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the quick start: register, create a network, register a device, call a network route, stream audio', async () => {
    const http = () => request(baseUrl);
    const health = await http().get('/health/detailed').expect(200);
    expect(health.body.checks.database.engine).toBe('pglite (embedded)');

    const user = await http()
      .post('/api/v1/auth/register')
      .send({ email: 'ada@example.com', password: 'correct horse battery' })
      .expect(201);
    const auth = { Authorization: `Bearer ${user.body.access_token}` };
    const network = await http().post('/api/v1/networks').set(auth).send({ name: 'Home' }).expect(201);
    const client = await http()
      .post(`/api/v1/${network.body.id}/service/client/register/kitchen`)
      .set(auth)
      .expect(201);
    const info = await http()
      .get(`/api/v1/${network.body.id}/service/info`)
      .set('Authorization', `Bearer ${client.body.client_token}`)
      .expect(200);
    expect(info.body.clients.map((c: { client_id: string }) => c.client_id)).toEqual(['kitchen']);

    // a device's audio chunks: stored with their stream's record, a retry by seq answered from the stored chunk
    const device = { Authorization: `Bearer ${client.body.client_token}` };
    const tone = encodeWav16(
      new Float32Array(16_000).map((_, i) => 0.3 * Math.sin(i / 5)),
      16_000,
    );
    const capturedFrom = Date.now() - 5_000;
    const upload = (seq: number) =>
      http()
        .post(`/api/v1/${network.body.id}/streams/kitchen/audio`)
        .set(device)
        .field('timestamp', String(capturedFrom + seq * 1000))
        .field('seq', String(seq))
        .attach('audio_data', tone, 'chunk.wav')
        .expect(200);
    expect((await upload(0)).body.replayed).toBe(false);
    expect((await upload(1)).body.replayed).toBe(false);
    const retry = await upload(0);
    expect(retry.body).toMatchObject({ replayed: true, seq: 0 });
    const stream = await http().get(`/api/v1/${network.body.id}/streams/kitchen`).set(device).expect(200);
    expect(stream.body).toMatchObject({ chunk_count: 2, last_seq: 1 });
  });
});
