import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import {
  decodeLogEntry,
  encodeLogEntry,
  inclusionProofAsync,
  leafHash,
  MemoryTree,
  nextLogEntry,
  parseSignerKey,
  signCheckpoint,
  signingKeyFromSeed,
  verifyCheckpoint,
  verifyInclusion,
} from '@ixr/exchange-log';
import {
  applyTableGrants,
  createDataSource,
  loginOf,
  OWNING_SERVICES,
  runMigrations,
} from '@ixr/persistence';
import { ExchangeLogMerkle1764390000001 } from '../libs/persistence/src/migrations/1764390000001-exchange-log-merkle';
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
import { testEnvironment } from './support/test-env';

/**
 * The exchange log's store against the real PostgreSQL, without the rest of the stack: the writer
 * (sequencing, tree, checkpoints), append-only enforcement by the database, tampering by a
 * superuser who switches the triggers off, and writers racing. A database of its own, so that the
 * tampering cannot touch the other suites.
 */
const ORIGIN = 'ixr.test/exchange-log';
const KEY = signingKeyFromSeed(ORIGIN, Buffer.alloc(32, 42));

function databaseUrl(suffix: string): string {
  const url = new URL(testEnvironment().databaseUrl);
  url.pathname = `${url.pathname}_${suffix}`;
  return url.toString();
}

async function migratedDatabase(url: string): Promise<DataSource> {
  await recreateDatabase(url);
  const dataSource = createDataSource({ url, poolSize: 4, applicationName: 'ixr-log-e2e' });
  await dataSource.initialize();
  await runMigrations(dataSource);
  const { serviceDatabaseUrls } = testEnvironment();
  await applyTableGrants(
    dataSource,
    Object.fromEntries(OWNING_SERVICES.map((s) => [s, loginOf(serviceDatabaseUrls[s]).user])) as Record<
      (typeof OWNING_SERVICES)[number],
      string
    >,
  );
  return dataSource;
}

function writerOn(dataSource: DataSource, checkpointEvery = 100): LogWriter {
  const signer = new CheckpointSigner(ORIGIN, parseSignerKey(KEY.signerKey), KEY.verifierKey);
  return new LogWriter(dataSource, signer, new Clock(), { checkpointEvery });
}

let counter = 0;
function facts(n: number, prefix = 'ev'): EntryFacts[] {
  return Array.from({ length: n }, () => {
    const i = counter++;
    return {
      kind: i % 4 === 0 ? 'received' : i % 4 === 1 ? 'routed' : i % 4 === 2 ? 'dispatched' : 'delivered',
      eventId: `${prefix}-${i}`,
      requestId: `req-${Math.floor(i / 4)}`,
      time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
      actor: { person: 'test-pz-5339', unit: 'PZ-5339', role: 'requester' },
      justification: `step ${i} "quoted" \u00e9t\u00e9 \u2603`,
      recipients: ['siena:NL'],
      channel: 'siena',
      rulesetVersion: 'default-2026.1',
      details: { i, nested: { ok: true, list: [1, 2, 3] } },
    };
  });
}

async function verify(db: DataSource | EntityManager) {
  const reader = new LogReader(db);
  return verifyLog(reader, await resolveLogTrust(reader, ORIGIN, [KEY.verifierKey]));
}

