import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { signTokenWithKey, type Role } from '@ixr/auth';
import { DEFAULT_PORTS, startServiceProcess, waitHealthy } from '../scripts/dev/services';
import { api, requestBody, tokenFor, type ApiResponse } from './support/api';
import { TestStack, waitFor } from './support/stack';

/**
 * Access control on the running system: every endpoint × role × own or other unit, need-to-know,
 * justified and logged consultations, logged denials, per-unit rate limits, tokens from a JWKS,
 * the API documents, and no personal data or secret in any service's log.
 */
const OWN = 'PZ-5339';
const OTHER = 'PZ-9999';
/** Reached by the request through deliveries: the SPOC copy and a national contact point. */
const SPOC_COPY_UNIT = 'CGI-SPOC';
const CONTACT_POINT = 'DJSOC-CYBER';
const RATE_LIMITED_UNIT = 'PZ-RATE';
const ROLES: Role[] = ['requester', 'spoc_operator', 'auditor', 'adapter', 'admin'];
/** Unmistakable personal data: must be nowhere in the services' logs. */
const SECRET_NAME = `Zebulon Quixmore-${randomUUID().slice(0, 8)}`;
const SECRET_PURPOSE = `Operation Bluefin ${randomUUID().slice(0, 8)}`;

interface LogEntry {
  kind: string;
  requestId: string | null;
  actor: { person: string; unit: string; role: string };
  justification: string;
  details: Record<string, unknown>;
}

type ErrorBody = { error: { code: string; message: string; details: { path: string; message: string }[] } };

async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size)
    results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return results;
}

interface Caller {
  name: string;
  unit?: string;
  role?: Role;
  token?: string;
}

interface Endpoint {
  method: string;
  /** As in SPEC §2; `{id}` is the test request, `{version}` the active rule set. */
  path: string;
  /** SPEC §2 "who"; 'public' for the documents. */
  roles: Role[] | 'public';
  /** Need-to-know applies: a requester must be the requesting unit or a unit it was routed to. */
  requestScoped?: boolean;
  body?: unknown;
  /** The answer once access is granted (a harmless refusal for admin writes: 400, 404). */
  ok: number;
}

