import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal data held only in an erasable form (SPEC §10): one data key per request, wrapped by the
 * master key of the configuration. The erasure deletes the row; whatever was sealed under the key
 * (events, log entries, outbox rows) cannot be read after.
 */
export class DataKeys1764550000001 implements MigrationInterface {
  name = 'DataKeys1764550000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE data_keys (
        key_id text PRIMARY KEY,
        wrapped bytea NOT NULL,
        created_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE data_keys`);
  }
}