/** Runs `attack` as a superuser with triggers off, verifies inside the same transaction, rolls back. */
async function tampered(dataSource: DataSource, attack: (m: EntityManager) => Promise<unknown>) {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  try {
    await runner.query('SET LOCAL session_replication_role = replica');
    await attack(runner.manager);
    await runner.query('SET LOCAL session_replication_role = origin');
    return await verify(runner.manager);
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

async function entryAt(m: EntityManager, seq: number): Promise<{ entry: string; leaf_hash: Buffer }> {
  const [row] = await m.query<
    {
      entry: string;
      leaf_hash: Buffer;
    }[]
  >('SELECT entry, leaf_hash FROM exchange_log WHERE seq = $1', [seq]);
  return row;
}

describe('exchange log store: writer, tree, checkpoints, append-only', () => {
  let dataSource: DataSource;
  let writer: LogWriter;

  beforeAll(async () => {
    dataSource = await migratedDatabase(databaseUrl('store'));
    writer = writerOn(dataSource);
    // 1000 entries in batches of uneven sizes, so batch edges fall everywhere in the tree.
    for (const size of [1, 2, 3, 7, 50, 137, 300, 500]) await writer.append(facts(size));
  });
  afterAll(() => dataSource?.destroy());

  it('appends gapless entries, stores the Merkle tree, and signs a checkpoint every N entries', async () => {
    const report = await verify(dataSource);
    expect(report).toMatchObject({ ok: true, entries: 1000, checked: 1000, unsignedTail: 0 });
    const rows = await dataSource.query<
      {
        leaf_hash: Buffer;
      }[]
    >('SELECT leaf_hash FROM exchange_log ORDER BY seq');
    const tree = new MemoryTree();
    for (const r of rows) tree.append(r.leaf_hash);
    expect(report.rootHash).toBe(tree.root().toString('hex'));
    const sizes = (
      await dataSource.query<
        {
          tree_size: string;
        }[]
      >('SELECT tree_size FROM exchange_log_checkpoints ORDER BY 1')
    ).map((r) => Number(r.tree_size));
    // Every batch that took the unsigned count to 100 or more signed one (batch ends: 63, 200, 500, 1000).
    expect(sizes).toEqual([200, 500, 1000]);
    expect(report.checkpoints).toMatchObject({ verified: 3, problems: [], latest: { size: 1000 } });
    // The stored nodes give the same proofs as the reference tree, and they verify.
    const reader = new LogReader(dataSource).hashReader();
    for (const seq of [0, 1, 499, 512, 999]) {
      const proof = await inclusionProofAsync(reader, seq, 1000);
      expect(proof).toEqual(tree.inclusionProof(seq, 1000));
      expect(verifyInclusion(tree.leafHash(seq), seq, 1000, proof, tree.root()).ok).toBe(true);
    }
  });

  it('records an event once, within a batch and across batches', async () => {
    const batch = facts(3, 'dup');
    const first = await writer.append([...batch, batch[0]]);
    const again = await writer.append([batch[1], ...facts(1, 'dup')]);
    expect(first.map((a) => a.facts.eventId)).toEqual(batch.map((f) => f.eventId));
    expect(again.map((a) => a.facts.eventId)).toEqual([`dup-${counter - 1}`]);
    expect(again[0].seq).toBe(first[2].seq + 1);
  });

  it('signs a checkpoint on the timer only when the log grew', async () => {
    const size = Number(
      (await dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM exchange_log'))[0].n,
    );
    expect(await writer.checkpointNow()).toBe(size);
    expect(await writer.checkpointNow()).toBeUndefined();
    const [row] = await dataSource.query<{ note: string }[]>(
      'SELECT note FROM exchange_log_checkpoints ORDER BY tree_size DESC LIMIT 1',
    );
    expect(verifyCheckpoint(row.note, KEY.verifierKey, { origin: ORIGIN }).size).toBe(size);
  });

  it('a fresh writer (a restart) continues the same tree from the stored nodes', async () => {
    const restarted = writerOn(dataSource, 1);
    const [appended] = await restarted.append(facts(1));
    expect((await verify(dataSource)).ok).toBe(true);
    expect(appended.seq).toBeGreaterThan(1000);
  });

  describe('tampering by a superuser with the triggers switched off: verify names the seq', () => {
    it('changes one byte of an entry', async () => {
      const report = await tampered(dataSource, async (m) => {
        const { entry } = await entryAt(m, 123);
        const i = entry.indexOf('step');
        await m.query('UPDATE exchange_log SET entry = $1 WHERE seq = 123', [
          `${entry.slice(0, i)}Step${entry.slice(i + 4)}`,
        ]);
      });
      expect(report).toMatchObject({ ok: false, firstBadSeq: 123, failure: 'LEAF_HASH' });
    });

    it('changes an entry and its stored leaf hash: the next entry no longer links', async () => {
      const report = await tampered(dataSource, async (m) => {
        const { entry } = await entryAt(m, 124);
        const forged = entry.replace('PZ-5339', 'PZ-9999');
        await m.query('UPDATE exchange_log SET entry = $1, leaf_hash = $2 WHERE seq = 124', [
          forged,
          leafHash(Buffer.from(forged)),
        ]);
      });
      expect(report).toMatchObject({ ok: false, firstBadSeq: 125, failure: 'PREV_LINK' });
    });

    it('deletes one entry', async () => {
      const report = await tampered(dataSource, (m) => m.query('DELETE FROM exchange_log WHERE seq = 200'));
      expect(report).toMatchObject({ ok: false, firstBadSeq: 200, failure: 'SEQUENCE' });
    });

    it('inserts one entry, linked and hashed properly, renumbering the rest', async () => {
      const report = await tampered(dataSource, async (m) => {
        await m.query('UPDATE exchange_log SET seq = seq + 1000000 WHERE seq >= 300');
        await m.query('UPDATE exchange_log SET seq = seq - 1000000 + 1 WHERE seq >= 1000000');
        const previous = await entryAt(m, 299);
        const bytes = encodeLogEntry(300, previous.leaf_hash, {
          kind: 'consulted',
          justification: 'slipped in',
        });
        await m.query(
          `INSERT INTO exchange_log (seq, event_id, kind, request_id, recorded_at, entry, leaf_hash, prev_leaf_hash)
           VALUES (300, 'forged', 'consulted', NULL, now(), $1, $2, $3)`,
          [bytes.toString(), leafHash(bytes), previous.leaf_hash],
        );
      });
      expect(report).toMatchObject({ ok: false, firstBadSeq: 300, failure: 'INSERTED' });
    });

    it('swaps two entries', async () => {
      const report = await tampered(dataSource, (m) =>
        m.query(`
          UPDATE exchange_log a SET entry = b.entry, leaf_hash = b.leaf_hash, prev_leaf_hash = b.prev_leaf_hash,
                 kind = b.kind, request_id = b.request_id
            FROM exchange_log b
           WHERE (a.seq = 400 AND b.seq = 410) OR (a.seq = 410 AND b.seq = 400)`),
      );
      expect(report).toMatchObject({ ok: false, firstBadSeq: 400, failure: 'PREV_LINK' });
    });

    it('cuts the tail: detected against the last signed checkpoint', async () => {
      const report = await tampered(dataSource, (m) => m.query('DELETE FROM exchange_log WHERE seq >= 900'));
      expect(report).toMatchObject({ ok: false, firstBadSeq: 900, failure: 'TRUNCATED' });
    });

    it('rewrites a stretch and recomputes every later link: the signed roots no longer match', async () => {
      const report = await tampered(dataSource, async (m) => {
        const rows = await m.query<
          {
            seq: string;
            entry: string;
          }[]
        >('SELECT seq, entry FROM exchange_log WHERE seq >= 600 ORDER BY seq');
        let prev = (await entryAt(m, 599)).leaf_hash;
        for (const row of rows) {
          const { seq, prevLeafHash: _link, ...fields } = decodeLogEntry(Buffer.from(row.entry));
          const changed = seq === 600 ? { ...fields, justification: 'rewritten' } : fields;
          const bytes = encodeLogEntry(seq, prev, changed);
          const leaf = leafHash(bytes);
          await m.query(
            'UPDATE exchange_log SET entry = $1, leaf_hash = $2, prev_leaf_hash = $3 WHERE seq = $4',
            [bytes.toString(), leaf, prev, seq],
          );
          prev = leaf;
        }
      });
      expect(report).toMatchObject({
        ok: false,
        failure: 'CHECKPOINT_ROOT',
        badRange: { from: 500, to: 1000 },
      });
    });

    it('forges a checkpoint row: its signature no longer verifies', async () => {
      const report = await tampered(dataSource, (m) =>
        m.query(`UPDATE exchange_log_checkpoints SET note = replace(note, E'\\n1000\\n', E'\\n999\\n')
                  WHERE tree_size = 1000`),
      );
      expect(report.ok).toBe(false);
      expect(report.checkpoints.problems).toEqual([
        { size: 1000, reason: expect.stringMatching(/does not verify|malformed|tree size/i) },
      ]);
    });

    it('slips in a checkpoint signed by a key nobody trusts: listed, not used, proves nothing', async () => {
      const stranger = signingKeyFromSeed(ORIGIN, Buffer.alloc(32, 66));
      const note = signCheckpoint(
        { origin: ORIGIN, size: 10, rootHash: Buffer.alloc(32, 1) },
        parseSignerKey(stranger.signerKey),
      );
      const report = await tampered(dataSource, (m) =>
        m.query(
          `INSERT INTO exchange_log_checkpoints (tree_size, root_hash, note, signed_at) VALUES (10, $1, $2, now())`,
          [Buffer.alloc(32, 1), note],
        ),
      );
      expect(report.ok).toBe(true);
      expect(report.checkpoints.ignored).toEqual([
        { size: 10, reason: expect.stringMatching(/no signature from a trusted key/) },
      ]);
    });
  });

  describe('append-only, enforced by the database', () => {
    const tables = ['exchange_log', 'exchange_log_nodes', 'exchange_log_checkpoints', 'exchange_log_keys'];
    const column: Record<string, string> = {
      exchange_log: 'entry',
      exchange_log_nodes: 'hash',
      exchange_log_checkpoints: 'note',
      exchange_log_keys: 'vkey',
    };

    it('the triggers refuse UPDATE, DELETE and TRUNCATE of every log table, even to the superuser', async () => {
      await dataSource.query(`INSERT INTO exchange_log_keys (vkey) VALUES ($1) ON CONFLICT DO NOTHING`, [
        KEY.verifierKey,
      ]);
      for (const table of tables) {
        const col = column[table];
        await expect(dataSource.query(`UPDATE ${table} SET ${col} = ${col}`)).rejects.toThrow(
          /append-only: UPDATE refused/,
        );
        await expect(dataSource.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only: DELETE refused/);
        await expect(dataSource.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only: TRUNCATE refused/);
      }
      expect((await verify(dataSource)).ok).toBe(true);
    });

    it("only the log's login may append to the log tables, the intake may read them, nobody change them", async () => {
      const { serviceDatabaseUrls } = testEnvironment();
      const grantsOf = async (service: keyof typeof serviceDatabaseUrls, table: string) => {
        const grants = await dataSource.query<{ privilege_type: string }[]>(
          `SELECT privilege_type FROM information_schema.role_table_grants
            WHERE grantee = $1 AND table_name = $2 ORDER BY 1`,
          [new URL(serviceDatabaseUrls[service]).username, table],
        );
        return grants.map((g) => g.privilege_type);
      };
      for (const table of tables) {
        expect(await grantsOf('log', table)).toEqual(['INSERT', 'SELECT']);
        expect(await grantsOf('intake', table)).toEqual(['SELECT']);
        expect(await grantsOf('router', table)).toEqual([]);
        expect(await grantsOf('adapters', table)).toEqual([]);
      }
      expect(await grantsOf('router', 'outbox')).toEqual(['DELETE', 'INSERT', 'SELECT', 'UPDATE']);
    });

    it('a service connected with that role appends, and is refused any change, triggers off or not', async () => {
      // The log writer's own login (set up by the suite with its password).
      const login = new URL(testEnvironment().serviceDatabaseUrls.log);
      const url = new URL(databaseUrl('store'));
      url.username = login.username;
      url.password = login.password;
      const serviceSource = createDataSource({
        url: url.toString(),
        poolSize: 2,
        applicationName: 'ixr-log-e2e-role',
      });
      await serviceSource.initialize();
      try {
        const [appended] = await writerOn(serviceSource).append(facts(1, 'as-service'));
        expect(appended.seq).toBeGreaterThan(1000);
        const client = new Client({ connectionString: url.toString() });
        await client.connect();
        try {
          for (const table of tables) {
            for (const sql of [
              `UPDATE ${table} SET ${column[table]} = ${column[table]}`,
              `DELETE FROM ${table}`,
              `TRUNCATE ${table}`,
            ]) {
              await expect(client.query(sql)).rejects.toMatchObject({ code: '42501' });
            }
          }
          // Switching triggers off is a superuser's power, not the service's.
          await expect(client.query('SET session_replication_role = replica')).rejects.toMatchObject({
            code: '42501',
          });
        } finally {
          await client.end();
        }
      } finally {
        await serviceSource.destroy();
      }
      expect((await verify(dataSource)).ok).toBe(true);
    });
  });
});

describe('exchange log store: a log written before the Merkle tree existed', () => {
  it('gets its tree from the migration (idempotent), and the writer continues it', async () => {
    const dataSource = await migratedDatabase(databaseUrl('backfill'));
    try {
      // 300 entries as the first writer stored them: rows only, no nodes, no checkpoint.
      let previous: { seq: number; leafHash: string } | null = null;
      for (const f of facts(300, 'old')) {
        const row = nextLogEntry(previous, { ...f });
        await dataSource.query(
          `INSERT INTO exchange_log (seq, event_id, kind, request_id, recorded_at, entry, leaf_hash, prev_leaf_hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            row.seq,
            f.eventId,
            f.kind,
            f.requestId,
            f.time,
            row.bytes.toString(),
            Buffer.from(row.leafHash, 'hex'),
            Buffer.from(row.prevLeafHash, 'hex'),
          ],
        );
        previous = row;
      }
      const runner = dataSource.createQueryRunner();
      try {
        await new ExchangeLogMerkle1764390000001().up(runner);
        await new ExchangeLogMerkle1764390000001().up(runner); // a second run changes nothing
      } finally {
        await runner.release();
      }
      const [{ n }] = await dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM exchange_log_nodes');
      expect(Number(n)).toBe(300 - 4); // a tree of 300 leaves has 300 - popcount(300) inner nodes
      const writer = writerOn(dataSource, 1);
      await writer.append(facts(5));
      const report = await verify(dataSource);
      expect(report).toMatchObject({
        ok: true,
        entries: 305,
        checkpoints: { verified: 1, latest: { size: 305 } },
      });
      const reader = new LogReader(dataSource).hashReader();
      const head = (await new LogReader(dataSource).latestCheckpoint())!;
      const [leaf] = await dataSource.query<{ leaf_hash: Buffer }[]>(
        'SELECT leaf_hash FROM exchange_log WHERE seq = 17',
      );
      const proof = await inclusionProofAsync(reader, 17, 305);
      expect(verifyInclusion(leaf.leaf_hash, 17, 305, proof, head.rootHash).ok).toBe(true);
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('exchange log store: two writers racing', () => {
  it('cannot fork the chain: one gapless sequence, each event once, every checkpoint on it', async () => {
    const url = databaseUrl('race');
    const first = await migratedDatabase(url);
    const second = createDataSource({ url, poolSize: 4, applicationName: 'ixr-log-e2e-2' });
    await second.initialize();
    try {
      const a = writerOn(first, 50);
      const b = writerOn(second, 50);
      const shared = facts(200, 'shared');
      const own = (prefix: string) => facts(400, prefix);
      const batches = (mine: EntryFacts[]) =>
        Array.from({ length: 20 }, (_, i) => [
          ...mine.slice(i * 20, i * 20 + 20),
          ...shared.slice(i * 10, i * 10 + 10),
        ]);
      const [aBatches, bBatches] = [batches(own('a')), batches(own('b'))];
      // Each writer runs its batches 4 at a time, both at once: 8 transactions contending for the lock.
      const run = async (writer: LogWriter, list: EntryFacts[][]) => {
        for (let i = 0; i < list.length; i += 4)
          await Promise.all(list.slice(i, i + 4).map((x) => writer.append(x)));
      };
      await Promise.all([run(a, aBatches), run(b, bBatches), a.checkpointNow(), b.checkpointNow()]);
      await a.checkpointNow();

      const rows = await first.query<
        {
          seq: string;
          event_id: string;
        }[]
      >('SELECT seq, event_id FROM exchange_log ORDER BY seq');
      expect(rows).toHaveLength(1000);
      expect(rows.every((r, i) => Number(r.seq) === i)).toBe(true);
      expect(new Set(rows.map((r) => r.event_id)).size).toBe(1000);
      const report = await verify(first);
      expect(report).toMatchObject({ ok: true, entries: 1000, unsignedTail: 0 });
      expect(report.checkpoints.verified).toBeGreaterThanOrEqual(10);
    } finally {
      await second.destroy();
      await first.destroy();
    }
  });
});
