import type { DataSource } from 'typeorm';

/**
 * Statistics (SPEC §9), computed by SQL from the stored facts at every call — requests (their
 * level, direction, states, category, deadline), the messages on them in `replies` (answers,
 * refusals with their Art 6 ground, delay notices) and the deliveries' channels — never from
 * counters kept on the side, which drift. Nothing personal is read: only ids, times, codes.
 *
 * A request's answer, refusal or delay notice is the message in the other direction: for a request
 * we sent, the partner's; for one we received, ours. Its first answer is what "answered" means.
 */
export const STATISTICS_DIMENSIONS = [
  'direction',
  'level',
  'country',
  'channel',
  'category',
  'month',
] as const;
export type StatisticsDimension = (typeof STATISTICS_DIMENSIONS)[number];

export interface StatisticsQuery {
  /** Requests received in [from, to). */
  from: Date;
  to: Date;
  groupBy: readonly StatisticsDimension[];
  /** The moment "past its deadline" is measured against (the clock's now). */
  now: Date;
}

export interface StatisticsRow {
  group: Partial<Record<StatisticsDimension, string | null>>;
  requests: number;
  answered: number;
  answeredInTime: number;
  /** Answered after the deadline. */
  late: number;
  /** Not answered nor refused, and the deadline has passed. */
  unansweredPastDeadline: number;
  refused: number;
  refusedByGround: Record<string, number>;
  /** The median time from receipt to the first answer, in seconds; null when none was answered. */
  medianSecondsToAnswer: number | null;
}

export interface StatisticsReport {
  from: string;
  to: string;
  groupBy: StatisticsDimension[];
  /** A request sent to several states (or over several channels) counts once in each of their groups. */
  rows: StatisticsRow[];
}

/** One row per request received in the range, with the facts the figures are made of. */
const FACTS = `
  WITH facts AS (
    SELECT r.id, r.direction, r.level, r.received_at, r.deadline_at, r.deadline_basis,
           r.body->'offence'->>'category' AS category,
           to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
           CASE r.direction
             WHEN 'inbound' THEN ARRAY[coalesce(r.origin_country, r.origin_partner)]
             ELSE ARRAY(SELECT json_array_elements_text(r.body->'targetCountries'))
           END AS countries,
           CASE r.direction
             WHEN 'inbound' THEN ARRAY[r.origin_channel]
             ELSE coalesce(
               nullif(ARRAY(SELECT DISTINCT d.channel FROM deliveries d WHERE d.request_id = r.id ORDER BY 1), '{}'),
               ARRAY[NULL::text])
           END AS channels,
           (SELECT min(m.created_at) FROM replies m
             WHERE m.request_id = r.id AND m.kind = 'answer' AND m.direction <> r.direction) AS answered_at,
           (SELECT m.ground FROM replies m
             WHERE m.request_id = r.id AND m.kind = 'refusal' AND m.direction <> r.direction
             ORDER BY m.created_at LIMIT 1) AS refusal_ground,
           EXISTS (SELECT 1 FROM replies m
             WHERE m.request_id = r.id AND m.kind = 'delay_notice' AND m.direction <> r.direction) AS delayed
      FROM requests r
     WHERE r.received_at >= $1 AND r.received_at < $2
  )`;

/** The SQL of each dimension over `facts f`, and the lateral joins a dimension needs. */
const DIMENSION_SQL: Record<StatisticsDimension, { column: string; join?: string }> = {
  direction: { column: 'f.direction' },
  level: { column: 'f.level' },
  country: { column: 'c.country', join: 'CROSS JOIN LATERAL unnest(f.countries) AS c(country)' },
  channel: { column: 'ch.channel', join: 'CROSS JOIN LATERAL unnest(f.channels) AS ch(channel)' },
  category: { column: 'f.category' },
  month: { column: 'f.month' },
};

function groupSql(groupBy: readonly StatisticsDimension[]) {
  const columns = groupBy.map((d, i) => `${DIMENSION_SQL[d].column} AS g${i}`);
  const joins = groupBy.flatMap((d) => DIMENSION_SQL[d].join ?? []).join(' ');
  const grouping = groupBy.length > 0 ? `GROUP BY ${groupBy.map((_, i) => `g${i}`).join(', ')}` : '';
  const order = groupBy.length > 0 ? `ORDER BY ${groupBy.map((_, i) => `g${i}`).join(', ')}` : '';
  return { columns, joins, grouping, order };
}

type Raw = Record<string, string | number | null>;

