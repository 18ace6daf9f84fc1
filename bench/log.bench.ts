/**
 * `npm run bench:log [entries]`: the exchange log on the real PostgreSQL at a million entries —
 * append rate with batching (the writer's real transaction: sequencing lock, dedup, canonical
 * JSON, hashes, Merkle nodes, checkpoints), verification rate of the whole log, and the time of an
 * inclusion proof read from the stored tree. Targets (issue 4): append >= 10,000 entries/s,
 * verify >= 100,000 entries/s, an inclusion proof < 10 ms.
 *
 * Database: BENCH_DATABASE_URL, else DATABASE_URL's server with a database `ixr_bench_log`,
 * dropped and re-created. Results are printed and written to bench/results/log.md.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sampleRequestBody } from '@ixr/domain';
import {
  consistencyProofAsync,
  inclusionProofAsync,
  parseSignerKey,
  signingKeyFromSeed,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '@ixr/exchange-log';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@ixr/persistence';
import { Clock } from '@ixr/platform';
import {
  CheckpointSigner,
  type EntryFacts,
  LogReader,
  LogWriter,
  resolveLogTrust,
  verifyLog,
} from '@ixr/exchange-log-store';
import { recreateDatabase } from '../scripts/dev/postgres';
import { repoRoot } from '../scripts/dev/paths';

const ENTRIES = Number(process.argv[2] ?? process.env.BENCH_LOG_ENTRIES ?? 1_000_000);
const BATCH = Number(process.env.BENCH_LOG_BATCH ?? 1000);
/** Concurrent appenders, as the service's consumers run (one per partition batch in flight). */
const APPENDERS = Number(process.env.BENCH_LOG_APPENDERS ?? 4);
const PROOFS = 1000;
const ORIGIN = 'ixr.bench/exchange-log';
const KEY = signingKeyFromSeed(ORIGIN, Buffer.alloc(32, 1));
const lines: string[] = [];
const print = (line = ''): void => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
const rate = (count: number, ms: number): string => Math.round((count * 1000) / ms).toLocaleString('en');

function benchUrl(): string {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const base = process.env.DATABASE_URL;
  if (!base)
    throw new Error(
      'set BENCH_DATABASE_URL or DATABASE_URL (a server where a bench database may be created)',
    );
  const url = new URL(base);
  url.pathname = '/ixr_bench_log';
  return url.toString();
}

// Entries shaped like the real ones (a received body, a routed decision, dispatches, outcomes).
const body = sampleRequestBody();
let next = 0;
function entry(): EntryFacts {
  const i = next++;
  const requestId = `00000000-0000-4000-8000-${String(Math.floor(i / 6)).padStart(12, '0')}`;
  const time = new Date(Date.UTC(2026, 0, 1) + i * 10).toISOString();
  const base = {
    eventId: `bench-${i}`,
    requestId,
    time,
    recipients: ['siena:NL', 'national_spoc:CGI-SPOC'],
    channel: null,
    rulesetVersion: 'default-2026.1',
  };
  switch (i % 6) {
    case 0:
      return {
        ...base,
        kind: 'received',
        actor: { person: 'officer-17', unit: 'PZ-5339', role: 'requester' },
        justification: body.justification,
        rulesetVersion: null,
        details: { body, actorLevel: 'local' },
      };
    case 1:
      return {
        ...base,
        kind: 'routed',
        actor: { person: 'system:router', unit: 'IXR', role: 'system' },
        justification: 'routing decision under rule set default-2026.1 (Directive 2023/977)',
        details: {
          decision: {
            requestId,
            rulesetVersion: 'default-2026.1',
            decidedAt: time,
            routes: [
              {
                channel: 'siena',
                destination: 'NL',
                role: 'primary',
                ruleId: 'eu-siena',
                reason: 'NL is an EU member state: SIENA',
              },
              {
                channel: 'national_spoc',
                destination: 'CGI-SPOC',
                role: 'copy',
                ruleId: 'spoc-copy',
                reason: 'the SPOC sees every exchange (Art 4(2))',
              },
            ],
            europolCopy: { copy: false, reason: 'one EU member state concerned' },
            deadline: { at: time, basis: 'standard_7d' },
          },
          rulesetHash: 'a'.repeat(64),
          directoryVersion: 'directory-2026.1',
          channelHealth: { open: [] },
          requestingUnit: 'PZ-5339',
        },
      };
    case 2:
    case 3:
      return {
        ...base,
        kind: 'dispatched',
        actor: { person: 'system:router', unit: 'IXR', role: 'system' },
        justification: 'primary route by rule eu-siena',
        channel: 'siena',
        details: { deliveryId: `d-${i}`, role: 'primary', ruleId: 'eu-siena', handlingCode: 'H1' },
      };
    default:
      return {
        ...base,
        kind: 'delivered',
        actor: { person: 'system:channel-adapters', unit: 'IXR', role: 'adapter' },
        justification: 'delivery acknowledged by the partner',
        channel: 'siena',
        rulesetVersion: null,
        details: { deliveryId: `d-${i}`, attempts: 1, partnerReference: `SIENA-${i}`, error: null },
      };
  }
}

