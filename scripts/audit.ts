import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import type { Actor } from '@ixr/domain';
import { type BundleReport, type BundleScope, parseVerifierKey, verifyBundle } from '@ixr/exchange-log';
import { createDataSource, DataKeyVault, enqueueOutbox, loginOf, parseDataKeyMaster } from '@ixr/persistence';
import { serviceDatabaseUrls } from './dev/postgres';
import { checkDevelopmentDefaults } from '@ixr/platform';
import {
  auditDevelopmentDefaults,
  auditMessage,
  exportEvidence,
  loadAuditConfig,
  loadExporter,
  LogReader,
  MAX_TIMELINE_PAGE,
  replayDecisions,
  requestTimeline,
  resolveLogTrust,
  verifyLog,
  type AuditFacts,
  type LogVerification,
  type ReplayReport,
  type Timeline,
} from '@ixr/exchange-log-store';

const USAGE = `usage: npm run audit -- <command> [options]

  verify                         verify the whole exchange log in the database (DATABASE_URL): every
                                   epoch, and the link from each epoch to the one before
      [--checkpoint <file>]...     also hold the log to checkpoints you kept (catches a cut of the stored ones)
  verify --bundle <dir|file>     verify an evidence bundle offline: no database needed
      [--vkey <key|file>]          the log's published public key (else the bundle's own, with a warning)
      [--export-vkey <key|file>]   the exporter's public key (same)
  timeline <request-id>          every entry of a request, in order, with its inclusion proof
  replay [--request <id>]        re-run recorded routing decisions; exit 1 if any differ
  export --out <dir> (--request <id> | --from <iso> --to <iso>)
                                 write an evidence bundle for a request or a time range

Every command that reads the database needs --justification "<why>": the read is itself recorded in
the exchange log (consulted, or exported), with --actor <person> (default: $USER) and --unit <unit>
(default: AUDIT). --json prints machine-readable output.
Exit codes: 0 intact/same, 1 a verification failed or a decision differs, 2 usage error, 3 could not run.`;

class UsageError extends Error {}

interface Options {
  justification?: string;
  actor?: string;
  unit?: string;
  json?: boolean;
  bundle?: string;
  vkey?: string;
  'export-vkey'?: string;
  checkpoint?: string[];
  request?: string;
  from?: string;
  to?: string;
  out?: string;
  help?: boolean;
}

function parseCommandLine(argv: string[]): { command: string; args: string[]; options: Options } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      justification: { type: 'string' },
      actor: { type: 'string' },
      unit: { type: 'string' },
      json: { type: 'boolean' },
      bundle: { type: 'string' },
      vkey: { type: 'string' },
      'export-vkey': { type: 'string' },
      checkpoint: { type: 'string', multiple: true },
      request: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command = '', ...args] = positionals;
  return { command, args, options: values };
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const note = (line: string): void => void process.stderr.write(`${line}\n`);

/** Progress on stderr, at most once a second, so long runs show they are alive. */
function progress(label: string): (done: number, total?: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < 1000 && done !== total) return;
    last = now;
    const share = total ? ` (${Math.floor((100 * done) / Math.max(total, 1))}%)` : '';
    note(`${label} ${done.toLocaleString('en')}${total ? `/${total.toLocaleString('en')}` : ''}${share}`);
  };
}

