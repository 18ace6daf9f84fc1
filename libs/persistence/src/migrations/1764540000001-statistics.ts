import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statistics (SPEC §9). Every request records the level of the submitting unit (`local`,
 * `federal`, `cyber`, from the token); an inbound request's submitter is a foreign authority, so
 * its level stays empty. The figures are computed from these stored facts by SQL (requests,
 * replies, deliveries), never from counters, so the indexes serve the time range and the level.
 *
 * The case steps of SPEC §8 (issue 14) give `replies` a `kind` and a refusal `ground`; the
 * statistics read them. They are added here only when that migration has not (IF NOT EXISTS), so
 * this one runs before or after it and the columns mean the same.
 */
export class Statistics1764540000001 implements MigrationInterface {
  name = 'Statistics1764540000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE requests ADD COLUMN level text
        CONSTRAINT requests_level CHECK (level IN ('local', 'federal', 'cyber'))`);
    await q.query(`CREATE INDEX requests_received_at ON requests (received_at)`);
    await q.query(`CREATE INDEX requests_level_received ON requests (level, received_at)`);
    await q.query(`
      ALTER TABLE replies
        ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'answer',
        ADD COLUMN IF NOT EXISTS ground text,
        ADD COLUMN IF NOT EXISTS expected_by timestamptz`);
    await q.query(`CREATE INDEX replies_request_kind ON replies (request_id, kind, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX replies_request_kind`);
    await q.query(`DROP INDEX requests_level_received, requests_received_at`);
    await q.query(`ALTER TABLE requests DROP COLUMN level`);
  }
}