const groupKey = (row: Raw, size: number): string =>
  JSON.stringify(Array.from({ length: size }, (_, i) => row[`g${i}`] ?? null));

export async function computeStatistics(
  dataSource: DataSource,
  query: StatisticsQuery,
): Promise<StatisticsReport> {
  const { columns, joins, grouping, order } = groupSql(query.groupBy);
  const select = (metrics: string[], extraGroup = '', where = '') =>
    `${FACTS} SELECT ${[...columns, ...metrics].join(', ')} FROM facts f ${joins} ${where}
       ${grouping}${extraGroup ? (grouping ? `, ${extraGroup}` : `GROUP BY ${extraGroup}`) : ''} ${order}`;
  const params = [query.from, query.to, query.now];
  const rows: Raw[] = await dataSource.query(
    select([
      'count(*)::int AS requests',
      'count(*) FILTER (WHERE f.answered_at IS NOT NULL)::int AS answered',
      `count(*) FILTER (WHERE f.answered_at IS NOT NULL
         AND (f.deadline_at IS NULL OR f.answered_at <= f.deadline_at))::int AS in_time`,
      'count(*) FILTER (WHERE f.answered_at > f.deadline_at)::int AS late',
      `count(*) FILTER (WHERE f.answered_at IS NULL AND f.refusal_ground IS NULL
         AND f.deadline_at < $3::timestamptz)::int AS overdue`,
      'count(*) FILTER (WHERE f.refusal_ground IS NOT NULL)::int AS refused',
      `percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM f.answered_at - f.received_at))
         FILTER (WHERE f.answered_at IS NOT NULL) AS median`,
    ]),
    params,
  );
  const grounds: Raw[] = await dataSource.query(
    select(
      ['f.refusal_ground AS ground', 'count(*)::int AS n'],
      'f.refusal_ground',
      'WHERE f.refusal_ground IS NOT NULL',
    ),
    [query.from, query.to],
  );
  const byGround = new Map<string, Record<string, number>>();
  for (const g of grounds) {
    const key = groupKey(g, query.groupBy.length);
    byGround.set(key, { ...byGround.get(key), [String(g.ground)]: Number(g.n) });
  }
  return {
    from: query.from.toISOString(),
    to: query.to.toISOString(),
    groupBy: [...query.groupBy],
    rows: rows.map((row) => ({
      group: Object.fromEntries(query.groupBy.map((d, i) => [d, (row[`g${i}`] as string | null) ?? null])),
      requests: Number(row.requests),
      answered: Number(row.answered),
      answeredInTime: Number(row.in_time),
      late: Number(row.late),
      unansweredPastDeadline: Number(row.overdue),
      refused: Number(row.refused),
      refusedByGround: byGround.get(groupKey(row, query.groupBy.length)) ?? {},
      medianSecondsToAnswer: row.median === null ? null : Math.round(Number(row.median)),
    })),
  };
}

/** Art 18 of Directive 2023/977: the yearly statistics each state gives the Commission by 1 March. */
export interface Art18Report {
  year: number;
  /** (a) requests we sent, in all and per requested state (a request to two states counts for each). */
  requestsSent: { total: number; byRequestedState: { state: string; count: number }[] };
  /** (b) requests we received and answered, by urgent/non-urgent and by requesting state. */
  requestsReceived: {
    received: number;
    answered: number;
    byUrgency: { urgency: 'urgent' | 'non_urgent'; received: number; answered: number }[];
    byRequestingState: { state: string; received: number; answered: number }[];
  };
  /** (c) requests we refused (Art 6), per requesting state and ground. */
  refusals: { total: number; byStateAndGround: { state: string; ground: string; count: number }[] };
  /** (d) requests whose deadline we derogated from for a judicial authorisation (Art 5(2)), per state. */
  judicialAuthorisationDelays: { total: number; byState: { state: string; count: number }[] };
}

const yearRange = (year: number): [Date, Date] => [
  new Date(Date.UTC(year, 0, 1)),
  new Date(Date.UTC(year + 1, 0, 1)),
];

