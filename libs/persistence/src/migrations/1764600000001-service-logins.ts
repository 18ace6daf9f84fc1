import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LEGACY_SERVICE_ROLE } from '../service-role';
import { TABLES, type TableGrant } from '../table-owners';

/**
 * One login per service (issue 11): the grants of each login are applied after every migration
 * run from TABLES (`applyTableGrants`); this migration takes away what the one shared group role
 * of earlier versions held here, and gives the tables that every service writes (the outbox, the
 * processed-event ledger) a `writer` column with row-level security, so that each service reads
 * and writes only its own rows. Rows written before it (no writer) stay visible to every service.
 */
export class ServiceLogins1764600000001 implements MigrationInterface {
  name = 'ServiceLogins1764600000001';

  async up(q: QueryRunner): Promise<void> {
    const [legacy] = (await q.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [
      LEGACY_SERVICE_ROLE,
    ])) as unknown[];
    if (legacy) {
      await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${LEGACY_SERVICE_ROLE}`);
      await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${LEGACY_SERVICE_ROLE}`);
      await q.query(
        `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${LEGACY_SERVICE_ROLE}`,
      );
      await q.query(
        `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${LEGACY_SERVICE_ROLE}`,
      );
    }
    for (const [table, grant] of Object.entries(TABLES) as [string, TableGrant][]) {
      if (!grant.perServiceRows) continue;
      await q.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS writer name`);
      await q.query(`ALTER TABLE ${table} ALTER COLUMN writer SET DEFAULT current_user`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`DROP POLICY IF EXISTS own_rows ON ${table}`);
      await q.query(`
        CREATE POLICY own_rows ON ${table}
          USING (writer = current_user OR writer IS NULL) WITH CHECK (writer = current_user)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table, grant] of Object.entries(TABLES) as [string, TableGrant][]) {
      if (!grant.perServiceRows) continue;
      await q.query(`DROP POLICY IF EXISTS own_rows ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS writer`);
    }
  }
}
