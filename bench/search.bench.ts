/**
 * `npm run bench:search [requests]`: the request list and search of SPEC §7 at 100,000 stored
 * requests — the very statement `GET /v1/requests` and `GET /v1/queue` send (buildRequestSearch),
 * for a unit and for the SPOC, with filters, full-text search and keyset pages. Target (issue 13):
 * a filtered page answers with p95 under 50 ms.
 *
 * The requests are written straight into PostgreSQL (200 units, 10 countries, a year of receipts,
 * every third one answered), their list rows derived from them in SQL: the bench measures the
 * reads, not the pipeline that fills them. Database: BENCH_DATABASE_URL, else DATABASE_URL's
 * server with a database `ixr_bench_search`, dropped and re-created. Results are printed and
 * written to bench/results/search.md.
 */
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { sampleRequestBody, type OffenceCategory } from '@ixr/domain';
import { createDataSource, runMigrations } from '@ixr/persistence';
import {
  buildRequestSearch,
  decodeCursor,
  requestSearchQuerySchema,
  type SearchCaller,
  type SearchRow,
} from '@ixr/persistence';
import { recreateDatabase } from '../scripts/dev/postgres';
import { repoRoot } from '../scripts/dev/paths';

const REQUESTS = Number(process.argv[2] ?? process.env.BENCH_SEARCH_REQUESTS ?? 100_000);
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 200);
const BATCH = 5000;
const UNITS = 200;
const COUNTRIES = ['NL', 'DE', 'FR', 'LU', 'ES', 'IT', 'PL', 'AT', 'US', 'CH'];
const OFFENCES: OffenceCategory[] = ['drug_trafficking', 'terrorism', 'cybercrime', 'murder', 'fraud'];
const SURNAMES = [
  'Jansen',
  'Peeters',
  'Maes',
  'Müller',
  'Dubois',
  'Rossi',
  'Kowalski',
  'Garcia',
  'Smith',
  'Novak',
];
const lines: string[] = [];
const print = (line = ''): void => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

function benchUrl(): string {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const base = process.env.DATABASE_URL;
  if (!base)
    throw new Error(
      'set BENCH_DATABASE_URL or DATABASE_URL (a server where a bench database may be created)',
    );
  const url = new URL(base);
  url.pathname = '/ixr_bench_search';
  return url.toString();
}

const unit = (i: number): string => `PZ-${String((i % UNITS) + 1).padStart(4, '0')}`;

