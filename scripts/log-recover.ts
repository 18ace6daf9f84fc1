import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EntityManager } from 'typeorm';
import {
  appendToFrontier,
  BUNDLE_FILES,
  decodeLogEntry,
  frontierRoot,
  GENESIS_PREV_LEAF_HASH,
  leafHash,
  parseCheckpoint,
  parseVerifierKey,
  verifyCheckpoint,
} from '@ixr/exchange-log';
import { createDataSource, enqueueOutbox, loginOf } from '@ixr/persistence';
import { serviceDatabaseUrls } from './dev/postgres';
import { auditMessage } from '../apps/intake-api/src/audit/audit-recorder';
import { treeStore } from '../apps/exchange-log/src/tree.store';

const USAGE = `npm run log:recover -- [--entries <entries.jsonl | bundle dir>] [--checkpoint <note>] [--vkey <file>]
                           [--dry-run] --justification "<why>"

When the log writer stops (its store is behind, or different from, its latest signed checkpoint:
/health names the sequence number and the checkpoint), this command says what is missing and
restores it. The missing entries come from any copy — an evidence bundle's entries.jsonl, an
export, a replica — and are verified before anything is written: they must continue the stored
chain, and the tree they complete must have exactly the signed checkpoint's root. The writer
resumes at its next append. Connects as the owner (DATABASE_URL).

  --entries       the copy of the missing entries (one canonical entry per line)
  --checkpoint    a checkpoint note kept outside the database (LOG_CHECKPOINT_FILE), when newer
  --vkey          the log's public key(s); default: the keys the writer published in the database
  --dry-run       say what would be restored, write nothing`;

class UsageError extends Error {}

interface Head {
  size: number;
  lastLeaf: Buffer | undefined;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      entries: { type: 'string' },
      checkpoint: { type: 'string' },
      vkey: { type: 'string' },
      justification: { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
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

async function recover(
  manager: EntityManager,
  options: {
    entries?: string;
    checkpoint?: string;
    vkey?: string;
    justification: string;
    'dry-run'?: boolean;
  },
): Promise<number> {
  const say = (line: string): boolean => process.stdout.write(`${line}\n`);
  const stored = await treeStore.head(manager);
  const head: Head = { size: stored.size, lastLeaf: stored.lastLeaf };
  const [row]: { note: string }[] = await manager.query(
    'SELECT note FROM exchange_log_checkpoints ORDER BY tree_size DESC LIMIT 1',
  );
  const notes = [row?.note, options.checkpoint ? readFileSync(options.checkpoint, 'utf8') : undefined].filter(
    (n): n is string => n !== undefined,
  );
  if (notes.length === 0) {
    say(`The log holds ${head.size} entries and no signed checkpoint: there is nothing to compare it with.`);
    return 0;
  }
  const keys = await verifierKeys(manager, options.vkey);
  const checkpoints = notes.map((note) => {
    const checked = verifyCheckpoint(note, keys);
    return { note, size: checked.size, rootHash: Buffer.from(checked.rootHash) };
  });
  const trusted = checkpoints.reduce((a, b) => (b.size > a.size ? b : a));
  const inTable = row !== undefined && parseCheckpoint(row.note).size >= trusted.size;
  say(`The store holds entries 0..${head.size - 1} (next seq ${head.size}).`);
  say(
    `The latest signed checkpoint covers ${trusted.size} entries, root ${trusted.rootHash.toString('hex')}.`,
  );
  if (head.size >= trusted.size) {
    const root = frontierRoot(await treeStore.frontier(manager, trusted.size));
    if (!root.equals(trusted.rootHash)) {
      say(
        `The stored tree at size ${trusted.size} has root ${root.toString('hex')}: the store DIFFERS from the`,
      );
      say('signed checkpoint (entries were changed or replaced). Restoring cannot repair that: restore the');
      say(
        'database from a backup at or after the checkpoint, then run this command again to restore the rest.',
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
    return 2;
  }
  const restored = missing > 0 ? readCopy(options.entries!, head, trusted.size) : [];
  const frontier = await treeStore.frontier(manager, head.size);
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
    const inner = tree.nodes.filter((n) => n.level > 0);
    if (inner.length > 0) {
      await manager.query(
        `INSERT INTO exchange_log_nodes (level, idx, hash)
         SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[]) ON CONFLICT DO NOTHING`,
        [inner.map((n) => n.level), inner.map((n) => n.index), inner.map((n) => n.hash)],
      );
    }
  }
  if (!inTable) {
    await manager.query(
      `INSERT INTO exchange_log_checkpoints (tree_size, root_hash, note, signed_at) VALUES ($1, $2, $3, now())
       ON CONFLICT DO NOTHING`,
      [trusted.size, trusted.rootHash, trusted.note],
    );
  }
  // The recovery itself is recorded (appended by the writer once it resumes), through the intake's relay.
  await enqueueOutbox(
    manager,
    [
      auditMessage(
        { person: `os:${process.env.USER ?? 'unknown'}`, unit: 'IXR-OPERATIONS', role: 'admin' },
        {
          kind: 'consulted',
          requestId: null,
          justification: options.justification,
          details: {
            action: 'log_recovered',
            restoredFrom: head.size,
            restoredTo: trusted.size,
            checkpoint: trusted.size,
            checkpointRestored: !inTable,
          },
        },
        new Date(),
        randomUUID(),
        'ixr/log-recover',
      ),
    ],
    loginOf(serviceDatabaseUrls(process.env.DATABASE_URL ?? '').intake).user,
  );
  say(
    `Restored entries ${head.size}..${trusted.size - 1}${inTable ? '' : ' and the checkpoint'}; the writer resumes.`,
  );
  return 0;
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
  for (const line of readFileSync(file, 'utf8').split('\n')) {
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
    ? readFileSync(file, 'utf8')
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
