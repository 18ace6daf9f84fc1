import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EntityManager } from 'typeorm';
import {
  appendToFrontier,
  BUNDLE_FILES,
  checkpointEpoch,
  decodeLogEntry,
  EPOCH_ENTRY_KIND,
  encodeLogEntry,
  epochOpeningDetails,
  frontierRoot,
  GENESIS_PREV_LEAF_HASH,
  leafHash,
  parseVerifierKey,
  verifyCheckpoint,
} from '@ixr/exchange-log';
import { auditMessage, treeStore, type EntryFacts } from '@ixr/exchange-log-store';
import { createDataSource, enqueueOutbox, loginOf } from '@ixr/persistence';
import { serviceDatabaseUrls } from './dev/postgres';

const USAGE = `npm run log:recover -- [--entries <entries.jsonl | bundle dir> | --new-epoch] [--checkpoint <note>]
                           [--vkey <file>] [--dry-run] --justification "<why>"

When the log writer stops (its store is behind, or different from, its latest signed checkpoint:
/health names the sequence number and the checkpoint), this command says what is missing and
recovers it, one of two ways:

- restore the missing entries (--entries) from any copy — an evidence bundle's entries.jsonl, an
  export, a replica. They are verified before anything is written: they must continue the stored
  chain, and the tree they complete must have exactly the signed checkpoint's root.
- when no copy is left, open a new log epoch (--new-epoch): a fresh chain and tree whose first
  entry records the old epoch's latest signed checkpoint (size, root hash, signed note), how many
  of its entries are still stored, and the justification as the reason. The old epoch's
  checkpoints and proofs stay verifiable as that epoch's; \`npm run audit -- verify\` checks every
  epoch and the link between them.

The writer resumes at its next append; the business events that waited are appended then.
Connects as the owner (DATABASE_URL).

  --entries       the copy of the missing entries (one canonical entry per line)
  --new-epoch     no copy exists: open a new epoch over the latest signed checkpoint
  --checkpoint    a checkpoint note kept outside the database (LOG_CHECKPOINT_FILE), when newer
  --vkey          the log's public key(s); default: the keys the writer published in the database
  --dry-run       say what would be done, write nothing
  --justification why (recorded in the log; with --new-epoch, the new epoch's stated reason)`;

class UsageError extends Error {}

interface Head {
  epoch: number;
  size: number;
  lastLeaf: Buffer | undefined;
}

interface Options {
  entries?: string;
  'new-epoch'?: boolean;
  checkpoint?: string;
  vkey?: string;
  justification: string;
  'dry-run'?: boolean;
}

function parseCommandLine(): Omit<Options, 'justification'> & { justification?: string; help?: boolean } {
  try {
    return parseArgs({
      options: {
        entries: { type: 'string' },
        'new-epoch': { type: 'boolean' },
        checkpoint: { type: 'string' },
        vkey: { type: 'string' },
        justification: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    // An unknown or malformed flag: say which, with the usage, and touch nothing.
    throw new UsageError((error as Error).message);
  }
}

async function main(): Promise<number> {
  const values = parseCommandLine();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.entries !== undefined && values['new-epoch']) {
    throw new UsageError(
      '--entries and --new-epoch exclude each other: restore the entries, or open an epoch',
    );
  }
  const justification = values.justification?.trim();
  if (!justification) throw new UsageError('--justification "<why>" is required: the recovery is logged');
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new UsageError('DATABASE_URL is not set (the owner, e.g. postgres://postgres@127.0.0.1:5432/ixr)');
  const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'ixr-log-recover' });
  await dataSource.initialize();
  try {
    return await dataSource.transaction(async (manager) => {
      // The writer's own lock: nothing is appended while the recovery runs.
      await manager.query('SELECT pg_advisory_xact_lock($1)', [0x1c5_10c]);
      return recover(manager, { ...values, justification });
    });
  } finally {
    await dataSource.destroy();
  }
}

