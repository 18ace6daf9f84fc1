import { Pool } from 'pg';
import type { OutboundRequestBody } from '@ixr/domain';
import { leafHash } from '@ixr/exchange-log';
import { requestBody } from '../../support/api';
import { waitFor } from '../../support/stack';

/** Channels whose deliveries reach a foreign partner (the simulator), not a unit's inbox. */
const NATIONAL = new Set(['national_spoc', 'national_unit']);

/** A pool on the test database that survives the database being cut off (reconnects on use). */
export function faultPool(databaseUrl: string): Pool {
  const pool = new Pool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 3000 });
  pool.on('error', () => undefined);
  return pool;
}

/** A mix of requests: SIENA (NL, DE) with the Europol copy, and a third country (interpol + liaison). */
export function mixedBody(i: number): OutboundRequestBody {
  switch (i % 3) {
    case 0:
      return requestBody({ targetCountries: ['NL'], informationSought: `Addresses of subject ${i}` });
    case 1:
      return requestBody({ targetCountries: ['DE'], informationSought: `Vehicles of subject ${i}` });
    default:
      return requestBody({
        targetCountries: ['US'],
        offence: { category: 'other', description: `Online threat ${i}` },
        informationSought: `Accounts of subject ${i}`,
      });
  }
}

export interface Submitted {
  key: string;
  id: string;
  /** 503s and network errors answered before the 202 (retried with the same Idempotency-Key). */
  retries: number;
}

/**
 * Submits requests as a careful client does: each with its own Idempotency-Key, retried with the
 * same key after a 503 or a network error until it is accepted. `onAccepted` lets a scenario inject
 * its fault mid-stream (after so many acceptances).
 */
export async function submitMany(options: {
  intake: string;
  token: string;
  count: number;
  keyPrefix: string;
  body?: (i: number) => OutboundRequestBody;
  concurrency?: number;
  /** Pause between submissions of one worker (spreads the stream over time). */
  spacingMs?: number;
  onAccepted?: (accepted: number) => void;
}): Promise<Submitted[]> {
  const results: Submitted[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= options.count) return;
      const key = `${options.keyPrefix}-${i}`;
      const body = (options.body ?? mixedBody)(i);
      let retries = 0;
      const deadline = Date.now() + 120_000;
      for (;;) {
        const outcome = await post(options.intake, options.token, key, body);
        if (outcome.status === 202) {
          results.push({ key, id: outcome.id!, retries });
          options.onAccepted?.(results.length);
          break;
        }
        if (outcome.status !== 503 && outcome.status !== 0) {
          throw new Error(`submission ${key} answered ${outcome.status}: ${outcome.text}`);
        }
        if (Date.now() > deadline)
          throw new Error(`submission ${key} still refused after 120 s (${outcome.status})`);
        retries++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** Math.min(retries, 5))));
      }
      if (options.spacingMs) await new Promise((resolve) => setTimeout(resolve, options.spacingMs));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return results;
}

/** One submission; status 0 when the intake could not be reached. */
export async function post(
  intake: string,
  token: string,
  key: string,
  body: OutboundRequestBody,
): Promise<{ status: number; id?: string; text: string }> {
  try {
    const response = await fetch(`${intake}/v1/requests`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15000),
    });
    const text = await response.text();
    const id = response.status === 202 ? (JSON.parse(text) as { id: string }).id : undefined;
    return { status: response.status, id, text };
  } catch (error) {
    return { status: 0, text: (error as Error).message };
  }
}

interface DeliveryRow {
  request_id: string;
  id: string;
  channel: string;
  destination: string;
  role: string;
  status: string;
}

export interface ScenarioCheck {
  requests: number;
  /** Accepted requests that did not reach their final state, or a partner never got. */
  lost: number;
  /** Extra copies: a second request for one key, a partner receiving a delivery twice, a step logged twice. */
  duplicated: number;
  deliveries: number;
  fallbacks: number;
  problems: string[];
}

/**
 * Waits until every accepted request is final (all its deliveries delivered) and its log entries
 * are all written, then checks: one request per idempotency key, each foreign delivery received
 * exactly once by the partner simulator (each national one in the unit's inbox), and the log
 * complete — received, routed, one dispatched and one delivered per delivery.
 */
