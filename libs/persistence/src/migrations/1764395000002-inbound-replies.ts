import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound messages and replies (SPEC §4.4). A foreign partner's request becomes a request of
 * direction `inbound`, so it shares the deadline clock, the view and the log with outbound ones;
 * the channel and partner it came from are kept for the reply. Answers and our replies live in
 * `replies`; the correlation is in PostgreSQL, so it survives restarts.
 */
export class InboundReplies1764395000002 implements MigrationInterface {
  name = 'InboundReplies1764395000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE requests
        ADD COLUMN direction text NOT NULL DEFAULT 'outbound' CHECK (direction IN ('outbound', 'inbound')),
        ADD COLUMN origin_channel text,
        ADD COLUMN origin_country text,
        ADD COLUMN partner_message_id text,
        ADD COLUMN assigned_unit text,
        ADD CONSTRAINT requests_inbound_origin CHECK (
          direction = 'outbound'
          OR (origin_channel IS NOT NULL AND origin_country IS NOT NULL AND partner_message_id IS NOT NULL))`);
    await q.query(
      `CREATE INDEX requests_assigned_unit ON requests (assigned_unit, received_at DESC) WHERE direction = 'inbound'`,
    );
    // The replay guard of signed partner messages: one row per partner message id, ever.
    await q.query(`
      CREATE TABLE inbound_messages (
        channel text NOT NULL,
        origin_country text NOT NULL,
        message_id text NOT NULL,
        inbound_id uuid NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('request', 'answer')),
        received_at timestamptz NOT NULL,
        PRIMARY KEY (channel, origin_country, message_id)
      )`);
    await q.query(`
      CREATE TABLE replies (
        id uuid PRIMARY KEY,
        request_id uuid REFERENCES requests (id),
        direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        channel text NOT NULL,
        partner text NOT NULL,
        in_reply_to text NOT NULL,
        partner_message_id text,
        unit text NOT NULL,
        author text NOT NULL,
        handling_code text NOT NULL,
        language text NOT NULL,
        text text NOT NULL,
        status text NOT NULL CHECK (status IN ('received', 'unmatched', 'pending', 'delivered', 'failed')),
        late boolean NOT NULL DEFAULT false,
        attempts int NOT NULL DEFAULT 0,
        in_flight_until timestamptz,
        partner_reference text,
        last_error text,
        created_at timestamptz NOT NULL,
        completed_at timestamptz,
        CONSTRAINT replies_matched CHECK ((request_id IS NULL) = (status = 'unmatched'))
      )`);
    await q.query(`CREATE INDEX replies_request ON replies (request_id, created_at)`);
    await q.query(`CREATE INDEX replies_unmatched ON replies (created_at) WHERE request_id IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE replies, inbound_messages`);
    await q.query(`
      ALTER TABLE requests DROP CONSTRAINT requests_inbound_origin,
        DROP COLUMN assigned_unit, DROP COLUMN partner_message_id, DROP COLUMN origin_country,
        DROP COLUMN origin_channel, DROP COLUMN direction`);
  }
}
