import { api, requestBody, tokenFor } from './support/api';
import { TestStack, waitFor } from './support/stack';

interface Route {
  channel: string;
  destination: string;
  role: string;
  ruleId: string;
  reason: string;
}
interface Decision {
  rulesetVersion: string;
  routes: Route[];
  europolCopy: { copy: boolean; reason: string };
  deadline: { at: string | null; basis: string };
}

/** Issue "routing policy engine", through the running system's API. */
describe('routing through the API', () => {
  const stack = new TestStack();
  let intake: string;
  let requester: string;
  let admin: string;

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    requester = await tokenFor('PZ-5339', ['requester']);
    admin = await tokenFor('CGI-ADMIN', ['admin', 'spoc_operator'], 'federal');
  });
  afterAll(() => stack.stop());

  async function submitAndDecide(
    body = requestBody(),
  ): Promise<{ id: string; receivedAt: string; decision: Decision }> {
    const submitted = await api<{ id: string; receivedAt: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body,
    });
    expect(submitted.status).toBe(202);
    const decision = await waitFor(async () => {
      const res = await api<Decision>(intake, 'GET', `/v1/requests/${submitted.body.id}/decision`, {
        token: requester,
      });
      return res.status === 200 ? res.body : undefined;
    }, `the decision of ${submitted.body.id}`);
    return { ...submitted.body, decision };
  }

  const routesOf = (d: Decision) => d.routes.map((r) => `${r.channel}:${r.destination}:${r.role}`);

  it('urgent direct NL drug trafficking: siena primary, europol and SPOC copies, 8 h deadline', async () => {
    const body = requestBody({
      targetCountries: ['NL'],
      offence: { category: 'drug_trafficking', description: 'Cocaine shipment' },
      urgency: { urgent: true, ground: 'threat_to_life', reason: 'Imminent hand-over' },
      accessibility: 'direct',
    });
    const { receivedAt, decision } = await submitAndDecide(body);
    expect(routesOf(decision)).toEqual([
      'siena:NL:primary',
      'national_spoc:CGI-SPOC:copy',
      'europol:EUROPOL:copy',
    ]);
    expect(decision.europolCopy.copy).toBe(true);
    expect(decision.deadline.basis).toBe('urgent_direct_8h');
    expect(Date.parse(decision.deadline.at!) - Date.parse(receivedAt)).toBe(8 * 3600 * 1000);
    for (const route of decision.routes) expect(route.reason).toMatch(/Directive|Regulation/);

    // The same request as an administrative matter is routed identically.
    const administrative = await submitAndDecide({ ...body, missionType: 'administrative' });
    expect(administrative.decision.routes.map((r) => [r.channel, r.destination, r.role, r.ruleId])).toEqual(
      decision.routes.map((r) => [r.channel, r.destination, r.role, r.ruleId]),
    );
  });

  it.each([
    ['US', {}, ['interpol:US:primary', 'liaison_officer:LO-WASHINGTON:parallel']],
    [
      'DE with an SIS alert',
      { sisAlert: { reference: 'SIS-BE-1', article: 26 as const } },
      ['sirene:DE:primary'],
    ],
    ['DE with a dna lookup', { lookup: 'dna' as const }, ['prum:DE:primary']],
    ['FR, border region', { borderRegion: true }, ['pccc:PCCC-TOURNAI:primary']],
  ])('%s', async (_what, overrides, expected) => {
    const target = _what.slice(0, 2);
    const { decision } = await submitAndDecide(requestBody({ targetCountries: [target], ...overrides }));
    for (const route of expected) expect(routesOf(decision)).toContain(route);
    if (target === 'FR') expect(decision.routes[0].reason).toContain('Tournai');
  });

  it('simulates without storing a request', async () => {
    const before = await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM requests');
    const res = await api<Decision>(intake, 'POST', '/v1/routing/simulate', {
      token: admin,
      body: { request: requestBody({ targetCountries: ['US'] }) },
    });
    expect(res.status).toBe(200);
    expect(routesOf(res.body)).toContain('interpol:US:primary');
    const after = await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM requests');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('activates a new rule set while the system runs; the next request is routed by it', async () => {
    const active = (
      await api<{ version: string; status: string }[]>(intake, 'GET', '/v1/rulesets', { token: admin })
    ).body.find((r) => r.status === 'active')!;
    const current = await api<{
      document: { version: string; rules: { id: string; then: { reason?: string } }[] };
    }>(intake, 'GET', `/v1/rulesets/${active.version}`, { token: admin });
    const version = `e2e-${Date.now()}`;
    const document = structuredClone(current.body.document);
    document.version = version;
    const siena = document.rules.find((r) => r.id === 'OUT-EU-SIENA')!;
    siena.then.reason = `${siena.then.reason} [rule set ${version}]`;

    const refused = await api(intake, 'POST', '/v1/rulesets', { token: admin, body: document });
    expect(refused.status).toBe(400); // no justification
    const created = await api<{ status: string }>(intake, 'POST', '/v1/rulesets', {
      token: admin,
      body: document,
      headers: { 'x-justification': 'e2e: new reason wording' },
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('draft');
    const again = await api(intake, 'POST', '/v1/rulesets', {
      token: admin,
      body: document,
      headers: { 'x-justification': 'again' },
    });
    expect(again.status).toBe(409);

    const activated = await api<{ status: string; previous: string }>(
      intake,
      'POST',
      `/v1/rulesets/${version}/activate`,
      {
        token: admin,
        headers: { 'x-justification': 'e2e: activate' },
      },
    );
    expect(activated.status).toBe(200);
    expect(activated.body.previous).toBe(active.version);

    // The router refreshes within seconds; each decision names the version it used.
    const decided = await waitFor(
      async () => {
        const { decision } = await submitAndDecide(requestBody({ targetCountries: ['NL'] }));
        return decision.rulesetVersion === version ? decision : undefined;
      },
      'a decision under the new rule set',
      20000,
    );
    expect(decided.routes[0].reason).toContain(`[rule set ${version}]`);

    // The change is in the exchange log, with who and why.
    const entries = await waitFor(async () => {
      const { rows } = await stack.db.query<{ entry: string }>(
        `SELECT entry FROM exchange_log WHERE kind = 'ruleset_changed' AND entry LIKE $1`,
        [`%${version}%`],
      );
      return rows.length === 2
        ? rows.map((r) => JSON.parse(r.entry) as { justification: string; actor: { person: string } })
        : undefined;
    }, 'the rule-set change entries');
    expect(entries.map((e) => e.justification).sort()).toEqual(['e2e: activate', 'e2e: new reason wording']);

    // Put the shipped rule set back for the other suites.
    await api(intake, 'POST', `/v1/rulesets/${active.version}/activate`, {
      token: admin,
      headers: { 'x-justification': 'e2e: restore' },
    });
  });

  it('edits the directory: a new liaison accreditation routes the next request, and the edit is logged', async () => {
    const current = await api<{ version: string; liaisonPosts: { id: string; accreditedFor: string[] }[] }>(
      intake,
      'GET',
      '/v1/directory',
      { token: admin },
    );
    expect(current.status).toBe(200);
    const edited = structuredClone(current.body);
    edited.version = `e2e-dir-${Date.now()}`;
    const post = edited.liaisonPosts.find((p) => p.accreditedFor.includes('US'))!;
    post.accreditedFor.push('BR');
    const missing = await api(intake, 'PUT', '/v1/directory', { token: admin, body: edited });
    expect(missing.status).toBe(400);
    const saved = await api(intake, 'PUT', '/v1/directory', {
      token: admin,
      body: edited,
      headers: { 'x-justification': 'e2e: post accredited for Brazil' },
    });
    expect(saved.status).toBe(200);
    const decided = await waitFor(
      async () => {
        const { decision } = await submitAndDecide(requestBody({ targetCountries: ['BR'] }));
        return decision.routes.some((r) => r.channel === 'liaison_officer') ? decision : undefined;
      },
      'a decision that uses the edited directory',
      20000,
    );
    expect(routesOf(decided)).toContain(`liaison_officer:${post.id}:parallel`);
    const logged = await waitFor(async () => {
      const { rows } = await stack.db.query<{ entry: string }>(
        `SELECT entry FROM exchange_log WHERE kind = 'directory_changed' AND entry LIKE $1`,
        [`%${edited.version}%`],
      );
      return rows[0] ? (JSON.parse(rows[0].entry) as { justification: string }) : undefined;
    }, 'the directory change entry');
    expect(logged.justification).toBe('e2e: post accredited for Brazil');
  });

  it('moves a partner to another endpoint in the directory: the next delivery arrives there', async () => {
    type Endpoint = { channel: string; destination: string; url: string };
    const current = await api<{ version: string; partnerEndpoints: Endpoint[] }>(
      intake,
      'GET',
      '/v1/directory',
      {
        token: admin,
      },
    );
    const simulator = stack.url('partner-simulator', '');
    const withEndpoints = (version: string, extra: Endpoint[]) => ({
      ...structuredClone(current.body),
      version,
      partnerEndpoints: [...current.body.partnerEndpoints, ...extra],
    });
    const put = (body: unknown, why: string) =>
      api<{ error: { details: { path: string; message: string }[] } }>(intake, 'PUT', '/v1/directory', {
        token: admin,
        body,
        headers: { 'x-justification': why },
      });
    const deliveredTo = async (): Promise<string[]> => {
      const { id } = await submitAndDecide(requestBody({ targetCountries: ['NL'] }));
      const messages = await waitFor(async () => {
        const res = await api<{ channel: string; destination: string }[]>(
          simulator,
          'GET',
          `/simulator/requests/${id}/messages`,
        );
        return res.body.some((m) => m.channel === 'siena') ? res.body : undefined;
      }, `the siena delivery of ${id}`);
      return messages.filter((m) => m.channel === 'siena').map((m) => m.destination);
    };
    // The adapters read the directory at most DIRECTORY_MAX_AGE_MS (500 ms) before a call: an edit
    // reaches the deliveries within that time. Submit until one lands where the edit says.
    const nextDeliveryGoesTo = (destination: string) =>
      waitFor(
        async () => {
          const to = await deliveredTo();
          return to.length === 1 && to[0] === destination ? to : undefined;
        },
        `a siena delivery to ${destination}`,
        20000,
      );

    const bad = await put(
      withEndpoints(`e2e-endpoint-bad-${Date.now()}`, [
        { channel: 'siena', destination: 'NL', url: 'htp:/nowhere' },
      ]),
      'e2e: a typo',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      {
        path: `partnerEndpoints[${current.body.partnerEndpoints.length}].url`,
        message: expect.stringMatching(/^endpoint siena\/NL: "htp:\/nowhere"/),
      },
    ]);

    // NL's SIENA desk moves (here: to another partner of the simulator); no restart.
    const moved = await put(
      withEndpoints(`e2e-endpoint-moved-${Date.now()}`, [
        { channel: 'siena', destination: 'NL', url: '/partners/siena/NL-ALT' },
      ]),
      'e2e: NL moved its SIENA endpoint',
    );
    expect(moved.status).toBe(200);
    expect(await nextDeliveryGoesTo('NL-ALT')).toEqual(['NL-ALT']);

    const back = await put(withEndpoints(`e2e-endpoint-back-${Date.now()}`, []), 'e2e: NL back');
    expect(back.status).toBe(200);
    expect(await nextDeliveryGoesTo('NL')).toEqual(['NL']);
  });

  it('refuses an invalid rule set, naming the problem', async () => {
    const res = await api<{ error: { code: string; details: { path: string }[] } }>(
      intake,
      'POST',
      '/v1/rulesets',
      {
        token: admin,
        body: {
          version: 'broken',
          rules: [
            {
              id: 'X',
              scope: 'outbound.target',
              when: { always: true },
              then: { route: { channel: 'fax' } },
            },
          ],
        },
        headers: { 'x-justification': 'e2e' },
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details.length).toBeGreaterThan(0);
    const requesterTry = await api(intake, 'POST', '/v1/rulesets', {
      token: requester,
      body: {},
      headers: { 'x-justification': 'x' },
    });
    expect(requesterTry.status).toBe(403);
  });
});