async function main(): Promise<void> {
  const url = benchUrl();
  await recreateDatabase(url);
  const dataSource = createDataSource({ url, poolSize: 4 });
  await dataSource.initialize();
  await runMigrations(dataSource);

  const started = performance.now();
  const yearStart = Date.UTC(2026, 0, 1);
  for (let from = 0; from < REQUESTS; from += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, REQUESTS - from) }, (_, k) => {
      const i = from + k;
      const receivedAt = new Date(yearStart + Math.floor((i / REQUESTS) * 360 * 86_400_000));
      const body = sampleRequestBody({
        targetCountries: [COUNTRIES[i % COUNTRIES.length]],
        offence: {
          category: OFFENCES[i % OFFENCES.length],
          description: `Case ${i}: goods moved across the border`,
        },
        subjects: [
          { type: 'person', name: `Person${i} ${SURNAMES[i % SURNAMES.length]}`, dateOfBirth: '1980-01-01' },
        ],
        urgency: i % 7 === 0 ? { urgent: true, ground: 'threat_to_life', reason: 'x' } : { urgent: false },
      });
      return {
        id: randomUUID(),
        unit: unit(i),
        body: JSON.stringify(body),
        receivedAt,
        answered: i % 3 === 0,
      };
    });
    await dataSource.query(
      `INSERT INTO requests (id, requesting_unit, requested_by, mission_type, body, body_hash, status, received_at,
         deadline_at, deadline_basis)
       SELECT id, u, 'bench', 'judicial', b::json, 'x', 'received', r, r + interval '7 days', 'standard_7d'
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS t(id, u, b, r)`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.unit),
        rows.map((r) => r.body),
        rows.map((r) => r.receivedAt),
      ],
    );
    await dataSource.query(
      `INSERT INTO work_requests (request_id, direction, status, open, unit, level, countries, channels,
         offence_category, urgent, deadline_at, deadline_key, received_at, updated_at, visible_to)
       SELECT r.id, 'outbound', CASE WHEN a THEN 'answered' ELSE 'delivered' END, NOT a, r.requesting_unit, 'local',
              ARRAY(SELECT json_array_elements_text(r.body->'targetCountries')), ARRAY['siena', 'national_spoc'],
              r.body->'offence'->>'category', (r.body->'urgency'->>'urgent')::boolean, r.deadline_at, r.deadline_at,
              r.received_at, r.received_at, ARRAY[r.requesting_unit, 'CGI-SPOC']
         FROM requests r JOIN unnest($1::uuid[], $2::boolean[]) AS t(id, a) ON t.id = r.id`,
      [rows.map((r) => r.id), rows.map((r) => r.answered)],
    );
  }
  await dataSource.query('VACUUM ANALYZE requests');
  await dataSource.query('VACUUM ANALYZE work_requests');
  print(`# Request list and search (SPEC §7) — ${new Date().toISOString()}`);
  print();
  print(
    `${REQUESTS.toLocaleString('en')} requests over ${UNITS} units stored in ${Math.round((performance.now() - started) / 1000)} s; ` +
      `${RUNS} runs per page; ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}.`,
  );
  print();
  print('| page | rows | p50 ms | p95 ms | max ms |');
  print('|---|---:|---:|---:|---:|');

  const now = new Date(yearStart + 200 * 86_400_000);
  const unitCaller: SearchCaller = { unit: 'PZ-0042', seesAll: false };
  const spoc: SearchCaller = { unit: 'CGI-SPOC', seesAll: true };
  // A cursor four pages into the SPOC's open work, as a client paging on would send it.
  const cursorOf = async (query: string, caller: SearchCaller, pages: number): Promise<string> => {
    let cursor: [string, string] | undefined;
    for (let p = 0; p < pages; p++) {
      const parsed = requestSearchQuerySchema.parse(Object.fromEntries(new URLSearchParams(query)));
      const sql = buildRequestSearch(parsed, caller, cursor, now);
      const rows = await dataSource.query<SearchRow[]>(sql.text, sql.values);
      const last = rows[parsed.limit - 1];
      cursor = [last.deadline_key, last.request_id];
    }
    return Buffer.from(JSON.stringify(cursor)).toString('base64url');
  };
  const pages: [string, SearchCaller, string, Date?][] = [
    ['a unit: its requests, by deadline', unitCaller, 'limit=50'],
    ['a unit: open, to DE, delivered', unitCaller, 'limit=50&open=true&country=DE&status=delivered'],
    ['a unit: q = a surname', unitCaller, 'limit=50&q=peeters'],
    [
      'a unit: q = a name, received in March',
      unitCaller,
      'limit=50&q=person41 maes&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z',
    ],
    ['SPOC: urgent, to NL', spoc, 'limit=50&urgent=true&country=NL'],
    [
      'SPOC: deadline before June, outbound',
      spoc,
      'limit=50&direction=outbound&deadlineBefore=2026-06-01T00:00:00Z',
    ],
    ['SPOC: q = a surname, outbound', spoc, 'limit=50&q=kowalski&direction=outbound'],
    ['SPOC: q = one person', spoc, 'limit=50&q="person77777 garcia"'],
    ['SPOC queue: open work, overdue first', spoc, 'limit=50&open=true'],
    ['SPOC queue: overdue only', spoc, 'limit=50&open=true', now],
    [
      'SPOC queue: page 5 (cursor)',
      spoc,
      `limit=50&open=true&cursor=${await cursorOf('limit=50&open=true', spoc, 4)}`,
    ],
  ];
  const all: number[] = [];
  for (const [name, caller, query, dueBefore] of pages) {
    const params = Object.fromEntries(new URLSearchParams(query));
    const parsed = requestSearchQuerySchema.parse(params);
    const cursor = parsed.cursor === undefined ? undefined : decodeCursor(parsed.cursor);
    const sql = buildRequestSearch(parsed, caller, cursor, now, { dueBefore });
    let rows = 0;
    const times: number[] = [];
    for (let run = 0; run < RUNS + 10; run++) {
      const t0 = performance.now();
      const result = await dataSource.query<SearchRow[]>(sql.text, sql.values);
      const ms = performance.now() - t0;
      rows = Math.min(result.length, parsed.limit);
      if (run >= 10) times.push(ms); // the first ten warm the cache
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    const pct = (p: number): string =>
      times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
    print(`| ${name} | ${rows} | ${pct(0.5)} | ${pct(0.95)} | ${times[times.length - 1].toFixed(1)} |`);
  }
  all.sort((a, b) => a - b);
  const p95 = all[Math.floor(0.95 * all.length)];
  print();
  print(`All pages: p95 ${p95.toFixed(1)} ms (target < 50 ms): ${p95 < 50 ? 'met' : 'NOT met'}.`);
  writeFileSync(join(repoRoot(), 'bench', 'results', 'search.md'), `${lines.join('\n')}\n`);
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:search failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
