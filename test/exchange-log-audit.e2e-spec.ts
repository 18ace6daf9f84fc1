import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_SECRET, signDevToken, type Role } from '@ixr/auth';
import { leafHash, signingKeyFromSeed, verifyCheckpoint, verifyInclusion } from '@ixr/exchange-log';
import { canonicalDocument, sha256Hex } from '@ixr/routing';
import { startServiceProcess, waitHealthy } from '../scripts/dev/services';
import { repoRoot } from '../scripts/dev/paths';
import { api, requestBody } from './support/api';
import { TestStack, waitFor } from './support/stack';
import { partnerRequest } from './support/partner-request';

/**
 * The audit tools on a running system (issue 4's "done when"): after a few hundred requests the
 * timeline shows every step with actors, justifications and proofs; verify finds the log intact
 * and names the row a superuser changed; replay reproduces every decision; an exported bundle
 * verifies offline in another folder with no database; the audit routes refuse a read without a
 * justification and record nothing; and with the log writer down nothing is delivered.
 */
const ORIGIN = 'ixr.e2e/exchange-log';
const LOG_KEY = signingKeyFromSeed(ORIGIN, Buffer.alloc(32, 11));
const EXPORT_KEY = signingKeyFromSeed('ixr.e2e/audit-export', Buffer.alloc(32, 12));
const REQUESTS = 200;
const work = mkdtempSync(join(tmpdir(), 'ixr-log-e2e-'));

async function tokenOf(sub: string, unit: string, roles: Role[]): Promise<string> {
  return signDevToken({ sub, unit, level: 'federal', roles }, { secret: DEV_SECRET });
}