async function recover(manager: EntityManager, options: Options): Promise<number> {
  const say = (line: string): boolean => process.stdout.write(`${line}\n`);
  const stored = await treeStore.head(manager);
  const head: Head = { epoch: stored.epoch, size: stored.size, lastLeaf: stored.lastLeaf };
  const inEpoch = head.epoch === 0 ? '' : ` of epoch ${head.epoch}`;
  const row = await treeStore.latestCheckpoint(manager, head.epoch);
  const notes = [
    row?.note,
    options.checkpoint ? readText(options.checkpoint, '--checkpoint') : undefined,
  ].filter((n): n is string => n !== undefined);
  if (notes.length === 0) {
    say(
      `The log holds ${head.size} entries${inEpoch} and no signed checkpoint: there is nothing to compare it with.`,
    );
    return 0;
  }
  const keys = await verifierKeys(manager, options.vkey);
  const checkpoints = notes.flatMap((note) => {
    const checked = verifyCheckpoint(note, keys);
    const epoch = checkpointEpoch(checked);
    if (epoch > head.epoch) {
      throw new Error(
        `the checkpoint kept outside the database is of epoch ${epoch}, the store's latest epoch is ${head.epoch}: ` +
          'restore the database from a backup of that epoch first; nothing was written',
      );
    }
    // A checkpoint of an earlier epoch is accounted for by the epoch that followed it.
    return epoch < head.epoch
      ? []
      : [{ note, epoch, size: checked.size, rootHash: Buffer.from(checked.rootHash) }];
  });
  if (checkpoints.length === 0) {
    say(
      `The log holds ${head.size} entries${inEpoch} and no signed checkpoint of that epoch yet: nothing to recover.`,
    );
    return 0;
  }
  const trusted = checkpoints.reduce((a, b) => (b.size > a.size ? b : a));
  const inTable = row !== undefined && row.size >= trusted.size;
  say(`The store holds entries 0..${head.size - 1}${inEpoch} (next seq ${head.size}).`);
  say(
    `The latest signed checkpoint covers ${trusted.size} entries, root ${trusted.rootHash.toString('hex')}.`,
  );
  const differs = async (): Promise<boolean> =>
    head.size >= trusted.size &&
    !frontierRoot(await treeStore.frontier(manager, head.epoch, trusted.size)).equals(trusted.rootHash);
  if (options['new-epoch']) {
    if (head.size >= trusted.size && !(await differs())) {
      if (inTable) {
        say('The store matches its latest signed checkpoint: nothing to recover, no epoch opened.');
        return 0;
      }
      // Nothing is lost: putting the checkpoint back (without --new-epoch) is the whole recovery.
      say(`Missing: the checkpoint of size ${trusted.size} in exchange_log_checkpoints; no entry is lost.`);
      say('No epoch opened: run without --new-epoch to put the checkpoint back.');
      return 2;
    }
    return openEpoch(manager, head, trusted, inTable, options, say);
  }
  if (head.size >= trusted.size) {
    const root = frontierRoot(await treeStore.frontier(manager, head.epoch, trusted.size));
    if (!root.equals(trusted.rootHash)) {
      say(
        `The stored tree at size ${trusted.size} has root ${root.toString('hex')}: the store DIFFERS from the`,
      );
      say('signed checkpoint (entries were changed or replaced). Restoring cannot repair that: restore the');
      say(
        'database from a backup at or after the checkpoint, then run this command again to restore the rest;',
      );
      say(
        `or, when no such backup exists, open epoch ${head.epoch + 1} over the checkpoint with --new-epoch.`,
      );
      return 1;
    }
    if (inTable) {
      say('The store matches its latest signed checkpoint: nothing to recover.');
      return 0;
    }
  }
  const missing = Math.max(0, trusted.size - head.size);
  if (missing > 0) say(`Missing: entries ${head.size}..${trusted.size - 1} (${missing}).`);
  if (!inTable) say(`Missing: the checkpoint of size ${trusted.size} in exchange_log_checkpoints.`);
  say(
    'Recovery: restore the missing entries from a copy (--entries), verified against the signed checkpoint;' +
      ' the writer resumes at its next append.',
  );
  if (missing > 0 && options.entries === undefined) {
    say('Give the copy with --entries <entries.jsonl | evidence bundle directory>.');
    say(
      `When no copy is left: --new-epoch opens epoch ${head.epoch + 1} over this checkpoint, stating the loss.`,
    );
    return 2;
  }
  const restored = missing > 0 ? readCopy(options.entries!, head, trusted.size) : [];
  const frontier = await treeStore.frontier(manager, head.epoch, head.size);
  const tree = appendToFrontier(
    frontier,
    restored.map((e) => e.leaf),
  );
  if (!(missing > 0 ? tree.rootHash : frontierRoot(frontier)).equals(trusted.rootHash)) {
    throw new Error(
      `the copy does not complete the signed tree: root ${tree.rootHash.toString('hex')} at size ${trusted.size}, ` +
        `not ${trusted.rootHash.toString('hex')}; nothing was written`,
    );
  }
  say(`Verified: ${restored.length} entries continue the chain and give the checkpoint's root.`);
  if (options['dry-run']) {
    say('Dry run: nothing written.');
    return 0;
  }
  if (restored.length > 0) {
    await treeStore.insertEntries(manager, {
      epoch: head.epoch,
      firstSeq: head.size,
      eventId: restored.map((e) => e.eventId),
      kind: restored.map((e) => e.kind),
      requestId: restored.map((e) => e.requestId),
      time: restored.map((e) => e.time),
      entries: restored.map((e) => e.bytes),
      leaves: restored.map((e) => e.leaf),
      firstPrev: head.lastLeaf ?? Buffer.from(GENESIS_PREV_LEAF_HASH, 'hex'),
    });
    // A cut that took the tree's nodes too: put back those the entries complete (the same hashes).
    await treeStore.insertNodes(manager, head.epoch, tree.nodes, true);
  }
  if (!inTable) await restoreCheckpoint(manager, trusted);
  // The recovery itself is recorded (appended by the writer once it resumes).
  await recordRecovery(manager, options.justification, {
    action: 'log_recovered',
    epoch: head.epoch,
    restoredFrom: head.size,
    restoredTo: trusted.size,
    checkpoint: trusted.size,
    checkpointRestored: !inTable,
  });
  say(
    `Restored entries ${head.size}..${trusted.size - 1}${inTable ? '' : ' and the checkpoint'}; the writer resumes.`,
  );
  return 0;
}

