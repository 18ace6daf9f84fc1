import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal data over time (SPEC §10). The data-protection officer's reviews of a request (the
 * next is due REVIEW_EVERY_DAYS after the last) and its erasure: when, by whom, why. Both tables
 * hold no personal data of the request; the erasure row stays when the data is gone, so that the
 * views can say what happened.
 */
export class DataProtection1764540000002 implements MigrationInterface {
  name = 'DataProtection1764540000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE data_protection_reviews (
        id uuid PRIMARY KEY,
        request_id uuid NOT NULL REFERENCES requests (id),
        reviewed_at timestamptz NOT NULL,
        reviewed_by text NOT NULL,
        unit text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('keep')),
        reason text NOT NULL
      )`);
    await q.query(
      `CREATE INDEX data_protection_reviews_request ON data_protection_reviews (request_id, reviewed_at DESC)`,
    );
    await q.query(`
      CREATE TABLE erasures (
        request_id uuid PRIMARY KEY REFERENCES requests (id),
        erased_at timestamptz NOT NULL,
        erased_by text NOT NULL,
        unit text NOT NULL,
        reason text NOT NULL,
        justification text NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE erasures, data_protection_reviews`);
  }
}
