import { registerClient, type Session, type TestApp, userWithNetwork } from './app.js';
import { fuzzOpenApi, type FuzzReport } from './openapi-fuzzer.js';
import type { OpenApiSpec } from './openapi.js';

/**
 * One network with a person pair, a conversation, an interaction and a device, a second user, and a mix of good,
 * foreign and bad credentials: what the OpenAPI fuzzer needs to reach handlers, not only the auth gate.
 * Runs the fuzzer over every documented route except deleting the network or the account under test.
 */
export async function fuzzWithFixture(
  t: TestApp,
  runs: number,
): Promise<{ report: FuzzReport; session: Session; networkId: string }> {
  const spec = (await t.http().get('/openapi.json').expect(200)).body as OpenApiSpec;
  const { session, networkId } = await userWithNetwork(t);
  const other = await userWithNetwork(t);
  const device = await registerClient(t, session, networkId, 'fuzz-device');
  const post = async (path: string, body: object) =>
    (await t.http().post(`/api/v1/${networkId}${path}`).set(session.auth).send(body).expect(201)).body
      .id as string;
  const persons = [await post('/persons', { name: 'Fuzz' }), await post('/persons', {})];
  const conversations = [await post('/conversations', { title: 'Fuzz', participants: persons })];
  const interactions = [
    await post('/interactions', {
      interaction_type: 'text',
      content: 'fuzz',
      person_id: persons[0],
      conversation_id: conversations[0],
    }),
  ];
  const report = await fuzzOpenApi({
    baseUrl: t.baseUrl,
    spec,
    runs,
    seed: process.env.MIRA_FUZZ_SEED ? Number(process.env.MIRA_FUZZ_SEED) : undefined,
    auths: [
      session.auth,
      session.auth,
      session.auth,
      session.auth,
      device,
      other.session.auth,
      {},
      { Authorization: 'Bearer nope' },
      { Authorization: 'Bearer mira_ct_forged' },
    ],
    knownIds: {
      network_id: [networkId],
      person_id: persons,
      participants: persons,
      conversation_id: conversations,
      interaction_id: interactions,
      client_id: ['fuzz-device'],
    },
    // Keep the network and the account under test alive (their deletions have their own tests).
    skip: (op) =>
      op.method === 'DELETE' && (op.path.endsWith('/networks/{network_id}') || op.path.endsWith('/auth/me')),
  });
  return { report, session, networkId };
}

/** How many answers had a status matching `pred`. */
export function countStatuses(report: FuzzReport, pred: (status: number) => boolean): number {
  return Object.entries(report.statuses).reduce((n, [s, c]) => (pred(Number(s)) ? n + c : n), 0);
}
