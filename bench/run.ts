import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { DEV_SECRET, signDevToken } from '@ixr/auth';
import { sampleRequestBody } from '@ixr/domain';
import { ensureKafka } from '../scripts/dev/kafka';
import { repoRoot } from '../scripts/dev/paths';
import { ensurePostgres, onDatabase, recreateDatabase, serviceDatabaseEnv } from '../scripts/dev/postgres';
import {
  crossServiceEnv,
  DEFAULT_PORTS,
  SERVICES,
  startServiceProcess,
  waitHealthy,
  type ServiceName,
  type ServiceProcess,
} from '../scripts/dev/services';
import { prepare } from '../scripts/migrate';
import { kafkaCeiling, postgresCeiling } from './ceiling';
import { percentile, submitAll } from './load';
import { cpuSnapshot, cpuWindow, type CpuWindow } from './machine-cpu';
import { summariseProfile, type ProfileSummary } from './profile';

const USAGE =
  'usage: npm run bench -- [--requests N] [--concurrency C] [--smoke] [--no-ceiling] [--no-record] [--profile SERVICE] [--rate R] [--idle SECONDS]';

/**
 * End-to-end benchmark: drives N requests at concurrency C through the public API of a stack it
 * starts (fresh database BENCH_DATABASE_NAME, default `ixr_bench`), waits until every request is
 * delivered and fully logged, then measures the bare Kafka and PostgreSQL ceiling of the same
 * machine and reports the ratio.
 */