async function main(argv: string[]): Promise<number> {
  const { command, args, options } = parseCommandLine(argv);
  if (options.help || command === 'help') {
    say(USAGE);
    return 0;
  }
  if (command === 'verify' && options.bundle !== undefined) return verifyBundleCommand(options);
  if (!['verify', 'timeline', 'replay', 'export'].includes(command)) {
    throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
  }
  if (args.length > (command === 'timeline' ? 1 : 0))
    throw new UsageError(`unexpected argument "${args.at(-1)}"`);
  if (command === 'timeline' && args.length !== 1) throw new UsageError('timeline needs a request id');
  const justification = options.justification?.trim();
  if (!justification) {
    throw new UsageError('--justification "<why>" is required: your read is recorded in the exchange log');
  }
  const scope = command === 'export' ? exportScope(options) : undefined;
  if (command === 'export') checkOutDir(options.out);
  const url = process.env.DATABASE_URL;
  if (!url) throw new UsageError('DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/ixr)');
  const { config, configuredLogKeys } = loadAuditConfig();
  const defaults = auditDevelopmentDefaults().filter(
    (d) => command === 'export' || !d.setting.startsWith('AUDIT_'),
  );
  for (const line of checkDevelopmentDefaults('audit', defaults)) process.stderr.write(`${line}\n`);
  const actor: Actor = {
    person: options.actor ?? `os:${process.env.USER ?? 'unknown'}`,
    unit: options.unit ?? 'AUDIT',
    role: 'auditor',
  };
  const dataSource = createDataSource({ url, poolSize: 3, applicationName: 'ixr-audit-cli' });
  await dataSource.initialize();
  try {
    const reader = new LogReader(dataSource);
    const dataKeys = new DataKeyVault(parseDataKeyMaster(process.env.DATA_KEY_MASTER), false);
    const trust = await resolveLogTrust(reader, config.LOG_ORIGIN, configuredLogKeys);
    const record = (facts: Omit<AuditFacts, 'justification'>): Promise<void> =>
      recordRead(dataSource, actor, { ...facts, justification });
    switch (command) {
      case 'verify': {
        const extra = (options.checkpoint ?? []).map((file) => readText(file, '--checkpoint'));
        const report = await verifyLog(reader, trust, {
          extraCheckpoints: extra,
          onProgress: progress('verified'),
        });
        await record({
          kind: 'consulted',
          requestId: null,
          details: {
            action: 'log_verified',
            ok: report.ok,
            entries: report.entries,
            firstBadSeq: report.firstBadSeq ?? null,
            epochs: report.epochs.length,
          },
        });
        printVerification(report, options.json);
        return report.ok ? 0 : 1;
      }
      case 'timeline': {
        // Page by page (the service's bound); the CLI prints the whole timeline.
        // Sealed personal data shows clear, or `erased` where its key is gone (SPEC §10).
        const keyFor = (keyId: string) => dataKeys.find(dataSource, keyId);
        let timeline = await requestTimeline(reader, trust, args[0], undefined, keyFor);
        while (timeline.nextAfter !== null) {
          const next = await requestTimeline(
            reader,
            trust,
            args[0],
            { after: timeline.nextAfter, limit: MAX_TIMELINE_PAGE },
            keyFor,
          );
          timeline = { ...next, entries: [...timeline.entries, ...next.entries] };
        }
        await record({
          kind: 'consulted',
          requestId: args[0],
          details: { action: 'timeline_read', entries: timeline.entries.length },
        });
        printTimeline(timeline, options.json);
        return timeline.entries.length > 0 && timeline.entries.every((e) => e.inclusion?.verified !== false)
          ? 0
          : 1;
      }
      case 'replay': {
        const report = await replayDecisions(reader, {
          requestId: options.request,
          spocUnit: config.SPOC_UNIT,
          onProgress: progress('replayed'),
        });
        await record({
          kind: 'consulted',
          requestId: options.request ?? null,
          details: {
            action: 'decisions_replayed',
            replayed: report.replayed,
            differing: report.differing.length,
            unreplayable: report.unreplayable.length,
          },
        });
        printReplay(report, options.json);
        return report.differing.length === 0 && report.unreplayable.length === 0 ? 0 : 1;
      }
      default: {
        const bundle = await exportEvidence(reader, trust, loadExporter(config), {
          scope: scope!,
          actor,
          justification,
          now: new Date(),
          maxEntries: config.AUDIT_EXPORT_MAX_ENTRIES,
          keyFor: (keyId) => dataKeys.find(dataSource, keyId),
        });
        await record({
          kind: 'exported',
          requestId: 'requestId' in scope! ? scope.requestId : null,
          details: {
            action: 'evidence_exported',
            scope: scope!,
            entries: bundle.entries,
            checkpointSize: bundle.checkpointSize,
            manifestSha256: bundle.manifestSha256,
          },
        });
        writeBundle(options.out!, bundle.files);
        const summary = {
          out: resolve(options.out!),
          entries: bundle.entries,
          notYetCheckpointed: bundle.notYetCheckpointed,
          inEarlierEpochs: bundle.inEarlierEpochs,
          checkpointSize: bundle.checkpointSize,
          manifestSha256: bundle.manifestSha256,
        };
        if (options.json) say(JSON.stringify(summary, null, 2));
        else {
          say(
            `bundle written to ${summary.out}: ${summary.entries} entries, proofs against checkpoint ${summary.checkpointSize}`,
          );
          if (summary.notYetCheckpointed > 0)
            say(
              `${summary.notYetCheckpointed} newer entries are not signed yet: export again later to include them`,
            );
          if (summary.inEarlierEpochs > 0)
            say(
              `${summary.inEarlierEpochs} entries of earlier log epochs are not in this bundle (it proves the latest epoch's tree): read them with timeline`,
            );
          say(`check it anywhere with: npm run audit -- verify --bundle ${summary.out}`);
        }
        return 0;
      }
    }
  } finally {
    await dataSource.destroy();
  }
}