export async function computeArt18(dataSource: DataSource, year: number): Promise<Art18Report> {
  const [from, to] = yearRange(year);
  const params = [from, to];
  const q = (sql: string): Promise<Raw[]> => dataSource.query(`${FACTS} ${sql}`, params);
  const [sentTotal] = await q(`SELECT count(*)::int AS n FROM facts f WHERE f.direction = 'outbound'`);
  const sentBy = await q(`
    SELECT c.state, count(*)::int AS n FROM facts f CROSS JOIN LATERAL unnest(f.countries) AS c(state)
     WHERE f.direction = 'outbound' GROUP BY c.state`);
  const inbound = `FROM facts f WHERE f.direction = 'inbound'`;
  const receivedMetrics = `count(*)::int AS received, count(f.answered_at)::int AS answered`;
  const [received] = await q(`SELECT ${receivedMetrics} ${inbound}`);
  const byUrgency = await q(`
    SELECT CASE WHEN f.deadline_basis LIKE 'urgent%' THEN 'urgent' ELSE 'non_urgent' END AS urgency,
           ${receivedMetrics} ${inbound} GROUP BY 1 ORDER BY 1 DESC`);
  const byState = await q(`SELECT f.countries[1] AS state, ${receivedMetrics} ${inbound} GROUP BY 1`);
  const refusals = await q(`
    SELECT f.countries[1] AS state, f.refusal_ground AS ground, count(*)::int AS n
      ${inbound} AND f.refusal_ground IS NOT NULL GROUP BY 1, 2`);
  const delays = await q(
    `SELECT f.countries[1] AS state, count(*)::int AS n ${inbound} AND f.delayed GROUP BY 1`,
  );
  // Sorted here, by code unit, not by the database's collation: the same order on every server.
  const byKeys =
    (...keys: string[]) =>
    (a: Raw, b: Raw) => {
      for (const k of keys) {
        const x = String(a[k]);
        const y = String(b[k]);
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    };
  sentBy.sort(byKeys('state'));
  byState.sort(byKeys('state'));
  refusals.sort(byKeys('state', 'ground'));
  delays.sort(byKeys('state'));
  const total = (rows: Raw[]) => rows.reduce((sum, r) => sum + Number(r.n), 0);
  return {
    year,
    requestsSent: {
      total: Number(sentTotal.n),
      byRequestedState: sentBy.map((r) => ({ state: String(r.state), count: Number(r.n) })),
    },
    requestsReceived: {
      received: Number(received.received),
      answered: Number(received.answered),
      byUrgency: byUrgency.map((r) => ({
        urgency: r.urgency as 'urgent' | 'non_urgent',
        received: Number(r.received),
        answered: Number(r.answered),
      })),
      byRequestingState: byState.map((r) => ({
        state: String(r.state),
        received: Number(r.received),
        answered: Number(r.answered),
      })),
    },
    refusals: {
      total: total(refusals),
      byStateAndGround: refusals.map((r) => ({
        state: String(r.state),
        ground: String(r.ground),
        count: Number(r.n),
      })),
    },
    judicialAuthorisationDelays: {
      total: total(delays),
      byState: delays.map((r) => ({ state: String(r.state), count: Number(r.n) })),
    },
  };
}

export const ART18_CSV_HEADER = 'figure,urgency,state,ground,count';

/**
 * The Art 18 report as one CSV table: a row per figure and breakdown (`figure` one of
 * requests_sent, requests_received, requests_answered, requests_refused,
 * judicial_authorisation_delays; an empty breakdown column is the total over it).
 */
export function art18Csv(report: Art18Report): string {
  const lines = [ART18_CSV_HEADER];
  const row = (figure: string, urgency: string, state: string, ground: string, count: number) =>
    lines.push([figure, urgency, state, ground, String(count)].map(csvCell).join(','));
  const { requestsSent: sent, requestsReceived: rec, refusals, judicialAuthorisationDelays: delays } = report;
  row('requests_sent', '', '', '', sent.total);
  for (const s of sent.byRequestedState) row('requests_sent', '', s.state, '', s.count);
  row('requests_received', '', '', '', rec.received);
  row('requests_answered', '', '', '', rec.answered);
  for (const u of rec.byUrgency) {
    row('requests_received', u.urgency, '', '', u.received);
    row('requests_answered', u.urgency, '', '', u.answered);
  }
  for (const s of rec.byRequestingState) {
    row('requests_received', '', s.state, '', s.received);
    row('requests_answered', '', s.state, '', s.answered);
  }
  row('requests_refused', '', '', '', refusals.total);
  for (const r of refusals.byStateAndGround) row('requests_refused', '', r.state, r.ground, r.count);
  row('judicial_authorisation_delays', '', '', '', delays.total);
  for (const d of delays.byState) row('judicial_authorisation_delays', '', d.state, '', d.count);
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 4180; a leading =, +, - or @ is quoted too, so a spreadsheet does not run it as a formula. */
function csvCell(value: string): string {
  return /[",\r\n]|^[=+\-@]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