async function main(): Promise<void> {
  const args = parseOptions();
  const say = (line: string): void => void process.stdout.write(`[bench] ${line}\n`);
  const root = repoRoot();

  const { brokers } = ensureKafka();
  const postgres = await ensurePostgres(say);
  const url = new URL(postgres.url);
  url.pathname = `/${benchDatabaseName()}`;
  const databaseUrl = url.toString();
  await recreateDatabase(databaseUrl);
  const serviceDatabaseUrls = onDatabase(postgres.serviceUrls, databaseUrl);
  await prepare(databaseUrl, serviceDatabaseUrls, brokers.split(','), say);

  const services: ServiceProcess[] = [];
  const env = {
    ...serviceDatabaseEnv(serviceDatabaseUrls),
    KAFKA_BROKERS: brokers,
    LOG_LEVEL: 'warn',
    // The load comes from one unit: lift its rate limit so the benchmark measures the pipeline.
    RATE_LIMIT_UNITS: 'PZ-5339=1000000/1000000',
    ...crossServiceEnv(),
  };
  const profileDir = join(root, 'bench', 'results', 'profiles');
  if (args.profile) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  const tails = new Map<string, string[]>();
  const keepTail = (name: string, line: string): void => {
    const lines = tails.get(name) ?? [];
    lines.push(line);
    if (lines.length > 15) lines.shift();
    tails.set(name, lines);
  };
  for (const name of SERVICES) {
    const nodeArgs = name === args.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    services.push(startServiceProcess(name, env, keepTail, undefined, nodeArgs));
  }
  let profile: ProfileSummary | undefined;
  try {
    await Promise.all(services.map((s) => waitHealthy(s))).catch((error: unknown) => {
      // A service that did not come up says why in its last lines.
      for (const [name, lines] of tails) say(`${name}, last lines:\n  ${lines.join('\n  ')}`);
      throw error;
    });
    say(`stack up; ${args.requests} requests at concurrency ${args.concurrency}`);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const token = await signDevToken(
      { sub: 'bench', unit: 'PZ-5339', level: 'local', roles: ['requester'] },
      { secret: DEV_SECRET },
    );
    const body = JSON.stringify(sampleRequestBody());

    // Warm-up, not counted.
    await submitAll({
      url: intakeUrl(),
      token,
      total: Math.min(200, args.requests),
      concurrency: args.concurrency,
      body: () => body,
    });
    await waitComplete(db, say, 0);
    const pids = new Map(services.map((s) => [s.child.pid ?? -1, s.name as string]));
    const idle = args.idleSeconds ? await measureIdle(args.idleSeconds, pids, say) : null;
    const baseline = await counts(db);
    const workBefore = await postgresWork(db, ownQueries);
    const statementsBefore = await statementCounts(services);

    const cpuBefore = cpuSnapshot([...pids.keys()], benchDatabaseName());
    const load = await submitAll({
      url: intakeUrl(),
      token,
      total: args.requests,
      concurrency: args.concurrency,
      rate: args.rate,
      body: () => body,
      onProgress: (n) => say(`submitted ${n}/${args.requests}`),
    });
    if (load.errors.size > 0) say(`non-202 answers: ${JSON.stringify(Object.fromEntries(load.errors))}`);
    const drainedAt = await waitComplete(db, say, load.submissions.length + baseline.requests);
    const cpu = cpuWindow(cpuBefore, cpuSnapshot([...pids.keys()], benchDatabaseName()), pids);
    const work = perRequestWork(workBefore, await postgresWork(db, ownQueries), load.submissions.length);
    const statements = perRequestWork(
      statementsBefore,
      await statementCounts(services),
      load.submissions.length,
    );
    const submittedFrom = Date.now() - (drainedAt.elapsedMs + load.seconds * 1000);
    void submittedFrom;
    const endToEndSeconds = load.seconds + drainedAt.elapsedMs / 1000;

    const ids = load.submissions.map((s) => s.id);
    const latencies = await serverLatencies(db, ids);
    const perRequest = await perRequestCounts(db, ids);
    const usage = services.map((s) => processUsage(s));
    await db.end();

    let ceiling:
      | { kafkaMessagesPerSecond: number; postgresRowsPerSecond: number; requestsPerSecond: number }
      | undefined;
    if (args.ceiling) {
      say('measuring the bare Kafka and PostgreSQL ceiling …');
      const messages = Math.round(perRequest.kafkaMessages * load.submissions.length);
      const rows = Math.round(perRequest.logEntries * load.submissions.length);
      const kafka = await kafkaCeiling(brokers.split(','), messages);
      const pg = await postgresCeiling(databaseUrl, rows);
      ceiling = {
        kafkaMessagesPerSecond: round(kafka),
        postgresRowsPerSecond: round(pg),
        requestsPerSecond: round(Math.min(kafka / perRequest.kafkaMessages, pg / perRequest.logEntries)),
      };
    }

    const submitSorted = load.submissions.map((s) => s.latencyMs).sort((a, b) => a - b);
    const requestsPerSecond = round(load.submissions.length / endToEndSeconds);
    const result = {
      date: new Date().toISOString(),
      commit: gitCommit(root),
      machine: {
        cores: cpus().length,
        memoryGb: round(totalmem() / 2 ** 30),
        cpu: cpus()[0]?.model ?? 'unknown',
      },
      requests: load.submissions.length,
      concurrency: args.concurrency,
      offeredRate: args.rate ?? null,
      requestsPerSecond,
      submitRequestsPerSecond: round(load.submissions.length / load.seconds),
      ceilingRequestsPerSecond: ceiling?.requestsPerSecond ?? null,
      ratio: ceiling ? round(requestsPerSecond / ceiling.requestsPerSecond, 3) : null,
      latencyMs: {
        submitTo202: quantiles(submitSorted),
        submitToDispatched: quantiles(latencies.dispatched),
        submitToDelivered: quantiles(latencies.delivered),
      },
      p99DeliveredMs: round(percentile(latencies.delivered, 99)),
      perRequest,
      postgresPerRequest: work,
      statementsPerRequest: statements,
      cpu: {
        ...cpu,
        msPerRequest: {
          services: round(
            (Object.values(cpu.services).reduce((a, b) => a + b, 0) * 1000) / load.submissions.length,
            2,
          ),
          postgres: round((cpu.postgresSeconds * 1000) / load.submissions.length, 2),
          kafka: round((cpu.kafkaSeconds * 1000) / load.submissions.length, 2),
        },
      },
      ceiling: ceiling ?? null,
      services: Object.fromEntries(services.map((s, i) => [s.name, usage[i]])),
      maxRssMb: Math.max(...usage.map((u) => u.peakRssMb)),
      idle,
      errors: Object.fromEntries(load.errors),
      smoke: args.smoke,
    };
    report(result, say);
    const dir = join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    say(`results: bench/results/latest.json`);
    if (args.profile) {
      // The profile is written when the service exits: stop it first, then read it.
      const profiled = services.find((s) => s.name === args.profile);
      await profiled?.stop();
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) {
        profile = summariseProfile(join(profileDir, file));
        reportProfile(args.profile, profile, say);
        say(`profile: bench/results/profiles/${file} (open it in Chrome DevTools > Performance)`);
      } else say(`no CPU profile was written by ${args.profile}`);
    }
    if (args.record && !args.smoke) appendBenchmarks(root, result, args.profile, profile);
  } finally {
    for (const service of [...services].reverse()) await service.stop();
    await postgres.stop();
  }
}