interface Trusted {
  note: string;
  epoch: number;
  size: number;
  rootHash: Buffer;
}

/**
 * Opens epoch head.epoch + 1: its entry 0 records the old epoch's latest signed checkpoint, what
 * is left of the old epoch, and the reason. Written under the writer's lock, in one transaction;
 * the writer signs the new epoch's first checkpoint (over this entry) at its next append or tick.
 */
async function openEpoch(
  manager: EntityManager,
  head: Head,
  trusted: Trusted,
  inTable: boolean,
  options: Options,
  say: (line: string) => boolean,
): Promise<number> {
  const epoch = head.epoch + 1;
  const lost = Math.max(0, trusted.size - head.size);
  if (lost > 0)
    say(`Lost: entries ${head.size}..${trusted.size - 1} of epoch ${head.epoch} (${lost}), no copy given.`);
  else say(`The stored entries of epoch ${head.epoch} do not match its latest signed checkpoint.`);
  say(
    `Recovery: open epoch ${epoch}, a new chain and tree whose first entry records epoch ${head.epoch}'s ` +
      `checkpoint of size ${trusted.size} and the reason; epoch ${head.epoch}'s checkpoints and proofs stay ` +
      'verifiable as that epoch; the writer resumes at its next append.',
  );
  const time = new Date().toISOString();
  const facts: EntryFacts = {
    kind: EPOCH_ENTRY_KIND,
    eventId: randomUUID(),
    requestId: null,
    time,
    actor: { person: `os:${process.env.USER ?? 'unknown'}`, unit: 'IXR-OPERATIONS', role: 'admin' },
    justification: options.justification,
    recipients: [],
    channel: null,
    rulesetVersion: null,
    details: epochOpeningDetails({
      epoch,
      previous: {
        epoch: head.epoch,
        checkpoint: { size: trusted.size, rootHash: trusted.rootHash.toString('hex'), note: trusted.note },
        storedEntries: head.size,
      },
      reason: options.justification,
    }),
  };
  const bytes = encodeLogEntry(0, GENESIS_PREV_LEAF_HASH, { ...facts });
  if (options['dry-run']) {
    say('Dry run: nothing written.');
    return 0;
  }
  // The old epoch's table keeps the checkpoint the new epoch was opened over.
  if (!inTable) await restoreCheckpoint(manager, trusted);
  await treeStore.insertEntries(manager, {
    epoch,
    firstSeq: 0,
    eventId: [facts.eventId],
    kind: [facts.kind],
    requestId: [null],
    time: [time],
    entries: [bytes],
    leaves: [leafHash(bytes)],
    firstPrev: Buffer.from(GENESIS_PREV_LEAF_HASH, 'hex'),
  });
  await recordRecovery(manager, options.justification, {
    action: 'log_epoch_opened',
    epoch,
    previousEpoch: head.epoch,
    checkpoint: trusted.size,
    storedEntries: head.size,
    lost,
  });
  say(`Opened epoch ${epoch} (its entry 0 is the epoch entry); the writer resumes.`);
  return 0;
}

