import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delivery guarantees (issue 5): a lease on each delivery while a partner call is in flight, the
 * delayed retries of deliveries whose partner is away, the circuit states the adapters share with
 * the router, and the dead letters operators list and re-drive.
 */
export class DeliveryGuarantees1764395000001 implements MigrationInterface {
  name = 'DeliveryGuarantees1764395000001';

  async up(q: QueryRunner): Promise<void> {
    // Set (committed) before each partner call: a second handler keeps off while it runs, and after
    // a crash the next attempt knows a call may have reached the partner and asks it first.
    await q.query(`ALTER TABLE deliveries ADD COLUMN in_flight_until timestamptz`);
    await q.query(`
      CREATE TABLE send_retries (
        message_id text PRIMARY KEY,
        topic text NOT NULL,
        key text NOT NULL,
        event text NOT NULL,
        rounds int NOT NULL CHECK (rounds > 0),
        first_failed_at timestamptz NOT NULL,
        due_at timestamptz,
        last_error text
      )`);
    await q.query(`CREATE INDEX send_retries_due ON send_retries (due_at) WHERE due_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE circuit_states (
        channel text NOT NULL,
        destination text NOT NULL,
        instance text NOT NULL,
        state text NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
        since timestamptz NOT NULL,
        reported_at timestamptz NOT NULL,
        reason text,
        PRIMARY KEY (channel, destination, instance)
      )`);
    await q.query(`
      CREATE TABLE dead_letters (
        id text PRIMARY KEY,
        source text NOT NULL,
        original_topic text NOT NULL,
        partition int NOT NULL,
        "offset" text NOT NULL,
        key text,
        error_code text NOT NULL,
        error_message text NOT NULL,
        details json NOT NULL,
        attempts int NOT NULL,
        payload bytea NOT NULL,
        dead_lettered_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'redriven')),
        redrive_count int NOT NULL DEFAULT 0,
        redriven_at timestamptz,
        redriven_by text
      )`);
    // payload: the message as the transport read it, kept as bytes (a poison message may hold NUL,
    // which a text column refuses) and published again unchanged by a re-drive.
    await q.query(`CREATE INDEX dead_letters_listing ON dead_letters (status, dead_lettered_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letters, circuit_states, send_retries`);
    await q.query(`ALTER TABLE deliveries DROP COLUMN in_flight_until`);
  }
}
