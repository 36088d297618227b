import { startTestApp, TestApp, userWithNetwork, Session } from '../support/app.js';
import { FakeGemini, geminiJson, geminiStatus } from '../support/fake-gemini.js';

/** Inference — actions extracted from interactions, listed and confirmed/dismissed through the API. */
describe('actions and on-demand inference', () => {
  let fake: FakeGemini;
  let t: TestApp;
  let offline: TestApp;
  let owner: { session: Session; networkId: string };
  let stranger: { session: Session; networkId: string };

  const interaction = async (app: TestApp, who: typeof owner, content: string | null) =>
    (
      await app
        .http()
        .post(`/api/v1/${who.networkId}/interactions`)
        .set(who.session.auth)
        .send({ content, interaction_type: 'text' })
        .expect(201)
    ).body.id as string;

  /** POST /interactions/{id}/inference by `who` in their network. */
  const infer = (app: TestApp, who: typeof owner, interactionId: string) =>
    app.http().post(`/api/v1/${who.networkId}/interactions/${interactionId}/inference`).set(who.session.auth);

  beforeAll(async () => {
    fake = await FakeGemini.start();
    t = await startTestApp(fake.env({ TRANSCRIBER: 'none' }));
    offline = await startTestApp({ TRANSCRIBER: 'none' });
    owner = await userWithNetwork(t);
    stranger = await userWithNetwork(t);
  });
  afterAll(async () => {
    await t.close();
    await offline.close();
    await fake.close();
  });
  afterEach(() => fake.reset());

  it('POST /interactions/{id}/inference stores the Gemini action; GET /actions lists it; PATCH confirms it', async () => {
    const id = await interaction(t, owner, 'Text my brother that I am running late');
    fake.next(
      geminiJson({
        call_to_action: true,
        action_type: 'contact',
        contact: { name: 'brother', method: 'message', details: 'I am running late' },
      }),
    );
    const res = await infer(t, owner, id).expect(201);
    expect(res.body).toMatchObject({
      interaction_id: id,
      call_to_action: true,
      source: 'gemini',
      action: { action_type: 'contact', status: 'pending', details: { name: 'brother', method: 'message' } },
    });
    const prompt = JSON.stringify(fake.requests[0]!.body);
    expect(prompt).toContain('Text my brother that I am running late');

    const list = await t
      .http()
      .get(`/api/v2/${owner.networkId}/actions?status=pending`)
      .set(owner.session.auth)
      .expect(200);
    expect(list.body.map((a: { id: string }) => a.id)).toEqual([res.body.action.id]);
    const confirmed = await t
      .http()
      .patch(`/api/v1/${owner.networkId}/actions/${res.body.action.id}`)
      .set(owner.session.auth)
      .send({ status: 'confirmed' })
      .expect(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', completed_time: expect.any(String) });
    expect(
      (await t.http().get(`/api/v1/${owner.networkId}/actions?status=pending`).set(owner.session.auth)).body,
    ).toEqual([]);
    expect(
      (await t.http().get(`/api/v1/${owner.networkId}/actions?action_type=contact`).set(owner.session.auth))
        .body,
    ).toHaveLength(1);

    // running inference again does not undo the user's decision
    fake.next(
      geminiJson({
        call_to_action: true,
        action_type: 'contact',
        contact: { name: 'x', method: 'email', details: '' },
      }),
    );
    await infer(t, owner, id).expect(201);
    const after = await t
      .http()
      .get(`/api/v1/${owner.networkId}/actions/${res.body.action.id}`)
      .set(owner.session.auth)
      .expect(200);
    expect(after.body).toMatchObject({ status: 'confirmed', details: { name: 'brother' } });
  });

  it('when Gemini fails on demand, the offline rules answer and say so; no action when there is none', async () => {
    const id = await interaction(t, owner, 'Remind me to water the plants tonight');
    fake.next(geminiStatus(500));
    const res = await infer(t, owner, id).expect(201);
    expect(res.body).toMatchObject({
      source: 'rules',
      call_to_action: true,
      action: { action_type: 'remind', source: 'rules' },
    });
    expect(res.body.note).toMatch(/Gemini failed \(server\)/);

    const chat = await interaction(t, owner, 'The weather was lovely');
    fake.next(geminiJson({ call_to_action: false }));
    const none = await infer(t, owner, chat).expect(201);
    expect(none.body).toMatchObject({ call_to_action: false, source: 'gemini', action: null });
  });

  it('offline (no GEMINI_API_KEY) the rule-based extractor runs and labels itself', async () => {
    const who = await userWithNetwork(offline);
    const id = await interaction(offline, who, 'Schedule dinner with Sarah on Friday at 7pm');
    const res = await infer(offline, who, id).expect(201);
    expect(res.body).toMatchObject({
      source: 'rules',
      note: expect.stringContaining('rule-based'),
      action: { action_type: 'schedule', details: { name: 'dinner with Sarah' } },
    });
    const health = await offline.http().get('/health/detailed');
    expect(health.body.checks.assistant).toMatchObject({
      status: 'degraded',
      gemini: { key_configured: false },
      action_extractor: 'rules',
      summarizer: 'extractive',
      transcriber: 'none',
    });
  });

  it('validates and isolates: 409 without text, 422 bad status or ids, 404 unknown or foreign', async () => {
    const empty = await interaction(t, owner, null);
    expect((await infer(t, owner, empty)).body.error_code).toBe('INTERACTION_NOT_TRANSCRIBED');
    const id = await interaction(t, owner, 'Remind me to call mom');
    const found = await infer(t, owner, id).expect(201);
    const actionId = found.body.action.id as string;
    const missing = '00000000-0000-4000-8000-000000000000';
    const mine = owner.networkId;
    const theirs = stranger.networkId;
    // [whose token, the network in the path, method, path in that network, body, the answer]
    const cases: [typeof owner, string, 'get' | 'patch' | 'post', string, object | null, number][] = [
      [owner, mine, 'patch', `/actions/${actionId}`, { status: 'done' }, 422],
      [owner, mine, 'patch', `/actions/${actionId}`, {}, 422],
      [owner, mine, 'patch', '/actions/not-a-uuid', { status: 'dismissed' }, 422],
      [owner, mine, 'get', '/actions?status=maybe', null, 422],
      [owner, mine, 'patch', `/actions/${missing}`, { status: 'dismissed' }, 404],
      [owner, mine, 'post', `/interactions/${missing}/inference`, null, 404],
      [owner, mine, 'post', '/interactions/x/inference', null, 422],
      // another network's user sees none of it, through their network or mine
      [stranger, theirs, 'get', `/actions/${actionId}`, null, 404],
      [stranger, theirs, 'patch', `/actions/${actionId}`, { status: 'dismissed' }, 404],
      [stranger, theirs, 'post', `/interactions/${id}/inference`, null, 404],
      [stranger, mine, 'get', '/actions', null, 404],
    ];
    for (const [who, network, method, path, body, status] of cases) {
      const req = t.http()[method](`/api/v1/${network}${path}`).set(who.session.auth);
      const res = await (body ? req.send(body) : req);
      expect(`${method} ${path}: ${res.status}`).toBe(`${method} ${path}: ${status}`);
    }
    expect(
      (await t.http().get(`/api/v1/${stranger.networkId}/actions`).set(stranger.session.auth).expect(200))
        .body,
    ).toEqual([]);
    await t.http().get(`/api/v1/${owner.networkId}/actions`).expect(401);
  });
});
