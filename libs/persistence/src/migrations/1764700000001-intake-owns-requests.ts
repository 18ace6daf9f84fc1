import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The intake alone writes `requests` and `replies` (issue 11); the others keep what they need of
 * them in tables of their own:
 * - `routed_requests` (the router): the requests it routed — once each — with the deadline it set,
 *   who handles them, and for a partner's request how later case steps find it; the deadline
 *   monitor and the inbound case steps read it, never a row the intake may not have written yet;
 * - `reply_sends` (the adapters): the send ledger of the messages on requests (claims, attempts,
 *   outcome), as `deliveries` has its sending columns; the intake learns each outcome from
 *   `ixr.deliveries.outcome`.
 * The router's tables no longer point at `requests` (foreign keys): the router records a partner's
 * request, its delivery to a unit's inbox and its milestones before the intake stores the request.
 * The grants follow from TABLES on every `npm run migrate` (`applyTableGrants` revokes all first),
 * so the router's and the adapters' writes on requests and replies end with that run.
 */
const ROUTER_TABLES = ['deliveries', 'unit_inbox', 'deadline_milestones'];

export class IntakeOwnsRequests1764700000001 implements MigrationInterface {
  name = 'IntakeOwnsRequests1764700000001';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ROUTER_TABLES) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${table}_request_id_fkey`);
    }
    await q.query(`
      CREATE TABLE routed_requests (
        request_id uuid PRIMARY KEY,
        direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
        routed_at timestamptz NOT NULL,
        deadline_at timestamptz,
        deadline_basis text NOT NULL,
        requesting_unit text NOT NULL,
        handling_unit text NOT NULL,
        origin_partner text,
        partner_message_id text,
        handling_code text,
        clarification_answered_at timestamptz
      )`);
    await q.query(`
      CREATE INDEX routed_requests_partner_message ON routed_requests (origin_partner, partner_message_id)
        WHERE direction = 'inbound'`);
    // The requests routed before: the router finds them routed, their milestones their deadline.
    await q.query(`
      INSERT INTO routed_requests (request_id, direction, routed_at, deadline_at, deadline_basis,
          requesting_unit, handling_unit, origin_partner, partner_message_id, handling_code,
          clarification_answered_at)
      SELECT r.id, r.direction, r.routed_at, r.deadline_at, COALESCE(r.deadline_basis, 'none'),
             r.requesting_unit, COALESCE(r.assigned_unit, r.requesting_unit), r.origin_partner,
             r.partner_message_id, r.body ->> 'handlingCode',
             (SELECT max(a.created_at) FROM replies a
               WHERE a.request_id = r.id AND a.kind = 'clarification_answer' AND a.direction = 'inbound')
        FROM requests r WHERE r.routed_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE reply_sends (
        id uuid PRIMARY KEY,
        status text NOT NULL DEFAULT 'pending',
        attempts int NOT NULL DEFAULT 0,
        in_flight_until timestamptz,
        partner_reference text,
        last_error text,
        completed_at timestamptz
      )`);
    // Sends begun before: their claims and attempts carry over.
    await q.query(`
      INSERT INTO reply_sends (id, status, attempts, in_flight_until, partner_reference, last_error, completed_at)
      SELECT id, status, attempts, in_flight_until, partner_reference, last_error, completed_at
        FROM replies WHERE direction = 'outbound'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reply_sends`);
    await q.query(`DROP TABLE routed_requests`);
    for (const table of ROUTER_TABLES) {
      await q.query(
        `ALTER TABLE ${table} ADD CONSTRAINT ${table}_request_id_fkey FOREIGN KEY (request_id)
           REFERENCES requests (id) NOT VALID`,
      );
    }
  }
}