/**
 * The stack's CPU with no request at all, over `seconds` once the warm-up has drained: each
 * service, PostgreSQL (every `postgres` process on the machine) and the Kafka broker, as a share of
 * one core. Polling shows here; work woken by events does not.
 */
async function measureIdle(
  seconds: number,
  pids: Map<number, string>,
  say: (l: string) => void,
): Promise<IdleFigures> {
  say(`idle: measuring the stack's CPU for ${seconds} s with no request …`);
  const before = cpuSnapshot([...pids.keys()], benchDatabaseName());
  // A measurement window, not a wait for an event: nothing is expected to happen.
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const window = cpuWindow(before, cpuSnapshot([...pids.keys()], benchDatabaseName()), pids);
  const share = (cpuSeconds: number): number => round((cpuSeconds / window.wallSeconds) * 100, 2);
  const servicesSeconds = Object.values(window.services).reduce((a, b) => a + b, 0);
  const figures: IdleFigures = {
    seconds: window.wallSeconds,
    percentOfOneCore: {
      total: share(servicesSeconds + window.postgresSeconds + window.kafkaSeconds),
      services: Object.fromEntries(Object.entries(window.services).map(([name, s]) => [name, share(s)])),
      postgres: share(window.postgresSeconds),
      kafka: share(window.kafkaSeconds),
    },
  };
  say(
    `idle: ${figures.percentOfOneCore.total} % of one core in all (${JSON.stringify(figures.percentOfOneCore)})`,
  );
  return figures;
}

interface IdleFigures {
  seconds: number;
  percentOfOneCore: {
    total: number;
    services: Record<string, number>;
    postgres: number;
    kafka: number;
  };
}

function reportProfile(service: string, profile: ProfileSummary, say: (l: string) => void): void {
  say(`CPU profile of ${service}: ${profile.busyMs} ms busy`);
  for (const a of profile.areas.slice(0, 8)) say(`  ${String(a.share).padStart(5)} %  ${a.area}`);
  for (const f of profile.functions.slice(0, 10)) say(`  ${String(f.share).padStart(5)} %  ${f.name}`);
}

function intakeUrl(): URL {
  return new URL(`http://127.0.0.1:${DEFAULT_PORTS['intake-api']}/v1/requests`);
}

interface Counts {
  requests: number;
  pendingDeliveries: number;
  unrouted: number;
  logEntries: number;
  expectedLogEntries: number;
}

async function counts(db: Client): Promise<Counts> {
  ownQueries.count++;
  const { rows } = await db.query<Record<keyof Counts, number>>(`
    SELECT (SELECT count(*) FROM requests)::int AS requests,
           (SELECT count(*) FROM deliveries WHERE status = 'pending')::int AS "pendingDeliveries",
           (SELECT count(*) FROM requests WHERE decision IS NULL)::int AS unrouted,
           (SELECT count(*) FROM exchange_log WHERE request_id IS NOT NULL)::int AS "logEntries",
           ((SELECT count(*) FROM requests) * 2 + (SELECT count(*) FROM deliveries) * 2)::int AS "expectedLogEntries"`);
  return rows[0];
}