/** The compiled audit CLI as an auditor would run it, with exactly the environment given. */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = work,
): Promise<{ code: number | null; out: string; err: string }> {
  const root = repoRoot();
  const child = spawn(
    process.execPath,
    ['-r', join(root, 'scripts', 'register-paths.js'), join(root, 'dist', 'scripts', 'audit.js'), ...args],
    { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

describe('exchange log audit on a running system', () => {
  const stack = new TestStack({
    LOG_ORIGIN: ORIGIN,
    LOG_SIGNING_KEY: LOG_KEY.signerKey,
    LOG_VERIFIER_KEY: LOG_KEY.verifierKey,
    AUDIT_SIGNING_KEY: EXPORT_KEY.signerKey,
    CHECKPOINT_INTERVAL_MS: '300',
  });
  let intake: string;
  let auditor: string;
  let requester: string;
  const ids: string[] = [];
  /** A partner's request (NL over SIENA, through the partner simulator): routed inbound. */
  let inboundId: string;
  const justified = (why: string) => ({ 'x-justification': why });

  async function logEntries<T = Record<string, unknown>>(where: string, params: unknown[]): Promise<T[]> {
    const { rows } = await stack.db.query<{ entry: string }>(
      `SELECT entry FROM exchange_log WHERE ${where} ORDER BY seq`,
      params,
    );
    return rows.map((r) => JSON.parse(r.entry) as T);
  }

  /** Waits until every entry so far is under a signed checkpoint. */
  async function allCheckpointed(): Promise<void> {
    await waitFor(
      async () => {
        const { rows } = await stack.db.query<{ ok: boolean }>(
          `SELECT (SELECT coalesce(max(tree_size), 0) FROM exchange_log_checkpoints) >= (SELECT count(*) FROM exchange_log) AS ok`,
        );
        return rows[0].ok;
      },
      'a checkpoint covering the whole log',
      60000,
    );
  }

  // The time range export covers this suite's entries only: another suite of the same run (the
  // timeline pages' 100,000 entries) would take a range over all time past the export limit.
  const suiteStartedAt = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    auditor = await tokenOf('auditor-e2e-1', 'AIG-AUDIT', ['auditor']);
    requester = await tokenOf('test-pz-5339', 'PZ-5339', ['requester']);
    const countries = ['NL', 'FR', 'DE', 'US', 'LU', 'ES'];
    for (let i = 0; i < REQUESTS; i += 20) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          api<{ id: string }>(intake, 'POST', '/v1/requests', {
            token: requester,
            body: requestBody({ targetCountries: [countries[(i + j) % countries.length]] }),
          }),
        ),
      );
      for (const a of answers) {
        expect(a.status).toBe(202);
        ids.push(a.body.id);
      }
    }
    await waitFor(
      async () => {
        const { rows } = await stack.db.query<{ pending: string }>(
          `SELECT (SELECT count(*) FROM deliveries WHERE request_id = ANY($1)) -
                  (SELECT count(*) FROM exchange_log WHERE kind = 'delivered' AND request_id = ANY($2)) AS pending`,
          [ids, ids],
        );
        const { rows: routed } = await stack.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM exchange_log WHERE kind = 'routed' AND request_id = ANY($1)`,
          [ids],
        );
        return Number(routed[0].n) === REQUESTS && Number(rows[0].pending) === 0;
      },
      `${REQUESTS} requests delivered and logged`,
      240000,
    );
    // An inbound request too: the partner simulator signs and sends it to the SIENA adapter.
    const sent = await api<{ ixr: { status: number; body: { reference: string } } }>(
      stack.url('partner-simulator', ''),
      'POST',
      '/simulator/partners/siena/NL/send',
      {
        body: partnerRequest(),
      },
    );
    expect(sent.status).toBe(200);
    expect(sent.body.ixr.status).toBe(202);
    inboundId = sent.body.ixr.body.reference;
    await waitFor(
      async () => (await logEntries(`kind = 'routed' AND request_id = $1`, [inboundId])).length === 1,
      'the inbound decision logged',
      60000,
    );
    await allCheckpointed();
  }, 420000);

  afterAll(async () => {
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses every audit route without X-Justification (400), reads and records nothing; 403 to a non-auditor', async () => {
    const lone = await tokenOf('auditor-e2e-nojust', 'AIG-AUDIT', ['auditor']);
    const routes: [string, string][] = [
      ['GET', '/v1/audit/verify'],
      ['GET', `/v1/audit/requests/${ids[0]}/timeline`],
      ['POST', '/v1/audit/replay'],
      ['GET', `/v1/audit/export?requestId=${ids[0]}`],
    ];
    for (const [method, path] of routes) {
      const res = await api<{ error: { code: string } }>(intake, method, path, { token: lone });
      expect([path, res.status, res.body.error.code]).toEqual([path, 400, 'AUDIT.JUSTIFICATION_REQUIRED']);
      const blank = await api(intake, method, path, { token: lone, headers: justified('   ') });
      expect(blank.status).toBe(400);
      const denied = await api(intake, method, path, { token: requester, headers: justified('curious') });
      expect(denied.status).toBe(403);
    }
    // A justified read by the same auditor is recorded: once it is in the log, nothing else of theirs is.
    expect(
      (await api(intake, 'GET', '/v1/audit/verify', { token: lone, headers: justified('marker') })).status,
    ).toBe(200);
    const mine = await waitFor(async () => {
      const rows = await logEntries<{ justification: string }>(`entry LIKE $1`, [
        '%"person":"auditor-e2e-nojust"%',
      ]);
      return rows.length > 0 ? rows : undefined;
    }, 'the justified read in the log');
    expect(mine.map((e) => e.justification)).toEqual(['marker']);
    const { rows } = await stack.db.query(`SELECT 1 FROM outbox WHERE value LIKE '%auditor-e2e-nojust%'`);
    expect(rows).toHaveLength(0);
  });

  it('shows a timeline received → routed → dispatched → delivered, with actors, justifications and proofs', async () => {
    const id = ids[0];
    // The refused reads above were logged against this request: entries newer than the last signed
    // checkpoint have no inclusion proof yet (null, by design), so wait for one that covers them.
    await allCheckpointed();
    const res = await api<{
      checkpoint: { size: number; rootHash: string; note: string };
      entries: {
        seq: number;
        kind: string;
        actor: { person: string; unit: string; role: string };
        justification: string;
        canonical: string;
        leafHash: string;
        inclusion: { treeSize: number; leafIndex: number; hashes: string[]; verified: boolean } | null;
      }[];
    }>(intake, 'GET', `/v1/audit/requests/${id}/timeline`, {
      token: auditor,
      headers: justified('case 2026/44 review'),
    });
    expect(res.status).toBe(200);
    const kinds = res.body.entries.map((e) => e.kind);
    expect(kinds.slice(0, 2)).toEqual(['received', 'routed']);
    expect(kinds.lastIndexOf('dispatched')).toBeLessThan(kinds.indexOf('delivered'));
    expect(kinds.filter((k) => k === 'dispatched').length).toBe(
      kinds.filter((k) => k === 'delivered').length,
    );
    expect(res.body.entries[0].actor).toEqual({ person: 'test-pz-5339', unit: 'PZ-5339', role: 'requester' });
    expect(res.body.entries[1].actor.person).toBe('system:router');
    for (const e of res.body.entries) expect(e.justification.length).toBeGreaterThan(0);
    // The auditor checks every proof alone, with the public key and nothing from the server's say-so.
    const head = verifyCheckpoint(res.body.checkpoint.note, LOG_KEY.verifierKey, { origin: ORIGIN });
    for (const e of res.body.entries) {
      const leaf = leafHash(Buffer.from(e.canonical));
      expect(leaf.toString('hex')).toBe(e.leafHash);
      expect(e.inclusion).not.toBeNull();
      const proof = e.inclusion!.hashes.map((h) => Buffer.from(h, 'hex'));
      expect(verifyInclusion(leaf, e.seq, head.size, proof, head.rootHash)).toEqual({ ok: true });
    }
    // The read itself is now in the log, with the auditor and the justification.
    await waitFor(async () => {
      const rows = await logEntries<{ kind: string; justification: string; actor: { person: string } }>(
        `kind = 'consulted' AND request_id = $1`,
        [id],
      );
      return rows.find(
        (r) => r.actor.person === 'auditor-e2e-1' && r.justification === 'case 2026/44 review',
      );
    }, 'the consultation recorded');
    const malformed = await api(intake, 'GET', `/v1/audit/requests/${encodeURIComponent('a b')}/timeline`, {
      token: auditor,
      headers: justified('x'),
    });
    expect(malformed.status).toBe(400);
  });

  it('verifies the whole log intact, through the API and the CLI', async () => {
    const res = await api<{
      ok: boolean;
      entries: number;
      checkpoints: { verified: number };
      trust: { source: string };
    }>(intake, 'GET', '/v1/audit/verify', {
      token: auditor,
      headers: justified('quarterly integrity check'),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, trust: { source: 'configured' } });
    expect(res.body.entries).toBeGreaterThanOrEqual(REQUESTS * 6);
    expect(res.body.checkpoints.verified).toBeGreaterThan(0);

    const env = {
      DATABASE_URL: stack.env.DATABASE_URL,
      LOG_ORIGIN: ORIGIN,
      LOG_VERIFIER_KEY: LOG_KEY.verifierKey,
    };
    const ok = await cli(['verify', '--justification', 'cli integrity check', '--actor', 'cli-auditor'], env);
    expect([ok.code, ok.out]).toEqual([0, expect.stringMatching(/^log intact: \d+ entries/)]);
    await waitFor(
      async () =>
        (await logEntries(`kind = 'consulted' AND entry LIKE $1`, ['%"person":"cli-auditor"%'])).length === 1,
      'the CLI read recorded',
    );
  });

  it('CLI usage errors are clear and change nothing', async () => {
    const none = await cli([], {});
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/a command is required[\s\S]*usage: npm run audit/);
    const unjustified = await cli(['timeline', ids[0]], { DATABASE_URL: stack.env.DATABASE_URL });
    expect([unjustified.code, unjustified.err]).toEqual([
      2,
      expect.stringMatching(/--justification "<why>" is required/),
    ]);
    const badOption = await cli(['verify', '--frobnicate'], {});
    expect([badOption.code, badOption.err]).toEqual([
      2,
      expect.stringMatching(/Unknown option '--frobnicate'/),
    ]);
    const badRange = await cli(
      ['export', '--from', 'yesterday', '--to', 'now', '--out', join(work, 'x'), '--justification', 'y'],
      {},
    );
    expect([badRange.code, badRange.err]).toEqual([
      2,
      expect.stringMatching(/--from must be an ISO 8601 instant/),
    ]);
  });

  it('replays every recorded decision with its rule set, directory and input, and reproduces each', async () => {
    const res = await api<{
      ok: boolean;
      replayed: number;
      matched: number;
      differing: unknown[];
      unreplayable: unknown[];
    }>(intake, 'POST', '/v1/audit/replay', {
      token: auditor,
      headers: justified('replay after rule-set audit'),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, differing: [], unreplayable: [] });
    expect(res.body.replayed).toBeGreaterThanOrEqual(REQUESTS + 1);
    expect(res.body.matched).toBe(res.body.replayed);
  });

  it('replays an inbound decision (a partner request) with its recorded rule set and directory version, API and CLI', async () => {
    const [routed] = await logEntries<{ details: { direction: string; directoryVersion?: string } }>(
      `kind = 'routed' AND request_id = $1`,
      [inboundId],
    );
    expect(routed.details).toMatchObject({ direction: 'inbound', directoryVersion: expect.any(String) });
    const res = await api<{ ok: boolean; replayed: number; matched: number; unreplayable: unknown[] }>(
      intake,
      'POST',
      '/v1/audit/replay',
      { token: auditor, headers: justified('replay the inbound decision'), body: { requestId: inboundId } },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, replayed: 1, matched: 1, unreplayable: [] });

    const env = {
      DATABASE_URL: stack.env.DATABASE_URL,
      LOG_ORIGIN: ORIGIN,
      LOG_VERIFIER_KEY: LOG_KEY.verifierKey,
    };
    const run = await cli(
      ['replay', '--request', inboundId, '--justification', 'cli inbound replay', '--json'],
      env,
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ replayed: 1, matched: 1, differing: [], unreplayable: [] });

    // The directory the decision names is changed after the fact: the inbound replay says so.
    const version = routed.details.directoryVersion!;
    const { rows } = await stack.db.query<{ document: Record<string, unknown>; hash: string }>(
      'SELECT document, hash FROM directory_versions WHERE version = $1',
      [version],
    );
    const original = rows[0];
    const forged = structuredClone(original.document) as {
      contactPoints: { id: string; name: string }[];
    };
    for (const point of forged.contactPoints) point.name = `${point.name} (forged)`;
    await stack.db.query('UPDATE directory_versions SET document = $1, hash = $2 WHERE version = $3', [
      JSON.stringify(forged),
      sha256Hex(canonicalDocument(forged)),
      version,
    ]);
    try {
      const differing = await cli(
        ['replay', '--request', inboundId, '--justification', 'cli inbound replay', '--json'],
        env,
      );
      expect(differing.code).toBe(1);
      const report = JSON.parse(differing.out) as {
        differing: { requestId: string; differences: { path: string }[] }[];
      };
      expect(report.differing).toHaveLength(1);
      expect(report.differing[0].requestId).toBe(inboundId);
      expect(report.differing[0].differences.map((d) => d.path)).toContain('$.decision.routes[0].reason');
    } finally {
      await stack.db.query('UPDATE directory_versions SET document = $1, hash = $2 WHERE version = $3', [
        JSON.stringify(original.document),
        original.hash,
        version,
      ]);
    }
  });

  it('replay reports a decision the recorded directory version no longer reproduces', async () => {
    const id = ids.find((_, i) => i % 6 === 0)!; // a request to NL
    const [routed] = await logEntries<{ details: { directoryVersion: string } }>(
      `kind = 'routed' AND request_id = $1`,
      [id],
    );
    const version = routed.details.directoryVersion;
    const { rows } = await stack.db.query<{
      document: { countries: Record<string, { euMember: boolean }> };
      hash: string;
    }>('SELECT document, hash FROM directory_versions WHERE version = $1', [version]);
    const original = rows[0];
    // Someone edits the stored directory version (and its hash) after the fact: NL no longer in the EU.
    const forged = structuredClone(original.document);
    forged.countries.NL.euMember = false;
    await stack.db.query('UPDATE directory_versions SET document = $1, hash = $2 WHERE version = $3', [
      JSON.stringify(forged),
      sha256Hex(canonicalDocument(forged)),
      version,
    ]);
    try {
      const res = await api<{
        ok: boolean;
        differing: { requestId: string; differences: { path: string }[] }[];
      }>(intake, 'POST', '/v1/audit/replay', {
        token: auditor,
        headers: justified('replay one'),
        body: { requestId: id },
      });
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.differing).toHaveLength(1);
      expect(res.body.differing[0].requestId).toBe(id);
      expect(res.body.differing[0].differences.map((d) => d.path)).toContain('$.routes[0].channel');
    } finally {
      await stack.db.query('UPDATE directory_versions SET document = $1, hash = $2 WHERE version = $3', [
        JSON.stringify(original.document),
        original.hash,
        version,
      ]);
    }
  });

  it('exports a bundle that verifies offline in another folder with no database; a changed byte is named', async () => {
    const id = ids[1];
    await allCheckpointed();
    const res = await api<{ manifest: { entries: number }; files: Record<string, string> }>(
      intake,
      'GET',
      `/v1/audit/export?requestId=${id}`,
      { token: auditor, headers: justified('evidence for the supervisory authority') },
    );
    expect(res.status).toBe(200);
    const bundle = join(work, 'api-bundle.json');
    writeFileSync(bundle, JSON.stringify(res.body));
    // No DATABASE_URL, another working directory, only the bundle and the published key.
    const offline = mkdtempSync(join(tmpdir(), 'ixr-offline-'));
    try {
      cpSync(bundle, join(offline, 'bundle.json'));
      writeFileSync(join(offline, 'log.vkey'), `${LOG_KEY.verifierKey}\n`);
      const checked = await cli(
        ['verify', '--bundle', 'bundle.json', '--vkey', 'log.vkey', '--export-vkey', EXPORT_KEY.verifierKey],
        {},
        offline,
      );
      expect([checked.code, checked.out, checked.err]).toEqual([
        0,
        expect.stringMatching(/^bundle intact: \d+ entries/),
        '',
      ]);

      // The CLI exports a directory bundle too; copied elsewhere it still verifies, and a changed byte is named.
      const dir = join(work, 'cli-bundle');
      const exported = await cli(
        [
          'export',
          '--request',
          id,
          '--out',
          dir,
          '--justification',
          'court order 12/2026',
          '--actor',
          'cli-auditor',
        ],
        {
          DATABASE_URL: stack.env.DATABASE_URL,
          LOG_ORIGIN: ORIGIN,
          LOG_VERIFIER_KEY: LOG_KEY.verifierKey,
          AUDIT_SIGNING_KEY: EXPORT_KEY.signerKey,
        },
      );
      expect([exported.code, exported.err]).toEqual([0, '']);
      cpSync(dir, join(offline, 'copy'), { recursive: true });
      const copy = await cli(['verify', '--bundle', 'copy', '--vkey', 'log.vkey'], {}, offline);
      expect([copy.code, copy.out]).toEqual([0, expect.stringMatching(/^bundle intact/)]);
      expect(copy.err).toMatch(/exporter key taken from the bundle itself/);

      const entriesFile = join(offline, 'copy', 'entries.jsonl');
      const lines = readFileSync(entriesFile, 'utf8').split('\n');
      const seq = (JSON.parse(lines[1]) as { seq: number }).seq;
      lines[1] = lines[1].replace('"kind":"', '"kind":"x');
      writeFileSync(entriesFile, lines.join('\n'));
      const broken = await cli(['verify', '--bundle', 'copy', '--vkey', 'log.vkey'], {}, offline);
      expect(broken.code).toBe(1);
      expect(broken.out).toMatch(new RegExp(`seq ${seq}: the entry bytes do not hash to the proven leaf`));
    } finally {
      rmSync(offline, { recursive: true, force: true });
    }
    // Both exports are in the log as `exported`, with who and why.
    await waitFor(async () => {
      const rows = await logEntries<{ justification: string }>(`kind = 'exported' AND request_id = $1`, [id]);
      return rows.length === 2 ? rows : undefined;
    }, 'the exports recorded');

    const range = await api<{ manifest: { entries: number } }>(
      intake,
      'GET',
      `/v1/audit/export?from=${suiteStartedAt}&to=2100-01-01T00:00:00Z`,
      { token: auditor, headers: justified('export of a time range') },
    );
    expect(range.status).toBe(200);
    expect(range.body.manifest.entries).toBeGreaterThanOrEqual(REQUESTS * 6);
    const bad = await api<{ error: { details: { path: string }[] } }>(
      intake,
      'GET',
      '/v1/audit/export?from=2026-01-01T00:00:00Z',
      {
        token: auditor,
        headers: justified('x'),
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d) => d.path)).toEqual(['query:to']);
  });

  it('names the seq of a row the database superuser changed by hand', async () => {
    await allCheckpointed();
    const { rows } = await stack.db.query<{ seq: string; entry: string }>(
      `SELECT seq, entry FROM exchange_log WHERE kind = 'dispatched' AND request_id = $1 ORDER BY seq LIMIT 1`,
      [ids[2]],
    );
    const { seq, entry } = rows[0];
    const update = async (text: string) => {
      await stack.db.query('BEGIN');
      await stack.db.query('SET LOCAL session_replication_role = replica');
      await stack.db.query('UPDATE exchange_log SET entry = $1 WHERE seq = $2', [text, seq]);
      await stack.db.query('COMMIT');
    };
    await update(entry.replace('"channel":"', '"channel":"x'));
    try {
      const res = await api<{ ok: boolean; firstBadSeq: number; failure: string }>(
        intake,
        'GET',
        '/v1/audit/verify',
        {
          token: auditor,
          headers: justified('integrity check after incident'),
        },
      );
      expect(res.body).toMatchObject({ ok: false, firstBadSeq: Number(seq), failure: 'LEAF_HASH' });
    } finally {
      await update(entry);
    }
    const after = await api<{ ok: boolean }>(intake, 'GET', '/v1/audit/verify', {
      token: auditor,
      headers: justified('integrity check after repair'),
    });
    expect(after.body.ok).toBe(true);
  });

  it('with the log writer down, nothing is delivered; once it is back, deliveries resume, logged first', async () => {
    await stack.services.get('exchange-log')!.stop();
    const submitted = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({ targetCountries: ['NL'] }),
    });
    expect(submitted.status).toBe(202);
    const id = submitted.body.id;
    // The router decided and announced it: from here only the log writer can release the deliveries.
    await waitFor(async () => {
      const { rows } = await stack.db.query<{ status: string; queued: string }>(
        `SELECT status, (SELECT count(*) FROM outbox WHERE key = $2) AS queued FROM requests WHERE id = $1`,
        [id, id],
      );
      return rows[0]?.status === 'routed' && rows[0].queued === '0';
    }, 'the request routed and its routed event published');
    const observeUntil = Date.now() + 4000; // a bounded observation of an absence: four delivery round trips
    while (Date.now() < observeUntil) {
      const messages = await api<unknown[]>(
        stack.url('partner-simulator', ''),
        'GET',
        `/simulator/requests/${id}/messages`,
      );
      const { rows } = await stack.db.query<{ delivered: string; inbox: string; dispatched: string }>(
        `SELECT (SELECT count(*) FROM deliveries WHERE request_id = $1 AND status <> 'pending') AS delivered,
                (SELECT count(*) FROM unit_inbox WHERE request_id = $1) AS inbox,
                (SELECT count(*) FROM outbox WHERE topic = 'ixr.deliveries.dispatched' AND key = $2) AS dispatched`,
        [id, id],
      );
      expect([messages.body, rows[0]]).toEqual([[], { delivered: '0', inbox: '0', dispatched: '0' }]);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const restarted = startServiceProcess('exchange-log', stack.env, (service, line) =>
      stack.output.push(`[${service}] ${line}`),
    );
    stack.services.set('exchange-log', restarted);
    await waitHealthy(restarted);
    await waitFor(
      async () => {
        const res = await api<{ status: string }>(intake, 'GET', `/v1/requests/${id}`, { token: requester });
        return res.body.status === 'delivered';
      },
      'the request delivered once the log writer is back',
      60000,
    );
    const entries = await logEntries<{ kind: string; seq: number; details: { deliveryId: string } }>(
      `request_id = $1 AND kind IN ('dispatched', 'delivered')`,
      [id],
    );
    const dispatchedAt = new Map(
      entries.filter((e) => e.kind === 'dispatched').map((e) => [e.details.deliveryId, e.seq]),
    );
    for (const delivered of entries.filter((e) => e.kind === 'delivered')) {
      expect(dispatchedAt.get(delivered.details.deliveryId)).toBeLessThan(delivered.seq);
    }
    expect(dispatchedAt.size).toBeGreaterThanOrEqual(2);
  });
});