/**
 * CPU seconds spent by this process and by its own PostgreSQL backends (Linux /proc; the server
 * runs on this host). On a shared, loaded machine wall-clock rates mostly measure the neighbours;
 * CPU time says what the work itself costs.
 */
class CpuMeter {
  constructor(private readonly dataSource: DataSource) {}

  async start(): Promise<() => Promise<{ node: number; postgres: number }>> {
    const node = process.cpuUsage();
    const before = await this.backends();
    return async () => {
      const after = await this.backends();
      let postgres = 0;
      for (const [pid, cpu] of after) postgres += cpu - (before.get(pid) ?? 0);
      const used = process.cpuUsage(node);
      return { node: (used.user + used.system) / 1e6, postgres };
    };
  }

  private async backends(): Promise<Map<number, number>> {
    const rows = await this.dataSource.query<{ pid: number }[]>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = 'ixr-bench-log'`,
    );
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()!.trim().split(' ');
        cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
      } catch {
        // not Linux, or the server is on another host: CPU figures will show PostgreSQL as 0
      }
    }
    return cpu;
  }
}
const CLOCK_TICKS = 100;

function cpuLine(entries: number, cpu: { node: number; postgres: number }): string {
  const per = (s: number): string => ((1000 * s * 1000) / entries).toFixed(1);
  const bound = entries / Math.max(cpu.node, cpu.postgres, 1e-9);
  return (
    `CPU per 1,000 entries: Node ${per(cpu.node)} ms, PostgreSQL backends ${per(cpu.postgres)} ms ` +
    `(on two free cores, about ${Math.round(bound).toLocaleString('en')} entries/s; on one, ` +
    `${Math.round(entries / (cpu.node + cpu.postgres)).toLocaleString('en')}).`
  );
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function main(): Promise<void> {
  const url = benchUrl();
  await recreateDatabase(url);
  const dataSource = createDataSource({ url, poolSize: APPENDERS + 2, applicationName: 'ixr-bench-log' });
  await dataSource.initialize();
  await runMigrations(dataSource);
  const [{ version }] = await dataSource.query<{ version: string }[]>(
    "SELECT current_setting('server_version') AS version",
  );
  const signer = new CheckpointSigner(ORIGIN, parseSignerKey(KEY.signerKey), KEY.verifierKey);
  const writer = new LogWriter(dataSource, signer, new Clock(), { checkpointEvery: 10_000 });

  print(`# Exchange-log benchmark (${new Date().toISOString()})`);
  print();
  print(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${version} on the same host.`,
  );
  print(
    `**Shared machine**: other work was running; load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}.`,
  );
  print();

  print('## Append (LogWriter.append: one transaction per batch)');
  print();
  print('| batch size | entries | seconds | entries/s |');
  print('|---:|---:|---:|---:|');
  for (const size of [1, 10, 100]) {
    const count = size === 1 ? 500 : 3000;
    const started = performance.now();
    for (let done = 0; done < count; done += size) await writer.append(Array.from({ length: size }, entry));
    const ms = performance.now() - started;
    print(`| ${size} | ${count} | ${(ms / 1000).toFixed(2)} | ${rate(count, ms)} |`);
  }
  const single = Math.min(50_000, ENTRIES);
  const t0 = performance.now();
  for (let done = 0; done < single; done += BATCH) await writer.append(Array.from({ length: BATCH }, entry));
  const singleMs = performance.now() - t0;
  print(
    `| ${BATCH} | ${single.toLocaleString('en')} | ${(singleMs / 1000).toFixed(1)} | ${rate(single, singleMs)} |`,
  );

  // The main run: APPENDERS loops at once, contending for the sequencer lock like the consumers do.
  const meter = new CpuMeter(dataSource);
  const appendCpu = await meter.start();
  const started = performance.now();
  let appended = 0;
  let lastReport = started;
  const loop = async (): Promise<void> => {
    while (appended < ENTRIES) {
      const size = Math.min(BATCH, ENTRIES - appended);
      appended += size;
      await writer.append(Array.from({ length: size }, entry));
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        process.stderr.write(
          `  appended ${appended.toLocaleString('en')} (${rate(appended, lastReport - started)}/s)\n`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: APPENDERS }, loop));
  const appendMs = performance.now() - started;
  print(
    `| ${BATCH} × ${APPENDERS} appenders | ${ENTRIES.toLocaleString('en')} | ${(appendMs / 1000).toFixed(1)} | **${rate(ENTRIES, appendMs)}** |`,
  );
  const appendUsed = await appendCpu();
  await writer.checkpointNow();
  print();
  print(cpuLine(ENTRIES, appendUsed));
  print();

  const reader = new LogReader(dataSource);
  const trust = await resolveLogTrust(reader, ORIGIN, [KEY.verifierKey]);
  const verifyCpu = await meter.start();
  const report = await verifyLog(reader, trust, {
    onProgress: (done, total) => {
      if (done % 200_000 < 10_000)
        process.stderr.write(`  verified ${done.toLocaleString('en')}/${total.toLocaleString('en')}\n`);
    },
  });
  const verifyUsed = await verifyCpu();
  if (!report.ok) throw new Error(`the benchmark log does not verify: ${report.reason}`);
  print(
    "## Verify (the audit tools' verifyLog: read every entry from PostgreSQL, check links, leaf hashes, roots at every checkpoint)",
  );
  print();
  print(
    `${report.entries.toLocaleString('en')} entries, ${report.checkpoints.verified} signed checkpoints, ${(report.durationMs / 1000).toFixed(1)} s: **${rate(report.entries, report.durationMs)} entries/s**`,
  );
  print();
  print(cpuLine(report.entries, verifyUsed));
  print();

  const latest = (await reader.latestCheckpoint())!;
  const head = verifyCheckpoint(latest.note, KEY.verifierKey, { origin: ORIGIN });
  const hashes = reader.hashReader();
  const leaves = await dataSource.query<{ seq: string; leaf_hash: Buffer }[]>(
    'SELECT seq, leaf_hash FROM exchange_log WHERE seq = ANY($1)',
    [Array.from({ length: PROOFS }, (_, i) => Math.floor(((i * 7919) % PROOFS) * (head.size / PROOFS)))],
  );
  const times: number[] = [];
  for (const leaf of leaves) {
    const t0 = performance.now();
    const proof = await inclusionProofAsync(hashes, Number(leaf.seq), head.size);
    times.push(performance.now() - t0);
    if (!verifyInclusion(leaf.leaf_hash, Number(leaf.seq), head.size, proof, head.rootHash).ok) {
      throw new Error(`inclusion proof of seq ${leaf.seq} does not verify`);
    }
  }
  times.sort((a, b) => a - b);
  const checkpoints = await reader.checkpoints();
  const older = checkpoints[Math.floor(checkpoints.length / 3)];
  const c0 = performance.now();
  const consistency = await consistencyProofAsync(hashes, older.size, head.size);
  const consistencyMs = performance.now() - c0;
  if (!verifyConsistency(older.size, head.size, consistency, older.rootHash, head.rootHash).ok) {
    throw new Error('consistency proof does not verify');
  }
  print(
    `## Proofs against the signed checkpoint of ${head.size.toLocaleString('en')} entries (one read of the stored nodes each)`,
  );
  print();
  print(
    `Inclusion, ${times.length} proofs of spread-out entries, each verified: median ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms, p99 ${percentile(times, 0.99).toFixed(2)} ms, max ${times[times.length - 1].toFixed(2)} ms.`,
  );
  print(
    `Consistency ${older.size.toLocaleString('en')} → ${head.size.toLocaleString('en')}: ${consistencyMs.toFixed(2)} ms (${consistency.length} hashes), verified.`,
  );
  print();
  print(
    `Load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}.`,
  );
  writeFileSync(join(repoRoot(), 'bench', 'results', 'log.md'), `${lines.join('\n')}\n`);
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:log failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