describe('access control, need-to-know and the API documents', () => {
  const stack = new TestStack({ LOG_LEVEL: 'debug', RATE_LIMIT_UNITS: `${RATE_LIMITED_UNIT}=0.1/3` });
  let intake: string;
  let requestId: string;
  let activeVersion: string;
  const callers: Caller[] = [];

  const justified = { 'x-justification': 'Audit 2026/07: sample check of exchanges' };
  const logEntries = async (kind: string) => {
    const { rows } = await stack.db.query<{ entry: string }>(
      'SELECT entry FROM exchange_log WHERE kind = $1 ORDER BY seq',
      [kind],
    );
    return rows.map((r) => JSON.parse(r.entry) as LogEntry);
  };

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    for (const role of ROLES) {
      for (const [where, unit] of [
        ['own', OWN],
        ['other', OTHER],
      ] as const) {
        callers.push({ name: `${role}@${where}`, unit, role, token: await tokenFor(unit, [role]) });
      }
    }
    callers.push({
      name: 'requester@spoc-copy',
      unit: SPOC_COPY_UNIT,
      role: 'requester',
      token: await tokenFor(SPOC_COPY_UNIT, ['requester'], 'federal'),
    });
    callers.push({
      name: 'requester@contact-point',
      unit: CONTACT_POINT,
      role: 'requester',
      token: await tokenFor(CONTACT_POINT, ['requester'], 'cyber'),
    });
    callers.push({ name: 'anonymous' });

    const owner = callers.find((c) => c.name === 'requester@own')!.token!;
    const submitted = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: owner,
      body: requestBody({
        purpose: SECRET_PURPOSE,
        subjects: [{ type: 'person', name: SECRET_NAME, dateOfBirth: '1977-07-07' }],
      }),
    });
    expect(submitted.status).toBe(202);
    requestId = submitted.body.id;
    await waitFor(async () => {
      const { rows } = await stack.db.query(
        `SELECT 1 FROM deliveries WHERE request_id = $1 AND channel = 'national_spoc' AND destination = $2`,
        [requestId, SPOC_COPY_UNIT],
      );
      return rows.length === 1;
    }, 'the request routed with its SPOC copy');
    // The inbound path routes foreign requests to a contact point over national_unit; this request
    // gets such a delivery by hand, so that the contact-point rule is exercised on the same request.
    await stack.db.query(
      `INSERT INTO deliveries (id, request_id, channel, destination, role, rule_id, status, attempts, dispatched_at)
       VALUES ($1, $2, 'national_unit', $3, 'primary', 'test.contact-point', 'delivered', 1, now())`,
      [randomUUID(), requestId, CONTACT_POINT],
    );
    const spoc = callers.find((c) => c.name === 'spoc_operator@own')!.token!;
    const rulesets = await api<{ version: string; status: string }[]>(intake, 'GET', '/v1/rulesets', {
      token: spoc,
    });
    activeVersion = rulesets.body.find((r) => r.status === 'active')!.version;
  });
  afterAll(() => stack.stop());

  const endpoints = (): Endpoint[] => [
    {
      method: 'POST',
      path: '/v1/requests',
      roles: ['requester', 'spoc_operator'],
      body: requestBody(),
      ok: 202,
    },
    {
      method: 'GET',
      path: '/v1/requests/{id}',
      roles: ['requester', 'spoc_operator', 'auditor'],
      requestScoped: true,
      ok: 200,
    },
    {
      method: 'GET',
      path: '/v1/requests/{id}/decision',
      roles: ['requester', 'spoc_operator', 'auditor'],
      requestScoped: true,
      ok: 200,
    },
    {
      method: 'POST',
      path: '/v1/routing/simulate',
      roles: ['spoc_operator', 'admin'],
      body: { request: requestBody() },
      ok: 200,
    },
    { method: 'GET', path: '/v1/rulesets', roles: ['spoc_operator', 'admin', 'auditor'], ok: 200 },
    { method: 'GET', path: '/v1/rulesets/{version}', roles: ['spoc_operator', 'admin', 'auditor'], ok: 200 },
    { method: 'POST', path: '/v1/rulesets', roles: ['admin'], body: {}, ok: 400 },
    { method: 'POST', path: '/v1/rulesets/{version}/validate', roles: ['admin', 'spoc_operator'], ok: 200 },
    { method: 'POST', path: '/v1/rulesets/no-such-version/activate', roles: ['admin'], ok: 404 },
    { method: 'GET', path: '/v1/directory', roles: ['spoc_operator', 'admin', 'auditor'], ok: 200 },
    { method: 'PUT', path: '/v1/directory', roles: ['admin'], body: {}, ok: 400 },
    { method: 'GET', path: '/openapi.json', roles: 'public', ok: 200 },
    { method: 'GET', path: '/docs', roles: 'public', ok: 200 },
  ];

  function expected(endpoint: Endpoint, caller: Caller): number {
    if (endpoint.roles === 'public') return endpoint.ok;
    if (!caller.token || !caller.role) return 401;
    if (!endpoint.roles.includes(caller.role)) return 403;
    if (
      endpoint.requestScoped &&
      caller.role === 'requester' &&
      ![OWN, SPOC_COPY_UNIT, CONTACT_POINT].includes(caller.unit!)
    ) {
      return 403;
    }
    return endpoint.ok;
  }

  it('answers every endpoint × role × unit as SPEC §2 and need-to-know say, and logs every refusal', async () => {
    const deniedBefore = (await logEntries('denied')).length;
    const consultedBefore = (await logEntries('consulted')).length;
    const cases = endpoints().flatMap((endpoint) => callers.map((caller) => ({ endpoint, caller })));
    const results = await inBatches(cases, 8, async ({ endpoint, caller }) => {
      const path = endpoint.path.replace('{id}', requestId).replace('{version}', activeVersion);
      const res = await api<ErrorBody>(intake, endpoint.method, path, {
        token: caller.token,
        body: endpoint.body,
        headers: justified,
      });
      return { endpoint, caller, status: res.status, body: res.body };
    });
    const mismatches = results
      .filter((r) => r.status !== expected(r.endpoint, r.caller))
      .map(
        (r) =>
          `${r.endpoint.method} ${r.endpoint.path} as ${r.caller.name}: ${r.status}, expected ${expected(r.endpoint, r.caller)} ${JSON.stringify(r.body).slice(0, 200)}`,
      );
    expect(mismatches).toEqual([]);
    expect(results.length).toBe(endpoints().length * callers.length);

    // Every refusal says why, with the stable codes.
    for (const r of results.filter((x) => x.status === 403)) expect(r.body.error.code).toBe('AUTH.FORBIDDEN');
    for (const r of results.filter((x) => x.status === 401))
      expect(r.body.error.code).toBe('AUTH.UNAUTHENTICATED');

    // Every 403 is itself logged as `denied`; every read of the request's content and every
    // auditor read as `consulted`.
    const denials = results.filter((r) => r.status === 403).length;
    const consultations = results.filter(
      (r) =>
        r.status === 200 &&
        (r.endpoint.path === '/v1/requests/{id}' ||
          r.endpoint.path === '/v1/routing/simulate' ||
          (r.caller.role === 'auditor' && r.endpoint.roles !== 'public')),
    ).length;
    const denied = await waitFor(
      async () => {
        const entries = await logEntries('denied');
        return entries.length - deniedBefore >= denials ? entries.slice(deniedBefore) : undefined;
      },
      `${denials} denied entries in the exchange log`,
      60000,
    );
    expect(denied).toHaveLength(denials);
    const consulted = await waitFor(
      async () => {
        const entries = await logEntries('consulted');
        return entries.length - consultedBefore >= consultations ? entries.slice(consultedBefore) : undefined;
      },
      `${consultations} consulted entries`,
      60000,
    );
    expect(consulted).toHaveLength(consultations);
    const otherUnitRead = denied.find(
      (e) => e.actor.unit === OTHER && e.requestId === requestId && e.details.action === 'request_viewed',
    );
    expect(otherUnitRead).toMatchObject({
      actor: { role: 'requester' },
      justification: justified['x-justification'],
    });
    expect(String(otherUnitRead?.details.reason)).toContain('another unit');
  });

  it('requires an auditor to justify every read, and reads nothing without it', async () => {
    const auditor = callers.find((c) => c.name === 'auditor@other')!.token!;
    const consultedBefore = (await logEntries('consulted')).length;
    for (const path of [
      `/v1/requests/${requestId}`,
      `/v1/requests/${requestId}/decision`,
      '/v1/rulesets',
      '/v1/directory',
    ]) {
      const res = await api<ErrorBody>(intake, 'GET', path, { token: auditor });
      expect({ path, status: res.status, code: res.body.error.code }).toEqual({
        path,
        status: 400,
        code: 'AUDIT.JUSTIFICATION_REQUIRED',
      });
      expect(res.body.error.details).toEqual([{ path: 'header:X-Justification', message: 'required' }]);
    }
    const read = await api<{ id: string; request: { subjects: unknown[] } }>(
      intake,
      'GET',
      `/v1/requests/${requestId}`,
      {
        token: auditor,
        headers: { 'x-justification': 'Supervisory authority inquiry 12/2026' },
      },
    );
    expect(read.status).toBe(200);
    expect(read.body.request.subjects).toHaveLength(1);
    const entry = await waitFor(async () => {
      const entries = (await logEntries('consulted')).slice(consultedBefore);
      return entries.find((e) => e.justification === 'Supervisory authority inquiry 12/2026');
    }, 'the auditor consultation in the log');
    expect(entry).toMatchObject({
      requestId,
      actor: { unit: OTHER, role: 'auditor' },
      details: { action: 'request_viewed', basis: 'auditor' },
    });
    // The four refused reads left no consultation behind.
    expect((await logEntries('consulted')).slice(consultedBefore)).toHaveLength(1);
  });

  it('logs a unit reading its own request with the basis of its access', async () => {
    const owner = callers.find((c) => c.name === 'requester@own')!.token!;
    const before = (await logEntries('consulted')).length;
    expect((await api(intake, 'GET', `/v1/requests/${requestId}`, { token: owner })).status).toBe(200);
    const entry = await waitFor(
      async () => (await logEntries('consulted')).slice(before)[0],
      'the consultation',
    );
    expect(entry).toMatchObject({
      requestId,
      actor: { unit: OWN, role: 'requester' },
      justification: "follow-up of the unit's own request",
      details: { basis: 'requesting_unit' },
    });
  });

  it('limits each unit with 429 and Retry-After, without touching other units', async () => {
    const limited = await tokenFor(RATE_LIMITED_UNIT, ['requester']);
    const path = `/v1/requests/${randomUUID()}`;
    const answers: ApiResponse<ErrorBody>[] = [];
    for (let i = 0; i < 5; i++) answers.push(await api<ErrorBody>(intake, 'GET', path, { token: limited }));
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 429, 429]);
    const refused = answers[3];
    expect(refused.body.error.code).toBe('INTAKE.RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(10);
    const other = callers.find((c) => c.name === 'requester@other')!.token!;
    expect((await api(intake, 'GET', path, { token: other })).status).toBe(404);
  });

  it('accepts RS256 tokens from a JWKS file when configured so, and then refuses HS256 ones', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const dir = mkdtempSync(join(tmpdir(), 'ixr-jwks-'));
    const file = join(dir, 'jwks.json');
    writeFileSync(
      file,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256' }] }),
    );
    const port = DEFAULT_PORTS['intake-api'] + 50;
    const output: string[] = [];
    const service = startServiceProcess(
      'intake-api',
      { ...stack.env, JWT_ALGORITHMS: 'RS256', JWT_JWKS_FILE: file },
      (_name, line) => output.push(line),
      port,
    );
    try {
      await waitHealthy(service);
      const url = `http://127.0.0.1:${port}`;
      const claims = {
        sub: 'op-1',
        unit: 'CGI-SPOC',
        level: 'federal' as const,
        roles: ['spoc_operator' as const],
      };
      const rs256 = await signTokenWithKey(claims, { privateKey, alg: 'RS256', kid: 'idp-1' });
      expect((await api(url, 'GET', '/v1/rulesets', { token: rs256 })).status).toBe(200);
      const hs256 = await tokenFor('CGI-SPOC', ['spoc_operator']);
      const refused = await api<ErrorBody>(url, 'GET', '/v1/rulesets', { token: hs256 });
      expect(refused.status).toBe(401);
      expect(refused.body.error.message).toBe('token algorithm is not accepted');
      const doc = await api<{ components: { securitySchemes: { bearer: { description: string } } } }>(
        url,
        'GET',
        '/openapi.json',
      );
      expect(doc.body.components.securitySchemes.bearer.description).toContain('RS256');
    } finally {
      await service.stop();
    }
  });

  it('serves /docs listing every endpoint with its schema, and /openapi.json', async () => {
    const doc = await api<{
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    }>(intake, 'GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    for (const endpoint of endpoints()) {
      const path = endpoint.path.replace('no-such-version', '{version}');
      expect(doc.body.paths[path]?.[endpoint.method.toLowerCase()]).toBeDefined();
    }
    expect(doc.body.paths['/v1/requests'].post.requestBody).toBeDefined();
    const page = await fetch(`${intake}/docs`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    for (const [path, item] of Object.entries(doc.body.paths)) {
      for (const method of Object.keys(item))
        expect(html).toContain(`${method.toUpperCase()}</span><code>${path}</code>`);
    }
    expect(html).toContain('OutboundRequest');
    expect(html).toContain('&#34;informationSought&#34;');
  });

  it('carries the handling code to the partner with every delivery', async () => {
    const messages = await waitFor(async () => {
      const res = await api<{ channel: string; message: { handlingCode?: string } }[]>(
        stack.url('partner-simulator', ''),
        'GET',
        `/simulator/requests/${requestId}/messages`,
      );
      return res.body.length > 0 ? res.body : undefined;
    }, 'the partner messages of the request');
    for (const received of messages)
      expect(received.message).toMatchObject({ handlingCode: 'H1', requestId });
  });

  it('keeps personal data and tokens out of every service log', async () => {
    const owner = callers.find((c) => c.name === 'requester@own')!.token!;
    const log = stack.output.join('\n');
    expect(log.length).toBeGreaterThan(0);
    // The check reads what every service really wrote during this suite (at debug level).
    for (const service of ['intake-api', 'router', 'channel-adapters', 'exchange-log', 'partner-simulator']) {
      expect(log).toContain(`[${service}] {"level"`);
    }
    for (const secret of [SECRET_NAME, SECRET_PURPOSE, '1977-07-07', owner, owner.split('.')[2]]) {
      expect(log).not.toContain(secret);
    }
  });
});
