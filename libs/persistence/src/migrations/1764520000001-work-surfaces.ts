import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finding and following work (SPEC §7), all of it the intake's:
 * - `requests.search`: the full-text index of a request's free text and subject names. A generated
 *   column of the owner's table, so the personal data has no second copy: clearing or erasing the
 *   body clears its index entry with it.
 * - `work_requests`: the list's read model, one row per request, kept by the intake from the
 *   events it consumes (status, the units that may see it); no personal data.
 * - `inbox_items`: what waits for a unit; `work_feed`: the ordered, durable stream behind
 *   `GET /v1/events` (ids from one sequence, allocated in commit order: see work-feed.writer.ts).
 * - `assignments`: who handed an inbound request to which unit, and why.
 * - `event_tickets`: one-time tickets of browsers for the event stream.
 */
export class WorkSurfaces1764520000001 implements MigrationInterface {
  name = 'WorkSurfaces1764520000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE requests ADD COLUMN search tsvector
        GENERATED ALWAYS AS (jsonb_to_tsvector('simple'::regconfig, body::jsonb, '["string"]')) STORED`);
    await q.query(`CREATE INDEX requests_search ON requests USING gin (search)`);
    await q.query(`
      CREATE TABLE work_requests (
        request_id uuid PRIMARY KEY,
        direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
        status text NOT NULL,
        open boolean NOT NULL,
        unit text NOT NULL,
        level text,
        countries text[] NOT NULL,
        channels text[] NOT NULL,
        offence_category text,
        urgent boolean NOT NULL,
        deadline_at timestamptz,
        deadline_key timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        visible_to text[] NOT NULL
      )`);
    // The list's two orders (deadline_key is the deadline, or 'infinity' without one: keyset-friendly).
    await q.query(`CREATE INDEX work_requests_deadline ON work_requests (deadline_key, request_id)`);
    await q.query(`CREATE INDEX work_requests_received ON work_requests (received_at DESC, request_id DESC)`);
    await q.query(`CREATE INDEX work_requests_open ON work_requests (deadline_key, request_id) WHERE open`);
    await q.query(`CREATE INDEX work_requests_visible ON work_requests USING gin (visible_to)`);
    await q.query(`CREATE INDEX work_requests_unit ON work_requests (unit, deadline_key, request_id)`);
    await q.query(`CREATE SEQUENCE work_feed_ids`);
    await q.query(`
      CREATE TABLE inbox_items (
        id bigint PRIMARY KEY,
        unit text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('inbound_request', 'answer', 'clarification_question',
          'deadline_warning', 'escalation', 'assignment')),
        request_id uuid NOT NULL,
        at timestamptz NOT NULL,
        summary text NOT NULL,
        read_at timestamptz,
        source text NOT NULL,
        CONSTRAINT inbox_items_once UNIQUE (unit, kind, source)
      )`);
    await q.query(`CREATE INDEX inbox_items_unit ON inbox_items (unit, id DESC)`);
    await q.query(`CREATE INDEX inbox_items_request ON inbox_items (request_id, id)`);
    await q.query(`
      CREATE TABLE work_feed (
        id bigint PRIMARY KEY,
        event text NOT NULL CHECK (event IN ('inbox', 'status')),
        units text[] NOT NULL,
        request_id uuid,
        data json NOT NULL,
        at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE assignments (
        id bigserial PRIMARY KEY,
        request_id uuid NOT NULL,
        from_unit text,
        to_unit text NOT NULL,
        reason text NOT NULL,
        assigned_by text NOT NULL,
        at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX assignments_request ON assignments (request_id, id)`);
    await q.query(`
      CREATE TABLE event_tickets (
        ticket_hash text PRIMARY KEY,
        claims json NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_tickets, assignments, work_feed, inbox_items, work_requests`);
    await q.query(`DROP SEQUENCE work_feed_ids`);
    await q.query(`DROP INDEX requests_search`);
    await q.query(`ALTER TABLE requests DROP COLUMN search`);
  }
}