/** The intake's login, whose relay publishes what this CLI puts in the outbox (README "Database logins"). */
function intakeLogin(): string {
  return loginOf(serviceDatabaseUrls(process.env.DATABASE_URL ?? '').intake).user;
}

/** The read goes into the exchange log like any other audited step (through the intake's outbox relay). */
async function recordRead(dataSource: DataSource, actor: Actor, facts: AuditFacts): Promise<void> {
  await dataSource.transaction((manager) =>
    enqueueOutbox(
      manager,
      [auditMessage(actor, facts, new Date(), randomUUID(), 'ixr/audit-cli')],
      intakeLogin(),
    ),
  );
}

function exportScope(options: Options): BundleScope {
  const range = options.from !== undefined || options.to !== undefined;
  if (options.request !== undefined && range) throw new UsageError('give --request or --from/--to, not both');
  if (options.request !== undefined) return { requestId: options.request };
  if (!range) throw new UsageError('export needs --request <id>, or --from <iso> and --to <iso>');
  const from = Date.parse(options.from ?? '');
  const to = Date.parse(options.to ?? '');
  if (Number.isNaN(from))
    throw new UsageError('--from must be an ISO 8601 instant, e.g. 2026-01-01T00:00:00Z');
  if (Number.isNaN(to)) throw new UsageError('--to must be an ISO 8601 instant, e.g. 2026-02-01T00:00:00Z');
  if (from >= to) throw new UsageError('--to must be after --from');
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

function checkOutDir(out: string | undefined): void {
  if (!out) throw new UsageError('export needs --out <dir> (a new or empty directory)');
  if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0)) {
    throw new UsageError(`--out ${out} exists and is not an empty directory: evidence is never overwritten`);
  }
}

function writeBundle(out: string, files: ReadonlyMap<string, Buffer>): void {
  for (const [path, bytes] of files) {
    const target = join(out, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes, { flag: 'wx' });
  }
}

function readText(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${option} ${file}: ${(error as Error).message}`);
  }
}

/** A key given inline (`name+id+base64`) or as a file holding one per line. */
function keysFrom(value: string | undefined, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!existsSync(value)) {
    try {
      parseVerifierKey(value.trim());
      return [value.trim()];
    } catch {
      throw new UsageError(`${option} ${value}: neither a file nor a verifier key (<name>+<key id>+<key>)`);
    }
  }
  return readText(value, option)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** A bundle directory, or the JSON the API's export answered (`{ files: { path: text } }`). */
function readBundle(path: string): Map<string, Buffer> {
  if (!existsSync(path)) throw new UsageError(`--bundle ${path} does not exist`);
  const files = new Map<string, Buffer>();
  if (statSync(path).isDirectory()) {
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else files.set(relative(path, full).split(sep).join('/'), readFileSync(full));
      }
    };
    walk(path);
    return files;
  }
  let parsed: { files?: Record<string, unknown> };
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as typeof parsed;
  } catch (error) {
    throw new UsageError(
      `--bundle ${path} is neither a directory nor the JSON of an export: ${(error as Error).message}`,
    );
  }
  for (const [name, text] of Object.entries(parsed.files ?? {})) {
    if (typeof text === 'string') files.set(name, Buffer.from(text, 'utf8'));
  }
  return files;
}

function verifyBundleCommand(options: Options): number {
  const files = readBundle(options.bundle!);
  const report = verifyBundle(files, {
    logKeys: keysFrom(options.vkey, '--vkey'),
    exportKeys: keysFrom(options['export-vkey'], '--export-vkey'),
  });
  printBundleReport(report, options.json);
  return report.ok ? 0 : 1;
}

function printBundleReport(report: BundleReport, json?: boolean): void {
  if (json) return say(JSON.stringify({ ...report, manifest: undefined }, null, 2));
  for (const warning of report.warnings) note(`warning: ${warning}`);
  if (report.ok) {
    say(
      `bundle intact: ${report.entries} entries, each proven in the log's signed tree of ${report.checkpoint?.size} entries (root ${report.checkpoint?.rootHash})`,
    );
    return;
  }
  say(`bundle NOT intact: ${report.problems.length} problem(s)`);
  for (const p of report.problems) say(`  ${p.seq !== undefined ? `seq ${p.seq}` : p.file}: ${p.message}`);
}