describe('deadline monitor', () => {
  const stack = new TestStack();
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it('announces the milestones of a routed request and records the breach as an escalation', async () => {
    const intake = stack.url('intake-api', '');
    const token = await tokenFor('PZ-5339', ['requester']);
    const submitted = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token,
      body: requestBody({
        urgency: { urgent: true, ground: 'threat_to_life', reason: 'x' },
        accessibility: 'direct',
      }),
    });
    const id = submitted.body.id;
    const milestones = await waitFor(async () => {
      const { rows } = await stack.db.query<{ milestone: string; due_at: Date }>(
        'SELECT milestone, due_at FROM deadline_milestones WHERE request_id = $1 ORDER BY due_at',
        [id],
      );
      return rows.length === 4 ? rows : undefined;
    }, 'the milestones of the request');
    expect(milestones.map((m) => m.milestone)).toEqual(['warning_50', 'warning_75', 'warning_90', 'breach']);
    const span = milestones[3].due_at.getTime() - milestones[0].due_at.getTime();
    expect(span).toBe(4 * 3600 * 1000); // 50 % → 100 % of 8 hours

    // Time passes: the stored milestones fall due (the monitor reads them from the database).
    await stack.db.query(
      `UPDATE deadline_milestones SET due_at = now() - interval '1 second' WHERE request_id = $1`,
      [id],
    );
    const escalation = await waitFor(async () => {
      const { rows } = await stack.db.query<{ entry: string }>(
        `SELECT entry FROM exchange_log WHERE request_id = $1 AND kind = 'escalated'`,
        [id],
      );
      return rows[0]
        ? (JSON.parse(rows[0].entry) as { recipients: string[]; justification: string })
        : undefined;
    }, 'the escalation entry');
    expect(escalation.recipients).toEqual(['PZ-5339', 'CGI-SPOC']);
    expect(escalation.justification).toContain('urgent_direct_8h');
    const { rows } = await stack.db.query(
      'SELECT count(*)::int AS n FROM deadline_milestones WHERE request_id = $1 AND emitted_at IS NOT NULL',
      [id],
    );
    expect(rows[0].n).toBe(4);
  });
});
