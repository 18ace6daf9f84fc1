import type { EntityManager } from 'typeorm';
import type { RoutingDecision } from '@ixr/domain';
import type { PlannedDelivery } from '@ixr/messaging';
import { forgetProcessed, markProcessedMany } from '@ixr/persistence';
import type { MilestoneAt } from '@ixr/routing';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A decided request, as the router stores it. */
export interface RoutedRequest {
  requestId: string;
  decision: RoutingDecision;
  deliveries: readonly PlannedDelivery[];
  milestones: readonly MilestoneAt[];
}

/** What became of a request the router tried to mark routed. */
export type RouteMark = 'routed' | 'routed-already' | 'unknown';

/**
 * The router's writes, each one set-based statement for a whole batch, inside the caller's
 * transaction: the processed-event records, the decisions, the planned deliveries, the deadline
 * milestones.
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
   * Stores the decisions of requests not routed yet (the row lock makes a concurrent second routing
   * of the same request wait, then find it routed). Request ids must be distinct.
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
    // In id order, so that two routers (a rebalance overlapping) lock shared rows in the same order.
    const valid = requests
      .filter((r) => !marks.has(r.requestId))
      .sort((a, b) => byId(a.requestId, b.requestId));
    if (valid.length === 0) return marks;
    // The WITH's final SELECT sees the table as before the UPDATE: `known` tells a request
    // routed earlier from one that does not exist.
    const rows: { n: string; routed: boolean; known: boolean }[] = await manager.query(
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[]) WITH ORDINALITY
           AS v(id, decision, deadline_at, deadline_basis, n)
       ), routed AS (
         UPDATE requests r
            SET decision = v.decision::json, status = 'routed', routed_at = $5,
                deadline_at = v.deadline_at, deadline_basis = v.deadline_basis
           FROM v
          WHERE r.id = v.id AND r.routed_at IS NULL
         RETURNING r.id
       )
       SELECT v.n,
              EXISTS (SELECT 1 FROM routed WHERE routed.id = v.id) AS routed,
              EXISTS (SELECT 1 FROM requests r WHERE r.id = v.id) AS known
         FROM v`,
      [
        valid.map((r) => r.requestId),
        valid.map((r) => JSON.stringify(r.decision)),
        valid.map((r) => r.decision.deadline.at),
        valid.map((r) => r.decision.deadline.basis),
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
