import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { art18Csv, type Art18Report, type StatisticsReport } from '@ixr/persistence';
import { api, requestBody, tokenFor } from './support/api';
import { TestStack } from './support/stack';

/**
 * Statistics (SPEC §9) against a generated year of cases whose figures the test knows: the cases
 * are made from a seeded random sequence and stored as rows (as their owners would have stored
 * them); the expected figures are counted here from the cases themselves, in TypeScript, and the
 * API and the CLI, which compute them by SQL, must give the same.
 */
const YEAR = 2011; // a year no other suite writes into
const STATES = ['AT', 'BE', 'DE', 'FR', 'NL'] as const;
const LEVELS = ['local', 'federal', 'cyber'] as const;
const CATEGORIES = ['drug_trafficking', 'cybercrime', 'murder'] as const;
const GROUNDS = ['not_available', 'national_security', 'minor_offence'] as const;
const HOUR = 3_600_000;

/** mulberry32: the same sequence on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  id: string;
  direction: 'outbound' | 'inbound';
  level: (typeof LEVELS)[number] | null;
  states: string[];
  channel: string;
  category: string;
  urgent: boolean;
  receivedAt: Date;
  deadlineAt: Date;
  answeredAfterHours: number | null;
  refusal: string | null;
  delayNotice: boolean;
}

function generateYear(): Case[] {
  const next = random(18);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const cases: Case[] = [];
  for (let i = 0; i < 160; i++) {
    const direction = i % 5 < 3 ? 'outbound' : 'inbound';
    const urgent = next() < 0.3;
    const receivedAt = new Date(Date.UTC(YEAR, Math.floor(next() * 12), 1 + Math.floor(next() * 28), 9));
    const deadlineAt = new Date(receivedAt.getTime() + (urgent ? 8 : 168) * HOUR);
    const outcome = next();
    const states =
      direction === 'outbound'
        ? [...new Set([pick(STATES), ...(next() < 0.3 ? [pick(STATES)] : [])])]
        : [pick(STATES)];
    cases.push({
      id: randomUUID(),
      direction,
      level: direction === 'outbound' ? pick(LEVELS) : null,
      states,
      channel: direction === 'outbound' ? pick(['siena', 'interpol'] as const) : 'siena',
      category: pick(CATEGORIES),
      urgent,
      receivedAt,
      deadlineAt,
      answeredAfterHours: outcome < 0.6 ? pick([2, 5, 30, 100, 200]) : null,
      refusal: outcome >= 0.6 && outcome < 0.8 ? pick(GROUNDS) : null,
      delayNotice: direction === 'inbound' && next() < 0.25,
    });
  }
  return cases;
}

async function store(stack: TestStack, cases: Case[]): Promise<void> {
  for (const c of cases) {
    const body = {
      missionType: 'judicial',
      targetCountries: c.direction === 'outbound' ? c.states : ['BE'],
      offence: { category: c.category, description: 'generated' },
      urgency: c.urgent ? { urgent: true, ground: 'threat_to_life', reason: 'generated' } : { urgent: false },
    };
    const basis = c.urgent ? 'urgent_direct_8h' : 'standard_7d';
    if (c.direction === 'outbound') {
      await stack.db.query(
        `INSERT INTO requests (id, requesting_unit, requested_by, level, mission_type, body, body_hash, status,
           received_at, deadline_at, deadline_basis)
         VALUES ($1, 'PZ-STATS', 'gen', $2, 'judicial', $3, 'gen', 'delivered', $4, $5, $6)`,
        [c.id, c.level, JSON.stringify(body), c.receivedAt, c.deadlineAt, basis],
      );
      for (const state of c.states) {
        await stack.db.query(
          `INSERT INTO deliveries (id, request_id, channel, destination, role, rule_id, status, dispatched_at)
           VALUES ($1, $2, $3, $4, 'primary', 'gen', 'delivered', $5)`,
          [randomUUID(), c.id, c.channel, state, c.receivedAt],
        );
      }
    } else {
      await stack.db.query(
        `INSERT INTO requests (id, requesting_unit, requested_by, mission_type, body, body_hash, status,
           received_at, deadline_at, deadline_basis, direction, origin_channel, origin_country, origin_partner,
           partner_message_id, assigned_unit)
         VALUES ($1, $2, 'gen', 'judicial', $3, 'gen', 'routed', $4, $5, $6, 'inbound', 'siena', $2, $2, $7, 'PZ-STATS')`,
        [c.id, c.states[0], JSON.stringify(body), c.receivedAt, c.deadlineAt, basis, `msg-${c.id}`],
      );
    }
    // The message in the other direction: the partner's for ours, ours for theirs.
    const replyDirection = c.direction === 'outbound' ? 'inbound' : 'outbound';
    const message = async (kind: string, at: Date, ground: string | null) =>
      stack.db.query(
        `INSERT INTO replies (id, request_id, direction, channel, partner, in_reply_to, unit, author, handling_code,
           language, text, status, created_at, kind, ground)
         VALUES ($1, $2, $3, 'siena', $4, $9, 'PZ-STATS', 'gen', 'H0', 'en', 'generated', $5, $6, $7, $8)`,
        [
          randomUUID(),
          c.id,
          replyDirection,
          c.states[0],
          replyDirection === 'inbound' ? 'received' : 'delivered',
          at,
          kind,
          ground,
          c.id,
        ],
      );
    if (c.answeredAfterHours !== null) {
      await message('answer', new Date(c.receivedAt.getTime() + c.answeredAfterHours * HOUR), null);
    }
    if (c.refusal) await message('refusal', new Date(c.receivedAt.getTime() + HOUR), c.refusal);
    if (c.delayNotice) await message('delay_notice', new Date(c.receivedAt.getTime() + 2 * HOUR), null);
  }
}

const countBy = <T>(items: T[], key: (item: T) => string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};
const sortedEntries = (m: Map<string, number>) =>
  [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The Art 18 figures, counted from the cases. */
