import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One writer per table (issue 11), for the deliveries, the units' inboxes and the data keys:
 * - the adapters keep their send ledger (attempts, lease, outcome of each delivery) in a table of
 *   their own, `delivery_sends`, started from what they had written on `deliveries`; the router
 *   records the outcome on `deliveries` from the adapters' `ixr.deliveries.outcome` events (and, for
 *   a national channel, puts the request in the unit's inbox);
 * - `data_keys` gets a `writer` column (the login, by default) with row-level security: every
 *   service reads every key, each writes and deletes only its own. Keys written before it (no
 *   writer) may be deleted by any writer of keys, so that an erasure still removes them.
 * The grants themselves follow TABLES (`applyTableGrants`, after every migration run).
 */
export class OwnDeliveries1764700000002 implements MigrationInterface {
  name = 'OwnDeliveries1764700000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS delivery_sends (
        id uuid PRIMARY KEY,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
        attempts int NOT NULL DEFAULT 0,
        in_flight_until timestamptz,
        partner_reference text,
        last_error text,
        completed_at timestamptz
      )`);
    await q.query(`
      INSERT INTO delivery_sends (id, status, attempts, in_flight_until, partner_reference, last_error, completed_at)
      SELECT id, status, attempts, in_flight_until, partner_reference, last_error, completed_at
        FROM deliveries WHERE status <> 'pending' OR attempts > 0 OR in_flight_until IS NOT NULL
      ON CONFLICT (id) DO NOTHING`);

    await q.query(`ALTER TABLE data_keys ADD COLUMN IF NOT EXISTS writer name`);
    await q.query(`ALTER TABLE data_keys ALTER COLUMN writer SET DEFAULT current_user`);
    await q.query(`ALTER TABLE data_keys ENABLE ROW LEVEL SECURITY`);
    await q.query(`DROP POLICY IF EXISTS own_rows ON data_keys`);
    await q.query(`DROP POLICY IF EXISTS read_all ON data_keys`);
    await q.query(`CREATE POLICY read_all ON data_keys FOR SELECT USING (true)`);
    await q.query(`
      CREATE POLICY own_rows ON data_keys
        USING (writer = current_user OR writer IS NULL) WITH CHECK (writer = current_user)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS read_all ON data_keys`);
    await q.query(`DROP POLICY IF EXISTS own_rows ON data_keys`);
    await q.query(`ALTER TABLE data_keys DISABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE data_keys DROP COLUMN IF EXISTS writer`);
    await q.query(`DROP TABLE IF EXISTS delivery_sends`);
  }
}
