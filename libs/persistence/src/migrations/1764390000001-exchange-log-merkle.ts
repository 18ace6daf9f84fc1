import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CompactRange } from '@ixr/exchange-log';

/** The role the services connect as (through a login role that is a member of it). */
export const SERVICE_ROLE = 'ixr_service';
/** The append-only tables (the services' boot check refuses a login that could change them). */
export const LOG_TABLES = [
  'exchange_log',
  'exchange_log_nodes',
  'exchange_log_checkpoints',
  'exchange_log_keys',
];
const BACKFILL_PAGE = 10_000;

/**
 * The exchange log's Merkle tree and signed checkpoints (issue 4), and append-only enforced by the
 * database for every log table: triggers refuse UPDATE, DELETE and TRUNCATE from anyone (the
 * superuser included, unless they switch triggers off), and the services' role holds only SELECT
 * and INSERT on them. Idempotent, and its down() keeps the evidence.
 */
export class ExchangeLogMerkle1764390000001 implements MigrationInterface {
  name = 'ExchangeLogMerkle1764390000001';

  async up(q: QueryRunner): Promise<void> {
    // Perfect-subtree hashes of level >= 1; level 0 is exchange_log.leaf_hash.
    await q.query(`
      CREATE TABLE IF NOT EXISTS exchange_log_nodes (
        level smallint NOT NULL CHECK (level BETWEEN 1 AND 62),
        idx bigint NOT NULL CHECK (idx >= 0),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      )`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS exchange_log_checkpoints (
        tree_size bigint PRIMARY KEY CHECK (tree_size >= 0),
        root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
        note text NOT NULL,
        signed_at timestamptz NOT NULL
      )`);
    // The log's public keys, as published by the writer: auditors may trust them from here only if
    // they have no copy of their own (the audit tools say which they used).
    await q.query(`
      CREATE TABLE IF NOT EXISTS exchange_log_keys (
        vkey text PRIMARY KEY,
        first_used_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE OR REPLACE FUNCTION exchange_log_tables_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of LOG_TABLES.slice(1)) {
      await q.query(`
        CREATE OR REPLACE TRIGGER ${table}_no_update_delete BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION exchange_log_tables_reject_change()`);
      await q.query(`
        CREATE OR REPLACE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION exchange_log_tables_reject_change()`);
    }
    await backfillNodes(q);
    await grantServiceRole(q);
  }

  async down(): Promise<void> {
    // The tree and the signed checkpoints are evidence, like the log itself: nothing is dropped.
  }
}

/** Logs written before this migration get their tree, so proofs and checkpoints cover them too. */
async function backfillNodes(q: QueryRunner): Promise<void> {
  const range = new CompactRange();
  for (;;) {
    const rows = (await q.query(
      'SELECT seq, leaf_hash FROM exchange_log WHERE seq >= $1 ORDER BY seq LIMIT $2',
      [range.size, BACKFILL_PAGE],
    )) as { seq: string; leaf_hash: Buffer }[];
    if (rows.length === 0) return;
    const levels: number[] = [];
    const indexes: number[] = [];
    const hashes: Buffer[] = [];
    for (const row of rows) {
      if (Number(row.seq) !== range.size) {
        throw new Error(`exchange_log has no entry at seq ${range.size}: verify the log before migrating`);
      }
      range.push(Buffer.from(row.leaf_hash), (level, index, hash) => {
        if (level === 0) return;
        levels.push(level);
        indexes.push(index);
        hashes.push(Buffer.from(hash));
      });
    }
    await q.query(
      `INSERT INTO exchange_log_nodes (level, idx, hash)
       SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[]) ON CONFLICT DO NOTHING`,
      [levels, indexes, hashes],
    );
  }
}

/**
 * The services' role: full use of the operational tables, only SELECT and INSERT on the log's.
 * Created here when the migrating user may create roles; otherwise a DBA creates it and re-runs
 * the grants (they are repeated by every run of this migration's up()).
 */
async function grantServiceRole(q: QueryRunner): Promise<void> {
  await q.query(`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${SERVICE_ROLE}')
         AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
        CREATE ROLE ${SERVICE_ROLE} NOLOGIN;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- created meanwhile by a migration of another database of the same server
    END $$`);
  const [role] = (await q.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [SERVICE_ROLE])) as unknown[];
  if (!role) return;
  const tables = LOG_TABLES.join(', ');
  await q.query(`GRANT USAGE ON SCHEMA public TO ${SERVICE_ROLE}`);
  await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${SERVICE_ROLE}`);
  await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${SERVICE_ROLE}`);
  await q.query(`REVOKE INSERT, UPDATE, DELETE ON typeorm_migrations FROM ${SERVICE_ROLE}`);
  await q.query(`REVOKE ALL ON ${tables} FROM PUBLIC, ${SERVICE_ROLE}`);
  await q.query(`GRANT SELECT, INSERT ON ${tables} TO ${SERVICE_ROLE}`);
  // Tables of later migrations are operational unless they say otherwise.
  await q.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${SERVICE_ROLE}`,
  );
  await q.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${SERVICE_ROLE}`,
  );
}
