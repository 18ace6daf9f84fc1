import type { EntityManager } from 'typeorm';
import type { RoutingDecision } from '@ixr/domain';
import type { PlannedDelivery } from '@ixr/messaging';
import { forgetProcessed, markProcessedMany } from '@ixr/persistence';
import type { MilestoneAt } from '@ixr/routing';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A decided request, as the router stores it. */
export interface RoutedRequest {
  requestId: string;
  /** The unit that submitted it, who also follows it up. */
  requestingUnit: string;
  handlingCode: string;
  decision: RoutingDecision;
  deliveries: readonly PlannedDelivery[];
  milestones: readonly MilestoneAt[];
}

/** What became of a request the router tried to mark routed. */
export type RouteMark = 'routed' | 'routed-already' | 'unknown';

/**
 * The router's writes, each one set-based statement for a whole batch, inside the caller's
 * transaction: the processed-event records, the routings (`routed_requests`, its own record: the
 * intake stores the decision in `requests` from the `routed` event), the planned deliveries, the
 * deadline milestones.
 */
export class RoutedRequestStore {
  constructor(private readonly consumer: string) {}

  /** Records the events as handled; returns those that were not already (the others change nothing). */
  claimEvents(manager: EntityManager, eventIds: readonly string[]): Promise<Set<string>> {
    return markProcessedMany(manager, this.consumer, eventIds);
  }

  /** Takes back the records of events that failed, so that their retry or re-drive is handled. */
  releaseEvents(manager: EntityManager, eventIds: readonly string[]): Promise<void> {
    return forgetProcessed(manager, this.consumer, eventIds);
  }

  /**
   * Records the routing of requests not routed yet (the primary key makes a concurrent second
   * routing of the same request wait, then find it routed); a request the intake never stored is
   * unknown. Request ids must be distinct.
   */
  async markRouted(
    manager: EntityManager,
    requests: readonly RoutedRequest[],
    now: Date,
  ): Promise<Map<string, RouteMark>> {
    // A request id that is no uuid names no request; kept out of the statement, whose cast it
    // would fail for the whole batch.
    const marks = new Map<string, RouteMark>();
    for (const r of requests) if (!UUID.test(r.requestId)) marks.set(r.requestId, 'unknown');
    // In id order, so that two routers (a rebalance overlapping) wait on shared keys in the same order.
    const valid = requests
      .filter((r) => !marks.has(r.requestId))
      .sort((a, b) => byId(a.requestId, b.requestId));
    if (valid.length === 0) return marks;
    // Only requests the intake stored (it stores each before announcing it) are routed: `known`
    // tells a request routed earlier (or by a concurrent router, whose row this statement waited
    // for) from one that does not exist.
    const rows: { n: string; routed: boolean; known: boolean }[] = await manager.query(
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[])
           WITH ORDINALITY AS v(id, deadline_at, deadline_basis, unit, handling_code, n)
       ), routed AS (
         INSERT INTO routed_requests (request_id, direction, routed_at, deadline_at, deadline_basis,
             requesting_unit, handling_unit, handling_code)
         SELECT v.id, 'outbound', $6, v.deadline_at, v.deadline_basis, v.unit, v.unit, v.handling_code
           FROM v WHERE EXISTS (SELECT 1 FROM requests r WHERE r.id = v.id)
         ORDER BY v.id
         ON CONFLICT (request_id) DO NOTHING
         RETURNING request_id
       )
       SELECT v.n,
              EXISTS (SELECT 1 FROM routed WHERE routed.request_id = v.id) AS routed,
              EXISTS (SELECT 1 FROM requests r WHERE r.id = v.id) AS known
         FROM v`,
      [
        valid.map((r) => r.requestId),
        valid.map((r) => r.decision.deadline.at),
        valid.map((r) => r.decision.deadline.basis),
        valid.map((r) => r.requestingUnit),
        valid.map((r) => r.handlingCode),
        now,
      ],
    );
    // By position (ordinality counts from 1), so the ids come back exactly as the events wrote them.
    for (const row of rows) {
      const mark = row.routed ? 'routed' : row.known ? 'routed-already' : 'unknown';
      marks.set(valid[Number(row.n) - 1].requestId, mark);
    }
    return marks;
  }

  async insertDeliveries(
    manager: EntityManager,
    requests: readonly RoutedRequest[],
    now: Date,
  ): Promise<void> {
    const rows = requests.flatMap((r) => r.deliveries.map((d) => ({ ...d, requestId: r.requestId })));
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO deliveries (id, request_id, channel, destination, role, rule_id, status, attempts, dispatched_at)
       SELECT id, request_id, channel, destination, role, rule_id, 'pending', 0, $7
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])
           AS t(id, request_id, channel, destination, role, rule_id)`,
      [
        rows.map((d) => d.deliveryId),
        rows.map((d) => d.requestId),
        rows.map((d) => d.channel),
        rows.map((d) => d.destination),
        rows.map((d) => d.role),
        rows.map((d) => d.ruleId),
        now,
      ],
    );
  }

  /** The deadline monitor works from these rows, so warnings survive restarts. */
  async insertMilestones(manager: EntityManager, requests: readonly RoutedRequest[]): Promise<void> {
    const rows = requests.flatMap((r) => r.milestones.map((m) => ({ ...m, requestId: r.requestId })));
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO deadline_milestones (request_id, milestone, due_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) ON CONFLICT DO NOTHING`,
      [rows.map((m) => m.requestId), rows.map((m) => m.milestone), rows.map((m) => m.at)],
    );
  }
}

/** The order PostgreSQL gives uuids (their hex digits, case aside). */
function byId(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : 0;
}