function printVerification(report: LogVerification, json?: boolean): void {
  if (json) return say(JSON.stringify(report, null, 2));
  const trust = report.trust.source === 'configured' ? 'configured key' : 'key published in the database';
  if (report.epochs.length > 1) {
    for (const epoch of report.epochs) {
      say(
        `epoch ${epoch.epoch}: ${epoch.ok ? 'intact' : `NOT intact (${epoch.failure})`}, ${epoch.entries} entries, ` +
          `${epoch.checkpoints} checkpoint(s), latest at size ${epoch.latest?.size ?? 0}`,
      );
      if (epoch.opening?.ok)
        say(`  opened over epoch ${epoch.epoch - 1}'s latest checkpoint: ${epoch.opening.reason}`);
      if (epoch.lost) {
        say(
          `  entries ${epoch.lost.from}..${epoch.lost.to} under its signed checkpoint are lost, as declared by epoch ${epoch.epoch + 1}'s first entry`,
        );
      }
    }
  }
  if (report.ok) {
    say(
      `log intact: ${report.entries} entries${report.epochs.length > 1 ? ` in ${report.epochs.length} epochs` : ''}, root ${report.rootHash}; ${report.checkpoints.verified} signed checkpoint(s) match (${trust}), latest at size ${report.checkpoints.latest?.size ?? 0}`,
    );
    if (report.unsignedTail > 0)
      say(`${report.unsignedTail} entries after the latest checkpoint are not signed yet`);
    const ignored = report.checkpoints.ignored;
    if (ignored.length > 0) {
      say(
        `${ignored.length} checkpoint(s) signed by no trusted key were not used (first: size ${ignored[0].size}):`,
      );
      say(`  ${ignored[0].reason}`);
    }
  } else {
    const where = report.epochs.length > 1 ? ` of epoch ${report.firstBadEpoch}` : '';
    say(
      `log NOT intact: ${report.failure}${report.firstBadSeq !== undefined ? ` at seq ${report.firstBadSeq}${where}` : ''}`,
    );
    if (report.reason) say(`  ${report.reason}`);
    if (report.badRange)
      say(`  rewritten stretch lies within seq ${report.badRange.from}..${report.badRange.to - 1}`);
    for (const p of report.checkpoints.problems) say(`  checkpoint ${p.size ?? '(kept)'}: ${p.reason}`);
  }
  say(`${report.durationMs} ms`);
}

function printTimeline(timeline: Timeline, json?: boolean): void {
  if (json) return say(JSON.stringify(timeline, null, 2));
  say(`request ${timeline.requestId}: ${timeline.entries.length} entries`);
  say(
    timeline.checkpoint
      ? `proofs against signed checkpoint of size ${timeline.checkpoint.size}`
      : 'no signed checkpoint yet',
  );
  for (const e of timeline.entries) {
    const actor = e.actor as { person?: string; unit?: string; role?: string } | undefined;
    const proof = e.inclusion === null ? 'not yet signed' : e.inclusion.verified ? 'proof ok' : 'PROOF FAILS';
    say(
      `  ${String(e.seq).padStart(8)}  ${String(e.time)}  ${String(e.kind).padEnd(10)}  ${actor?.person}/${actor?.unit}/${actor?.role}  ${proof}  "${String(e.justification)}"`,
    );
  }
}

function printReplay(report: ReplayReport, json?: boolean): void {
  if (json) return say(JSON.stringify(report, null, 2));
  say(
    `replayed ${report.replayed} decisions: ${report.matched} reproduced, ${report.differing.length} differ, ${report.unreplayable.length} could not be re-run`,
  );
  for (const d of report.differing) {
    say(`  seq ${d.seq} (request ${d.requestId}, rule set ${d.rulesetVersion}):`);
    for (const x of d.differences)
      say(`    ${x.path}: recorded ${JSON.stringify(x.recorded)}, replayed ${JSON.stringify(x.replayed)}`);
  }
  for (const u of report.unreplayable) say(`  seq ${u.seq} (request ${u.requestId}): ${u.reason}`);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        note(`${(error as Error).message}\n\n${USAGE}`);
        process.exit(2);
      }
      const code = (error as { code?: string }).code;
      note(`audit failed${code ? ` (${code})` : ''}: ${(error as Error).message}`);
      process.exit(3);
    },
  );
}