export async function checkScenario(options: {
  pool: Pool;
  simulator: string;
  submitted: Submitted[];
  timeoutMs?: number;
}): Promise<ScenarioCheck> {
  const { pool, submitted } = options;
  const ids = submitted.map((s) => s.id);
  const problems: string[] = [];
  const finalIds = await waitFor(
    async () => {
      const { rows } = await pool.query<{ id: string; total: string; delivered: string }>(
        `SELECT r.id, count(d.id) AS total, count(d.id) FILTER (WHERE d.status = 'delivered') AS delivered
           FROM requests r LEFT JOIN deliveries d ON d.request_id = r.id
          WHERE r.id = ANY($1) GROUP BY r.id`,
        [ids],
      );
      const done = rows.filter((r) => Number(r.total) > 0 && r.total === r.delivered);
      return done.length === ids.length ? done.map((r) => r.id) : undefined;
    },
    `all ${ids.length} requests delivered`,
    options.timeoutMs ?? 240_000,
  ).catch(async (error: Error) => {
    problems.push(error.message);
    const { rows } = await pool.query<{ id: string }>(
      `SELECT r.id FROM requests r WHERE r.id = ANY($1) AND NOT EXISTS (
         SELECT 1 FROM deliveries d WHERE d.request_id = r.id AND d.status <> 'delivered')
         AND EXISTS (SELECT 1 FROM deliveries d WHERE d.request_id = r.id)`,
      [ids],
    );
    return rows.map((r) => r.id);
  });
  let lost = ids.length - finalIds.length;

  const { rows: deliveries } = await pool.query<DeliveryRow>(
    `SELECT request_id, id, channel, destination, role, status FROM deliveries WHERE request_id = ANY($1)`,
    [ids],
  );
  const { rows: perKey } = await pool.query<{ idempotency_key: string; n: string }>(
    `SELECT idempotency_key, count(*) AS n FROM requests WHERE idempotency_key = ANY($1) GROUP BY idempotency_key`,
    [submitted.map((s) => s.key)],
  );
  let duplicated = perKey.reduce((sum, r) => sum + Number(r.n) - 1, 0);

  // The partners' side: each foreign delivery received once; each national one in the inbox.
  const foreign = deliveries.filter((d) => !NATIONAL.has(d.channel));
  const counts = await partnerCounts(
    options.simulator,
    foreign.map((d) => d.id),
  );
  for (const d of foreign) {
    const n = counts[d.id] ?? 0;
    if (n === 0) {
      lost++;
      problems.push(`${d.channel}/${d.destination} never received delivery ${d.id}`);
    } else if (n > 1) {
      duplicated += n - 1;
      problems.push(`${d.channel}/${d.destination} received delivery ${d.id} ${n} times`);
    }
  }
  const national = deliveries.filter((d) => NATIONAL.has(d.channel)).map((d) => d.id);
  const { rows: inbox } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM unit_inbox WHERE delivery_id = ANY($1)`,
    [national],
  );
  lost += national.length - Number(inbox[0]?.n ?? 0);

  // The log: every step of every request, once.
  const expected = (id: string) => {
    const n = deliveries.filter((d) => d.request_id === id).length;
    return { received: 1, routed: 1, dispatched: n, delivered: n };
  };
  let last = { incomplete: ids.length, extra: 0, notes: [] as string[] };
  const tally = async () => {
    const { rows } = await pool.query<{ request_id: string; kind: string; n: string }>(
      `SELECT request_id, kind, count(*) AS n FROM exchange_log WHERE request_id = ANY($1)
        GROUP BY request_id, kind`,
      [ids],
    );
    const byRequest = new Map<string, Record<string, number>>();
    for (const r of rows)
      byRequest.set(r.request_id, { ...byRequest.get(r.request_id), [r.kind]: Number(r.n) });
    const result = { incomplete: 0, extra: 0, notes: [] as string[] };
    for (const id of ids) {
      const got = byRequest.get(id) ?? {};
      let missing = false;
      for (const [kind, n] of Object.entries(expected(id))) {
        const have = got[kind] ?? 0;
        if (have < n) missing = true;
        if (have > n) {
          result.extra += have - n;
          result.notes.push(`request ${id}: ${have} ${kind} entries, expected ${n}`);
        }
      }
      if (missing) result.incomplete++;
    }
    last = result;
    return result.incomplete === 0;
  };
  await waitFor(tally, 'the exchange log of every request', 60_000).catch((error: Error) =>
    problems.push(`${error.message} (${last.incomplete} incomplete)`),
  );
  lost += last.incomplete;
  duplicated += last.extra;
  problems.push(...last.notes);
  return {
    requests: ids.length,
    lost,
    duplicated,
    deliveries: deliveries.length,
    fallbacks: deliveries.filter((d) => d.role === 'fallback').length,
    problems: problems.slice(0, 20),
  };
}

async function partnerCounts(simulator: string, keys: string[]): Promise<Record<string, number>> {
  const response = await fetch(`${simulator}/simulator/counts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ keys }),
  });
  if (!response.ok) throw new Error(`simulator counts answered ${response.status}`);
  return ((await response.json()) as { counts: Record<string, number> }).counts;
}

/**
 * The whole log verifies: sequence numbers without gaps from 0, each entry linked to the leaf hash
 * of the one before, each stored leaf hash the RFC 6962 hash of the entry's bytes.
 */
export async function verifyLogChain(pool: Pool): Promise<{ entries: number; firstBadSeq?: number }> {
  const { rows } = await pool.query<{
    seq: string;
    entry: string;
    leaf_hash: Buffer;
    prev_leaf_hash: Buffer;
  }>(`SELECT seq, entry, leaf_hash, prev_leaf_hash FROM exchange_log ORDER BY seq`);
  let prev: Buffer = Buffer.alloc(32);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const ok =
      Number(row.seq) === i &&
      row.prev_leaf_hash.equals(prev) &&
      leafHash(Buffer.from(row.entry, 'utf8')).equals(row.leaf_hash);
    if (!ok) return { entries: rows.length, firstBadSeq: i };
    prev = row.leaf_hash;
  }
  return { entries: rows.length };
}

/** Sets a simulated partner's behaviour. */
export async function partnerMode(
  simulator: string,
  channel: string,
  destination: string,
  behaviour: Record<string, unknown>,
): Promise<void> {
  const response = await fetch(`${simulator}/simulator/partners/${channel}/${destination}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(behaviour),
  });
  if (!response.ok) throw new Error(`simulator refused the behaviour: ${response.status}`);
}

/** A Prometheus sample of a service, or undefined. */
export async function metric(
  url: string,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const text = await (await fetch(url)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
