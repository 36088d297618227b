import { RetentionService } from '@mira/retention';
import {
  createPerson,
  registerClient,
  registerUser,
  startTestApp,
  TestApp,
  userWithNetwork,
} from '../support/app.js';
import { librispeechDevFiles } from '../../tooling/shared-data.js';
import { enrolVoice, readAudio, streamUtterance } from '../support/speech.js';
import { sql } from '../support/database.js';
import { waitFor } from '../support/wait.js';

/** An audit trail of sensitive actions that owners can read, and data that does not outlive its retention. */
describe('reliability: audit log and data retention', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Worker on (retention jobs run through the real queue); the timer off so the test drives the schedule.
    t = await startTestApp({ JOBS_POLL_INTERVAL_MS: '50', RETENTION_SWEEP_ENABLED: 'false' });
  });

  afterAll(async () => t.close());

  describe('audit log', () => {
    it('records device registration and revocation with actor and request id; only the owner may read it', async () => {
      const { session, networkId } = await userWithNetwork(t);
      const reg = await t
        .http()
        .post(`/api/v1/${networkId}/service/client/register/kitchen`)
        .set(session.auth)
        .set('X-Request-Id', 'audit-reg-1')
        .expect(201);
      const device = { Authorization: `Bearer ${reg.body.client_token}` };
      await t
        .http()
        .delete(`/api/v1/${networkId}/service/client/deregister/kitchen`)
        .set(session.auth)
        .expect(200);
      // Repeating the revocation is not a new event.
      await t
        .http()
        .delete(`/api/v1/${networkId}/service/client/deregister/kitchen`)
        .set(session.auth)
        .expect(200);

      const page = (await t.http().get(`/api/v1/${networkId}/audit`).set(session.auth).expect(200)).body;
      expect(page.total).toBe(2);
      expect(page.items.map((e: { action: string }) => e.action)).toEqual([
        'client.revoked',
        'client.registered',
      ]);
      expect(page.items[1]).toEqual({
        id: expect.any(String),
        network_id: networkId,
        actor_kind: 'user',
        actor_id: session.userId,
        action: 'client.registered',
        target_type: 'client',
        target_id: 'kitchen',
        details: { client_row_id: expect.any(String) },
        request_id: 'audit-reg-1',
        created_at: expect.stringMatching(/Z$/),
      });

      const filtered = (
        await t
          .http()
          .get(`/api/v1/${networkId}/audit?action=client.revoked&limit=1`)
          .set(session.auth)
          .expect(200)
      ).body;
      expect(filtered).toMatchObject({ total: 1, limit: 1, offset: 0 });
      const future = (
        await t
          .http()
          .get(`/api/v1/${networkId}/audit?since=2999-01-01T00:00:00Z`)
          .set(session.auth)
          .expect(200)
      ).body;
      expect(future.total).toBe(0);
      const bad = await t
        .http()
        .get(`/api/v1/${networkId}/audit?since=yesterday`)
        .set(session.auth)
        .expect(422);
      expect(bad.body.error_code).toBe('VALIDATION_FAILED');
      await t.http().get(`/api/v1/${networkId}/audit?action=rm-rf`).set(session.auth).expect(422);

      // A revoked device token is refused; a live device token is not an owner.
      await t.http().get(`/api/v1/${networkId}/audit`).set(device).expect(401);
      const live = await registerClient(t, session, networkId, 'hall');
      const forbidden = await t.http().get(`/api/v1/${networkId}/audit`).set(live).expect(403);
      expect(forbidden.body.error_code).toBe('FORBIDDEN');
      // Another user's network answers like a missing one.
      const stranger = await registerUser(t);
      const hidden = await t.http().get(`/api/v1/${networkId}/audit`).set(stranger.auth).expect(404);
      expect(hidden.body.error_code).toBe('NETWORK_NOT_FOUND');
    });

    it("a network's deletion is recorded and the record survives the deletion (no cascade on audit rows)", async () => {
      const { session, networkId } = await userWithNetwork(t);
      await registerClient(t, session, networkId, 'kitchen');
      await t.http().delete(`/api/v1/networks/${networkId}`).set(session.auth).expect(204);
      const rows = await sql<{ action: string; actor_id: string }>(
        t.database,
        `SELECT action, actor_id FROM audit_log WHERE network_id = $1 ORDER BY created_at`,
        [networkId],
      );
      expect(rows).toEqual([
        { action: 'client.registered', actor_id: session.userId },
        { action: 'network.deleted', actor_id: session.userId },
      ]);
      expect(await sql(t.database, `SELECT 1 FROM clients WHERE network_id = $1`, [networkId])).toEqual([]);
    });
  });

  describe('biometric data', () => {
    it('enrolment, voiceprint deletion, merge and person deletion are audited; voiceprints go with their person (cascade)', async () => {
      const { session, networkId } = await userWithNetwork(t);
      const anna = await createPerson(t, session.auth, networkId, 'Anna');
      const dupe = await createPerson(t, session.auth, networkId, 'Anna (duplicate)');
      const [first, second, third] = librispeechDevFiles('1688');
      const s1 = (await enrolVoice(t, session.auth, networkId, anna, first!).expect(201)).body.id as string;
      await enrolVoice(t, session.auth, networkId, anna, second!).expect(201);
      await enrolVoice(t, session.auth, networkId, dupe, third!).expect(201);
      await t.http().delete(`/api/v1/${networkId}/persons/${anna}/voice/${s1}`).set(session.auth).expect(204);
      await t
        .http()
        .post(`/api/v1/${networkId}/persons/${anna}/merge`)
        .set(session.auth)
        .send({ source_person_id: dupe })
        .expect(200);
      const voiceprints = async () =>
        (
          await sql<{ n: number }>(
            t.database,
            `SELECT count(*)::int AS n FROM voiceprints WHERE network_id = $1`,
            [networkId],
          )
        )[0]?.n;
      expect(await voiceprints()).toBe(2);
      await t.http().delete(`/api/v1/${networkId}/persons/${anna}`).set(session.auth).expect(204);
      // Really deleted (encrypted embeddings included), not hidden.
      expect(await voiceprints()).toBe(0);

      const audit = (await t.http().get(`/api/v1/${networkId}/audit?limit=50`).set(session.auth).expect(200))
        .body;
      const actions = (
        audit.items as { action: string; target_id: string; details: Record<string, unknown> }[]
      )
        .map((e) => e.action)
        .reverse();
      expect(actions).toEqual([
        'voiceprint.enrolled',
        'voiceprint.enrolled',
        'voiceprint.enrolled',
        'voiceprint.deleted',
        'person.merged',
        'person.deleted',
      ]);
      const merged = audit.items.find((e: { action: string }) => e.action === 'person.merged');
      expect(merged).toMatchObject({
        target_id: anna,
        details: { source_person_id: dupe },
        actor_id: session.userId,
      });
      // Ids and counts only: no names, no vectors.
      expect(JSON.stringify(audit.items)).not.toContain('Anna');
    });
  });

  describe('retention', () => {
    it('a network owner sets retention_days (1..36500, null for the default); bad values are 422', async () => {
      const { session, networkId } = await userWithNetwork(t);
      const fresh = (await t.http().get(`/api/v1/networks/${networkId}`).set(session.auth).expect(200)).body;
      expect(fresh.retention_days).toBeNull();
      const set = await t
        .http()
        .patch(`/api/v1/networks/${networkId}`)
        .set(session.auth)
        .send({ retention_days: 30 })
        .expect(200);
      expect(set.body.retention_days).toBe(30);
      for (const bad of [0, -1, 1.5, 'ninety', 40_000]) {
        await t
          .http()
          .patch(`/api/v1/networks/${networkId}`)
          .set(session.auth)
          .send({ retention_days: bad })
          .expect(422);
      }
      // The generic settings patch cannot store an invalid retention either, nor settings that are not an object.
      for (const settings of [{ retention_days: 0 }, null, [], 'retention_days=14']) {
        await t
          .http()
          .patch(`/api/v1/networks/${networkId}`)
          .set(session.auth)
          .send({ settings })
          .expect(422);
      }
      const viaSettings = await t
        .http()
        .patch(`/api/v1/networks/${networkId}`)
        .set(session.auth)
        .send({ settings: { retention_days: 14 } })
        .expect(200);
      expect(viaSettings.body.retention_days).toBe(14);
      const reset = await t
        .http()
        .patch(`/api/v1/networks/${networkId}`)
        .set(session.auth)
        .send({ retention_days: null })
        .expect(200);
      expect(reset.body.retention_days).toBeNull();
    });

    it('the scheduled sweep enqueues one retention job per network per interval and each job deletes interactions older than that network’s retention', async () => {
      const short = await userWithNetwork(t);
      const standard = await userWithNetwork(t);
      await t
        .http()
        .patch(`/api/v1/networks/${short.networkId}`)
        .set(short.session.auth)
        .send({ retention_days: 7 })
        .expect(200);

      // Real interactions, spoken 1..400 days ago.
      const day = 86_400_000;
      const ids: Record<string, { id: string; age: number }[]> = {};
      for (const [tenant, ages] of [
        [short, [1, 6, 8, 30]],
        [standard, [1, 8, 30, 89, 91, 400]],
      ] as const) {
        ids[tenant.networkId] = [];
        for (const age of ages) {
          const res = await t
            .http()
            .post(`/api/v1/${tenant.networkId}/interactions`)
            .set(tenant.session.auth)
            .send({
              interaction_type: 'text',
              content: `said ${age} days ago`,
              occurred_at: new Date(Date.now() - age * day).toISOString(),
            })
            .expect(201);
          ids[tenant.networkId]?.push({ id: res.body.id, age });
        }
      }
      const retention = t.app.get(RetentionService);
      const now = new Date();
      const first = await retention.schedule(now);
      expect(first.enqueued).toBeGreaterThanOrEqual(2);
      // The same interval again (another instance, or a restart): nothing new.
      expect((await retention.schedule(now)).enqueued).toBe(0);

      const remaining = async (tenant: typeof short) =>
        (
          await t
            .http()
            .get(`/api/v1/${tenant.networkId}/interactions?limit=100`)
            .set(tenant.session.auth)
            .expect(200)
        ).body.map((i: { id: string }) => i.id) as string[];
      const expected = (tenant: typeof short, days: number) =>
        (ids[tenant.networkId] ?? [])
          .filter((i) => i.age < days)
          .map((i) => i.id)
          .sort();
      await waitFor(
        async () =>
          JSON.stringify((await remaining(short)).sort()) === JSON.stringify(expected(short, 7)) &&
          JSON.stringify((await remaining(standard)).sort()) === JSON.stringify(expected(standard, 90)),
        { what: 'retention jobs to purge old interactions', timeoutMs: 30_000 },
      );
      expect(expected(short, 7)).toHaveLength(2);
      expect(expected(standard, 90)).toHaveLength(4);
      // A purged interaction is gone for good (404), not just hidden.
      const purged = (ids[short.networkId] ?? []).find((i) => i.age === 30)?.id;
      await t
        .http()
        .get(`/api/v1/${short.networkId}/interactions/${purged}`)
        .set(short.session.auth)
        .expect(404);
      const jobs = await sql<{ status: string }>(
        t.database,
        `SELECT status FROM jobs WHERE type = 'retention.sweep' AND network_id = ANY($1::uuid[])`,
        [[short.networkId, standard.networkId]],
      );
      expect(jobs.map((j) => j.status).sort()).toEqual(['done', 'done']);

      const audit = (
        await t
          .http()
          .get(`/api/v1/${short.networkId}/audit?action=retention.swept`)
          .set(short.session.auth)
          .expect(200)
      ).body;
      expect(audit.items[0]).toMatchObject({
        actor_kind: 'system',
        actor_id: null,
        details: { retention_days: 7, deleted: { interactions: 2 } },
      });
    });

    it('stored stream audio (decided chunks) older than the retention is deleted with its row; recent chunks stay', async () => {
      const { session, networkId } = await userWithNetwork(t);
      const device = await registerClient(t, session, networkId, 'kitchen');
      const [a, b] = librispeechDevFiles('533');
      const old = await streamUtterance(
        t,
        device,
        networkId,
        'kitchen',
        readAudio(a!),
        new Date(Date.now() - 60_000),
      );
      const recent = await streamUtterance(t, device, networkId, 'kitchen', readAudio(b!), new Date());
      await waitFor(
        async () =>
          (
            await sql<{ n: number }>(
              t.database,
              `SELECT count(*)::int AS n FROM stream_chunks WHERE network_id = $1 AND status = 'pending'`,
              [networkId],
            )
          )[0]?.n === 0,
        { what: 'chunks decided', timeoutMs: 60_000 },
      );
      // Age one chunk past the default retention (received 100 days ago).
      await sql(
        t.database,
        `UPDATE stream_chunks SET received_at = now() - interval '100 days' WHERE id = $1`,
        [old],
      );
      const result = await t.app.get(RetentionService).sweepNetwork(networkId);
      expect(result.deleted['stream_chunks']).toBe(1);
      const left = await sql<{ id: string }>(
        t.database,
        `SELECT id FROM stream_chunks WHERE network_id = $1`,
        [networkId],
      );
      expect(left.map((r) => r.id)).toEqual([recent]);
    });

    it('audit rows older than AUDIT_RETENTION_DAYS are expired by the schedule', async () => {
      const { networkId } = await userWithNetwork(t);
      await sql(
        t.database,
        `INSERT INTO audit_log (network_id, actor_kind, action, target_type, created_at)
         VALUES ($1, 'system', 'client.registered', 'client', now() - interval '400 days'),
                ($1, 'system', 'client.revoked', 'client', now() - interval '10 days')`,
        [networkId],
      );
      const result = await t.app.get(RetentionService).schedule(new Date(Date.now() + 3_600_000 * 2));
      expect(result.auditDeleted).toBeGreaterThanOrEqual(1);
      const left = await sql<{ action: string }>(
        t.database,
        `SELECT action FROM audit_log WHERE network_id = $1`,
        [networkId],
      );
      expect(left).toEqual([{ action: 'client.revoked' }]);
    });

    it('deletions are remembered for TOMBSTONE_RETENTION_DAYS (a repeated DELETE answers 204), then forgotten by the network sweep (404)', async () => {
      const { session, networkId } = await userWithNetwork(t);
      const longAgo = await createPerson(t, session.auth, networkId, 'Leaving');
      const lately = await createPerson(t, session.auth, networkId, 'Leaving');
      for (const id of [longAgo, lately]) {
        await t.http().delete(`/api/v1/${networkId}/persons/${id}`).set(session.auth).expect(204);
      }
      await sql(
        t.database,
        `UPDATE tombstones SET deleted_at = now() - interval '31 days' WHERE entity_id = $1`,
        [longAgo],
      );
      // the network's own sweep forgets exactly its old tombstone
      const result = await t.app.get(RetentionService).sweepNetwork(networkId);
      expect(result.tombstonesDeleted).toBe(1);
      await t.http().delete(`/api/v1/${networkId}/persons/${lately}`).set(session.auth).expect(204);
      await t.http().delete(`/api/v1/${networkId}/persons/${longAgo}`).set(session.auth).expect(404);
    });
  });
});