function expectedArt18(cases: Case[]): Art18Report {
  const sent = cases.filter((c) => c.direction === 'outbound');
  const received = cases.filter((c) => c.direction === 'inbound');
  const answered = (list: Case[]) => list.filter((c) => c.answeredAfterHours !== null).length;
  const urgency = (['urgent', 'non_urgent'] as const)
    .map((u) => ({ u, list: received.filter((c) => c.urgent === (u === 'urgent')) }))
    .filter(({ list }) => list.length > 0)
    .map(({ u, list }) => ({ urgency: u, received: list.length, answered: answered(list) }));
  const refused = received.filter((c) => c.refusal);
  const delayed = received.filter((c) => c.delayNotice);
  return {
    year: YEAR,
    requestsSent: {
      total: sent.length,
      byRequestedState: sortedEntries(
        countBy(
          sent.flatMap((c) => c.states),
          (s) => s,
        ),
      ).map(([state, count]) => ({
        state,
        count,
      })),
    },
    requestsReceived: {
      received: received.length,
      answered: answered(received),
      byUrgency: urgency,
      byRequestingState: sortedEntries(countBy(received, (c) => c.states[0])).map(([state]) => {
        const list = received.filter((c) => c.states[0] === state);
        return { state, received: list.length, answered: answered(list) };
      }),
    },
    refusals: {
      total: refused.length,
      byStateAndGround: sortedEntries(countBy(refused, (c) => `${c.states[0]}\u0000${c.refusal}`)).map(
        ([k, count]) => {
          const [state, ground] = k.split('\u0000');
          return { state, ground, count };
        },
      ),
    },
    judicialAuthorisationDelays: {
      total: delayed.length,
      byState: sortedEntries(countBy(delayed, (c) => c.states[0])).map(([state, count]) => ({
        state,
        count,
      })),
    },
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

describe('statistics (SPEC §9) over a generated year', () => {
  const stack = new TestStack();
  const cases = generateYear();
  const query = `from=${YEAR}-01-01&to=${YEAR + 1}-01-01`;
  let operator: string;

  beforeAll(async () => {
    await stack.start();
    await stack.db.query(
      `DELETE FROM replies WHERE request_id IN (SELECT id FROM requests WHERE requesting_unit = 'PZ-STATS' OR assigned_unit = 'PZ-STATS')`,
    );
    await stack.db.query(
      `DELETE FROM deliveries WHERE request_id IN (SELECT id FROM requests WHERE requesting_unit = 'PZ-STATS')`,
    );
    await stack.db.query(
      `DELETE FROM requests WHERE requesting_unit = 'PZ-STATS' OR assigned_unit = 'PZ-STATS'`,
    );
    await store(stack, cases);
    operator = await tokenFor('PZ-SPOC', ['spoc_operator']);
  });
  afterAll(() => stack.stop());

  it('gives the Art 18 figures of the year, in JSON', async () => {
    const expected = expectedArt18(cases);
    // The generated year exercises every figure (a figure of zero would prove little).
    expect(expected.refusals.total).toBeGreaterThan(3);
    expect(expected.judicialAuthorisationDelays.total).toBeGreaterThan(3);
    expect(expected.requestsReceived.byUrgency).toHaveLength(2);
    const res = await api<Art18Report>(
      stack.url('intake-api', ''),
      'GET',
      `/v1/statistics/art18?year=${YEAR}`,
      {
        token: operator,
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expected);
  });

  it('gives the same figures as CSV when asked with Accept: text/csv', async () => {
    const res = await fetch(stack.url('intake-api', `/v1/statistics/art18?year=${YEAR}`), {
      headers: { authorization: `Bearer ${operator}`, accept: 'text/csv' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const text = await res.text();
    expect(text).toBe(art18Csv(expectedArt18(cases)));
    const sent = cases.filter((c) => c.direction === 'outbound').length;
    expect(text.split('\r\n')[1]).toBe(`requests_sent,,,,${sent}`);
  });

  it('groups by level and month: requests, answered in time, late, refused by ground, median time to answer', async () => {
    const res = await api<StatisticsReport>(
      stack.url('intake-api', ''),
      'GET',
      `/v1/statistics?${query}&groupBy=level,month`,
      { token: operator },
    );
    expect(res.status).toBe(200);
    const groups = new Map<string, Case[]>();
    for (const c of cases) {
      const key = `${c.level}|${c.receivedAt.toISOString().slice(0, 7)}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    expect(res.body.rows).toHaveLength(groups.size);
    for (const row of res.body.rows) {
      const list = groups.get(`${row.group.level ?? null}|${row.group.month}`)!;
      const answered = list.filter((c) => c.answeredAfterHours !== null);
      const late = answered.filter((c) => c.answeredAfterHours! > (c.urgent ? 8 : 168));
      const grounds = Object.fromEntries(
        countBy(
          list.filter((c) => c.refusal),
          (c) => c.refusal!,
        ),
      );
      expect(row).toEqual({
        group: row.group,
        requests: list.length,
        answered: answered.length,
        answeredInTime: answered.length - late.length,
        late: late.length,
        // Every generated deadline is long past: unanswered and unrefused ones are overdue.
        unansweredPastDeadline: list.filter((c) => c.answeredAfterHours === null && !c.refusal).length,
        refused: list.filter((c) => c.refusal).length,
        refusedByGround: grounds,
        medianSecondsToAnswer: median(answered.map((c) => c.answeredAfterHours! * 3600)),
      });
    }
  });

  it('counts a request once per requested state and per channel when grouped by them', async () => {
    const res = await api<StatisticsReport>(
      stack.url('intake-api', ''),
      'GET',
      `/v1/statistics?${query}&groupBy=direction,country,channel,category`,
      { token: operator },
    );
    expect(res.status).toBe(200);
    const expected = countBy(
      cases.flatMap((c) => c.states.map((s) => `${c.direction}|${s}|${c.channel}|${c.category}`)),
      (k) => k,
    );
    const got = new Map(
      res.body.rows.map((r) => [
        `${r.group.direction}|${r.group.country}|${r.group.channel}|${r.group.category}`,
        r.requests,
      ]),
    );
    expect(got).toEqual(expected);
  });

  it('records the submitting unit level from the token on a new request', async () => {
    const token = await tokenFor('PZ-CYBER', ['requester'], 'cyber');
    const res = await api(stack.url('intake-api', ''), 'POST', '/v1/requests', {
      token,
      body: requestBody(),
    });
    expect(res.status).toBe(202);
    const { rows } = await stack.db.query(`SELECT level FROM requests WHERE id = $1`, [res.body.id]);
    expect(rows).toEqual([{ level: 'cyber' }]);
  });

  it('refuses bad queries with 400 naming what is wrong, and callers without the role with 403', async () => {
    const base = stack.url('intake-api', '');
    const badGroup = await api(base, 'GET', '/v1/statistics?groupBy=level,colour', { token: operator });
    expect(badGroup.status).toBe(400);
    expect(JSON.stringify(badGroup.body)).toContain('unknown grouping \\"colour\\"');
    const backwards = await api(base, 'GET', '/v1/statistics?from=2012-01-01&to=2011-01-01', {
      token: operator,
    });
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(backwards.body)).toContain('query:from');
    const badYear = await api(base, 'GET', '/v1/statistics/art18?year=20x6', { token: operator });
    expect(badYear.status).toBe(400);
    expect(JSON.stringify(badYear.body)).toContain('year');
    const noYear = await api(base, 'GET', '/v1/statistics/art18', { token: operator });
    expect(noYear.status).toBe(400);
    const requester = await tokenFor('PZ-STATS', ['requester']);
    expect((await api(base, 'GET', `/v1/statistics/art18?year=${YEAR}`, { token: requester })).status).toBe(
      403,
    );
  });

  describe('the CLI export (npm run stats)', () => {
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [join(__dirname, '..', 'scripts', 'run-compiled.js'), 'scripts/stats.js', ...args],
        {
          env: { ...process.env, DATABASE_URL: stack.env.DATABASE_URL },
          encoding: 'utf8',
        },
      );

    it('writes the Art 18 report as CSV and as JSON', () => {
      const csv = run('art18', '--year', String(YEAR), '--format', 'csv');
      expect(csv.stderr).toBe('');
      expect(csv.status).toBe(0);
      expect(csv.stdout).toBe(art18Csv(expectedArt18(cases)));
      const json = run('art18', '--year', String(YEAR));
      expect(json.status).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual(expectedArt18(cases));
    });

    it('refuses bad flags with exit code 2 and a message naming them', () => {
      const cases: [string[], string][] = [
        [['art18', '--year', '26'], 'year: a year of four digits'],
        [['art18', '--year', '2026', '--format', 'xml'], '--format must be json or csv, got "xml"'],
        [['art18', '--colour', 'red'], "Unknown option '--colour'"],
        [['art18'], 'year: required'],
        [['summary', '--group-by', 'shoe'], 'unknown grouping "shoe"'],
        [['totals'], 'unknown command "totals"'],
      ];
      for (const [args, message] of cases) {
        const result = run(...args);
        expect({ args, status: result.status }).toEqual({ args, status: 2 });
        expect(result.stderr).toContain(message);
      }
    });
  });
});