async function restoreCheckpoint(manager: EntityManager, trusted: Trusted): Promise<void> {
  await treeStore.insertCheckpoint(
    manager,
    {
      epoch: trusted.epoch,
      size: trusted.size,
      rootHash: trusted.rootHash,
      note: trusted.note,
      signedAt: new Date(),
    },
    true,
  );
}

/**
 * The recovery itself is recorded: appended by the writer once it resumes. The command runs as the
 * owner; the outbox row is the intake's (its relay publishes audit records), named by its login.
 */
async function recordRecovery(
  manager: EntityManager,
  justification: string,
  details: Record<string, unknown>,
): Promise<void> {
  await enqueueOutbox(
    manager,
    [
      auditMessage(
        { person: `os:${process.env.USER ?? 'unknown'}`, unit: 'IXR-OPERATIONS', role: 'admin' },
        { kind: 'consulted', requestId: null, justification, details },
        new Date(),
        randomUUID(),
        'ixr/log-recover',
      ),
    ],
    loginOf(serviceDatabaseUrls(process.env.DATABASE_URL ?? '').intake).user,
  );
}

interface CopiedEntry {
  seq: number;
  bytes: Buffer;
  leaf: Buffer;
  eventId: string;
  kind: string;
  requestId: string | null;
  time: string;
}

/** The copy's entries head.size..size-1, in order, each linked to the one before. */
function readCopy(path: string, head: Head, size: number): CopiedEntry[] {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, BUNDLE_FILES.entries) : path;
  const bySeq = new Map<number, Buffer>();
  for (const line of readText(file, '--entries').split('\n')) {
    if (line.trim() === '') continue;
    const bytes = Buffer.from(line, 'utf8');
    bySeq.set(decodeLogEntry(bytes).seq, bytes);
  }
  const entries: CopiedEntry[] = [];
  let prev = (head.lastLeaf ?? Buffer.from(GENESIS_PREV_LEAF_HASH, 'hex')).toString('hex');
  for (let seq = head.size; seq < size; seq++) {
    const bytes = bySeq.get(seq);
    if (bytes === undefined) throw new Error(`the copy lacks entry ${seq}; nothing was written`);
    const entry = decodeLogEntry(bytes);
    if (entry.prevLeafHash !== prev)
      throw new Error(`entry ${seq} does not link to entry ${seq - 1}; nothing was written`);
    const leaf = leafHash(bytes);
    const fields = entry as Record<string, unknown>;
    entries.push({
      seq,
      bytes,
      leaf,
      eventId: String(fields.eventId),
      kind: String(fields.kind),
      requestId: typeof fields.requestId === 'string' ? fields.requestId : null,
      time: String(fields.time),
    });
    prev = leaf.toString('hex');
  }
  return entries;
}

async function verifierKeys(manager: EntityManager, file: string | undefined) {
  const text = file
    ? readText(file, '--vkey')
    : (await manager.query<{ vkey: string }[]>('SELECT vkey FROM exchange_log_keys'))
        .map((r) => r.vkey)
        .join('\n');
  const keys = text
    .split(/[\n,]/)
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => parseVerifierKey(k));
  if (keys.length === 0) throw new Error('no public key of the log: give --vkey');
  return keys;
}

/** A file named by a flag; one that cannot be read is a usage error naming the flag. */
function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${flag} ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      error instanceof UsageError
        ? `${error.message}\n\n${USAGE}\n`
        : `log:recover: ${(error as Error).message}\n`,
    );
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
