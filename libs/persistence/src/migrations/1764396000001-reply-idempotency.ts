import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `Idempotency-Key` on `POST /v1/requests/{id}/replies` (SPEC §2), as on `POST /v1/requests`:
 * a key names one reply of one unit; the body's hash tells a repeat from a different reply.
 */
export class ReplyIdempotency1764396000001 implements MigrationInterface {
  name = 'ReplyIdempotency1764396000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE replies ADD COLUMN idempotency_key text, ADD COLUMN body_hash text`);
    await q.query(
      `CREATE UNIQUE INDEX replies_idempotency ON replies (unit, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX replies_idempotency`);
    await q.query(`ALTER TABLE replies DROP COLUMN body_hash, DROP COLUMN idempotency_key`);
  }
}
