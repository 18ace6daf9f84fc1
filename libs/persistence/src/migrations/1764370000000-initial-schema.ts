import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764370000000 implements MigrationInterface {
  name = 'InitialSchema1764370000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE requests (
        id uuid PRIMARY KEY,
        requesting_unit text NOT NULL,
        requested_by text NOT NULL,
        mission_type text NOT NULL CHECK (mission_type IN ('administrative', 'judicial')),
        body json NOT NULL,
        body_hash text NOT NULL,
        idempotency_key text,
        status text NOT NULL,
        received_at timestamptz NOT NULL,
        deadline_at timestamptz,
        deadline_basis text,
        decision json,
        routed_at timestamptz,
        CONSTRAINT requests_idempotency UNIQUE (requesting_unit, idempotency_key)
      )`);
    await q.query(`CREATE INDEX requests_unit_received ON requests (requesting_unit, received_at DESC)`);
    await q.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY,
        request_id uuid NOT NULL REFERENCES requests (id),
        channel text NOT NULL,
        destination text NOT NULL,
        role text NOT NULL,
        rule_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        partner_reference text,
        last_error text,
        dispatched_at timestamptz NOT NULL,
        completed_at timestamptz,
        CONSTRAINT deliveries_route UNIQUE (request_id, channel, destination, role)
      )`);
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        key text NOT NULL,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE processed_events (
        consumer text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await q.query(`
      CREATE TABLE unit_inbox (
        delivery_id uuid PRIMARY KEY,
        unit text NOT NULL,
        request_id uuid NOT NULL REFERENCES requests (id),
        channel text NOT NULL,
        role text NOT NULL,
        received_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE exchange_log (
        seq bigint PRIMARY KEY CHECK (seq >= 0),
        event_id text NOT NULL UNIQUE,
        kind text NOT NULL,
        request_id text,
        recorded_at timestamptz NOT NULL,
        entry text NOT NULL,
        leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
        prev_leaf_hash bytea NOT NULL CHECK (length(prev_leaf_hash) = 32)
      )`);
    await q.query(`CREATE INDEX exchange_log_request ON exchange_log (request_id, seq)`);
    // Append-only, enforced by the database itself (SPEC §5): no row may change or disappear.
    await q.query(`
      CREATE FUNCTION exchange_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'exchange_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER exchange_log_no_update_delete BEFORE UPDATE OR DELETE ON exchange_log
      FOR EACH ROW EXECUTE FUNCTION exchange_log_reject_change()`);
    await q.query(`
      CREATE TRIGGER exchange_log_no_truncate BEFORE TRUNCATE ON exchange_log
      FOR EACH STATEMENT EXECUTE FUNCTION exchange_log_reject_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The exchange log is evidence: the down migration refuses to drop it.
    await q.query(`DROP TABLE unit_inbox, processed_events, outbox, deliveries, requests`);
  }
}