/** Waits until every request is routed, every delivery completed and every entry logged. */
async function waitComplete(
  db: Client,
  say: (l: string) => void,
  expectedRequests: number,
): Promise<{ elapsedMs: number }> {
  const started = Date.now();
  let lastReport = 0;
  for (;;) {
    const c = await counts(db);
    const done =
      c.requests >= expectedRequests &&
      c.unrouted === 0 &&
      c.pendingDeliveries === 0 &&
      c.logEntries >= c.expectedLogEntries;
    if (done) return { elapsedMs: Date.now() - started };
    if (Date.now() - lastReport > 2000) {
      say(
        `waiting: ${c.unrouted} unrouted, ${c.pendingDeliveries} deliveries pending, log ${c.logEntries}/${c.expectedLogEntries}`,
      );
      lastReport = Date.now();
    }
    if (Date.now() - started > 600_000) throw new Error('the pipeline did not drain within 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Server-side latencies from the stored timestamps (one clock: the machine's). */
async function serverLatencies(
  db: Client,
  ids: string[],
): Promise<{ dispatched: number[]; delivered: number[] }> {
  const { rows } = await db.query<{ dispatched: number; delivered: number }>(
    `SELECT extract(epoch FROM (r.routed_at - r.received_at)) * 1000 AS dispatched,
            extract(epoch FROM (max(d.completed_at) - r.received_at)) * 1000 AS delivered
       FROM requests r JOIN deliveries d ON d.request_id = r.id
      WHERE r.id = ANY($1) GROUP BY r.id`,
    [ids],
  );
  return {
    dispatched: rows.map((r) => Number(r.dispatched)).sort((a, b) => a - b),
    delivered: rows.map((r) => Number(r.delivered)).sort((a, b) => a - b),
  };
}

async function perRequestCounts(db: Client, ids: string[]) {
  const { rows } = await db.query<{ deliveries: number; entries: number }>(
    `SELECT (SELECT count(*) FROM deliveries WHERE request_id = ANY($1))::float / $2 AS deliveries,
            (SELECT count(*) FROM exchange_log WHERE request_id = ANY($3))::float / $2 AS entries`,
    [ids, ids.length, ids],
  );
  const deliveries = Number(rows[0].deliveries);
  // received + routed + one dispatched and one outcome message per delivery.
  return {
    deliveries: round(deliveries, 2),
    kafkaMessages: round(2 + 2 * deliveries, 2),
    logEntries: round(Number(rows[0].entries), 2),
  };
}

/** Statements the bench itself ran on the bench database (each one an autocommit transaction). */
const ownQueries = { count: 0 };

/**
 * PostgreSQL's own counters of the bench database: transactions of the services (an autocommit
 * statement counts as one; the bench's own polls are taken out) and rows written per table.
 * Unlike CPU time they do not depend on what else the machine is doing.
 */
async function postgresWork(db: Client, own: { count: number }): Promise<Record<string, number>> {
  // A backend reports its counters at most once a second, and an idle one up to 10 s later.
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  own.count++;
  const { rows } = await db.query<{ name: string; n: string }>(
    `SELECT 'transactions' AS name, (xact_commit + xact_rollback)::text AS n
       FROM pg_stat_database WHERE datname = current_database()
     UNION ALL
     SELECT 'rows written: ' || relname, (n_tup_ins + n_tup_upd + n_tup_del)::text
       FROM pg_stat_user_tables`,
  );
  const work = Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
  work.transactions -= own.count;
  return work;
}

function perRequestWork(
  before: Record<string, number>,
  after: Record<string, number>,
  requests: number,
): Record<string, number> {
  const entries = Object.entries(after)
    .map(([name, n]) => [name, round((n - (before[name] ?? 0)) / requests, 2)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(entries);
}

/** Each service's `ixr_db_statements_total`: the statements (round trips) it sent to PostgreSQL. */
async function statementCounts(services: ServiceProcess[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const service of services) {
    const response = await fetch(`http://127.0.0.1:${service.port}/metrics`);
    const match = /^ixr_db_statements_total(?:\{[^}]*\})? (\d+)/m.exec(await response.text());
    if (match) counts[service.name] = Number(match[1]);
  }
  counts.total = Object.values(counts).reduce((a, b) => a + b, 0);
  return counts;
}

function benchDatabaseName(): string {
  const name = process.env.BENCH_DATABASE_NAME ?? 'ixr_bench';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new Error(
      `BENCH_DATABASE_NAME must be a lower-case PostgreSQL name (letters, digits, _), got "${name}"`,
    );
  return name;
}

function processUsage(service: ServiceProcess): { cpuSeconds: number; peakRssMb: number } {
  const pid = service.child.pid;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(stat[11]) + Number(stat[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuSeconds: round(ticks / 100, 2), peakRssMb: round(hwm / 1024) };
  } catch {
    return { cpuSeconds: 0, peakRssMb: 0 };
  }
}

function quantiles(sorted: number[]) {
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
  };
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function gitCommit(root: string): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim();
  } catch {
    return 'unknown';
  }
}

type Result = Record<string, unknown> & {
  postgresPerRequest: Record<string, number>;
  statementsPerRequest: Record<string, number>;
  cpu: CpuWindow & { msPerRequest: Record<string, number> };
  latencyMs: Record<string, { p50: number; p95: number; p99: number }>;
  services: Record<string, { cpuSeconds: number; peakRssMb: number }>;
  idle: IdleFigures | null;
};

function report(result: Result, say: (l: string) => void): void {
  say('');
  say(`requests ${String(result.requests)}, concurrency ${String(result.concurrency)}`);
  say(
    `sustained end to end: ${String(result.requestsPerSecond)} req/s (intake alone: ${String(result.submitRequestsPerSecond)} req/s)`,
  );
  say(`ceiling: ${String(result.ceilingRequestsPerSecond)} req/s, ratio ${String(result.ratio)}`);
  for (const [name, q] of Object.entries(result.latencyMs))
    say(`latency ${name.padEnd(20)} p50 ${q.p50} ms  p95 ${q.p95} ms  p99 ${q.p99} ms`);
  for (const [name, u] of Object.entries(result.services))
    say(`${name.padEnd(18)} cpu ${u.cpuSeconds} s  peak RSS ${u.peakRssMb} MB`);
  say(
    `PostgreSQL per request (transactions; rows written by table): ${JSON.stringify(result.postgresPerRequest)}`,
  );
  say(
    `CPU while the load ran (${result.cpu.wallSeconds} s): machine ${Math.round(result.cpu.machineBusy * 100)} % busy; ` +
      `per request ${result.cpu.msPerRequest.services} ms in the services, ${result.cpu.msPerRequest.postgres} ms PostgreSQL, ${result.cpu.msPerRequest.kafka} ms Kafka`,
  );
}

function appendBenchmarks(
  root: string,
  result: Result,
  profiled: string | undefined,
  profile: ProfileSummary | undefined,
): void {
  const file = join(root, 'BENCHMARKS.md');
  if (!existsSync(file))
    writeFileSync(
      file,
      '# Benchmarks\n\nAppended by `npm run bench`; analysis below each run is written by hand.\n',
    );
  const l = result.latencyMs;
  const lines = [
    '',
    `## ${String(result.date)} — commit ${String(result.commit)}`,
    '',
    `Machine: ${JSON.stringify(result.machine)}. N = ${String(result.requests)}, C = ${String(result.concurrency)}` +
      (result.offeredRate ? `, paced at ${Number(result.offeredRate)} req/s.` : ' (closed loop).'),
    '',
    '| figure | value |',
    '|---|---|',
    `| sustained end to end | ${String(result.requestsPerSecond)} req/s |`,
    `| intake (submit → 202) | ${String(result.submitRequestsPerSecond)} req/s |`,
    `| ceiling (bare Kafka + PostgreSQL) | ${String(result.ceilingRequestsPerSecond)} req/s — ${JSON.stringify(result.ceiling)} |`,
    `| ratio to ceiling | ${String(result.ratio)} |`,
    `| submit → 202 p50/p95/p99 | ${l.submitTo202.p50} / ${l.submitTo202.p95} / ${l.submitTo202.p99} ms |`,
    `| submit → dispatched p50/p95/p99 | ${l.submitToDispatched.p50} / ${l.submitToDispatched.p95} / ${l.submitToDispatched.p99} ms |`,
    `| submit → delivered p50/p95/p99 | ${l.submitToDelivered.p50} / ${l.submitToDelivered.p95} / ${l.submitToDelivered.p99} ms |`,
    `| per request | ${JSON.stringify(result.perRequest)} |`,
    `| PostgreSQL statements per request, by service | ${JSON.stringify(result.statementsPerRequest)} |`,
    `| PostgreSQL per request (transactions; rows written by table) | ${JSON.stringify(result.postgresPerRequest)} |`,
    `| CPU while the load ran | ${result.cpu.wallSeconds} s, machine ${Math.round(result.cpu.machineBusy * 100)} % busy; per request: services ${result.cpu.msPerRequest.services} ms, PostgreSQL ${result.cpu.msPerRequest.postgres} ms, Kafka ${result.cpu.msPerRequest.kafka} ms; by service (s): ${JSON.stringify(result.cpu.services)} |`,
    `| services (CPU s, peak RSS MB) | ${Object.entries(result.services)
      .map(([n, u]) => `${n} ${u.cpuSeconds} s / ${u.peakRssMb} MB`)
      .join('; ')} |`,
    ...(result.idle
      ? [
          `| idle, no request (${result.idle.seconds} s), % of one core | ${result.idle.percentOfOneCore.total} in all: ${JSON.stringify(result.idle.percentOfOneCore)} |`,
        ]
      : []),
    '',
  ];
  if (profiled && profile) {
    lines.push(
      `CPU profile of ${profiled} (${profile.busyMs} ms busy; self time by area, then by function):`,
      '',
      ...profile.areas.slice(0, 8).map((a) => `- ${a.share} % ${a.area}`),
      '',
      ...profile.functions.slice(0, 12).map((f) => `- ${f.share} % \`${f.name}\``),
      '',
    );
  }
  appendFileSync(file, lines.join('\n'));
}

function parseOptions(): {
  requests: number;
  concurrency: number;
  smoke: boolean;
  ceiling: boolean;
  record: boolean;
  profile: ServiceName | undefined;
  rate: number | undefined;
  idleSeconds: number | undefined;
} {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        requests: { type: 'string' },
        concurrency: { type: 'string' },
        smoke: { type: 'boolean', default: false },
        'no-ceiling': { type: 'boolean', default: false },
        'no-record': { type: 'boolean', default: false },
        profile: { type: 'string' },
        rate: { type: 'string' },
        idle: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const requests = Number(values.requests ?? (values.smoke ? 100 : 5000));
  const concurrency = Number(values.concurrency ?? (values.smoke ? 8 : 64));
  if (!Number.isInteger(requests) || requests < 1 || requests > 1_000_000) {
    process.stderr.write(`--requests must be a whole number from 1 to 1000000\n${USAGE}\n`);
    process.exit(2);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024) {
    process.stderr.write(`--concurrency must be a whole number from 1 to 1024\n${USAGE}\n`);
    process.exit(2);
  }
  const profile = values.profile;
  if (profile !== undefined && !(SERVICES as readonly string[]).includes(profile)) {
    process.stderr.write(`--profile must name a service: ${SERVICES.join(', ')}\n${USAGE}\n`);
    process.exit(2);
  }
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0 && rate <= 100_000)) {
    process.stderr.write(`--rate must be a number of requests per second from 0 to 100000\n${USAGE}\n`);
    process.exit(2);
  }
  const idleSeconds = values.idle === undefined ? undefined : Number(values.idle);
  if (
    idleSeconds !== undefined &&
    !(Number.isInteger(idleSeconds) && idleSeconds >= 1 && idleSeconds <= 3600)
  ) {
    process.stderr.write(`--idle must be a whole number of seconds from 1 to 3600\n${USAGE}\n`);
    process.exit(2);
  }
  return {
    rate,
    idleSeconds,
    profile: profile as ServiceName | undefined,
    requests,
    concurrency,
    smoke: values.smoke ?? false,
    ceiling: !values['no-ceiling'],
    record: !values['no-record'],
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
