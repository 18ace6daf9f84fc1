import type { EntityManager } from 'typeorm';
import type { RequestStatus } from '@ixr/domain';
import { appendFeed, type FeedRow } from './work-feed.writer';

/** Statuses after which nothing is awaited. */
export const CLOSED_STATUSES: readonly string[] = ['answered', 'refused', 'withdrawn', 'erased'];
const NATIONAL_CHANNELS = ['national_unit', 'national_spoc'];

interface RequestRow {
  id: string;
  direction: 'outbound' | 'inbound';
  requesting_unit: string;
  assigned_unit: string | null;
  origin_channel: string | null;
  origin_country: string | null;
  body: {
    targetCountries?: string[];
    offence?: { category?: string };
    urgency?: { urgent?: boolean };
  };
  decision: { routes?: { channel: string; destination: string }[] } | null;
  deadline_at: Date | null;
  received_at: Date;
}

export interface WorkRequestChange {
  requestId: string;
  status: RequestStatus;
  previous: string | null;
  visibleTo: string[];
  /** The unit that handles it: the requesting unit (outbound) or the contact point (inbound). */
  unit: string;
  direction: 'outbound' | 'inbound';
  /** The feed row announcing a status change, when `deferFeed` asked for it instead of appending it. */
  feed?: FeedRow;
}

/**
 * Brings a request's row of the list (`work_requests`) up to date with what the owners' tables
 * now say — status, the units that may see it — and announces a status change on the event feed,
 * in the caller's transaction. Recomputed from the tables rather than patched from the event, so
 * events handled late or out of order still leave the row right. A per-request lock keeps two
 * events of one request from writing an older state over a newer one.
 */
export async function refreshWorkRequest(
  manager: EntityManager,
  requestId: string,
  at: Date,
  facts: {
    level?: string;
    /**
     * Outcomes of deliveries just announced (`ixr.deliveries.outcome`, delivery id → outcome): the
     * router records them on `deliveries` from the same event, maybe after this runs, so a delivery
     * still pending there takes the announced outcome (a final one is never changed).
     */
    outcomes?: ReadonlyMap<string, string>;
  } = {},
  /** Leave the status event to the caller (a batch appends all of its feed rows at the end). */
  options: { deferFeed?: boolean } = {},
): Promise<WorkRequestChange | undefined> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [requestId]);
  const [request]: RequestRow[] = await manager.query(
    `SELECT id, direction, requesting_unit, assigned_unit, origin_channel, origin_country, body, decision,
            deadline_at, received_at
       FROM requests WHERE id = $1`,
    [requestId],
  );
  if (!request) return undefined;
  const recorded: { id: string; channel: string; destination: string; status: string }[] =
    await manager.query(`SELECT id, channel, destination, status FROM deliveries WHERE request_id = $1`, [
      requestId,
    ]);
  const deliveries = recorded.map((d) => ({
    ...d,
    status: d.status === 'pending' ? (facts.outcomes?.get(d.id) ?? d.status) : d.status,
  }));
  const replies: ReplyRow[] = await manager.query(
    `SELECT direction, status, kind, partial, closed_at FROM replies WHERE request_id = $1`,
    [requestId],
  );
  const [before]: { status: string }[] = await manager.query(
    `SELECT status FROM work_requests WHERE request_id = $1`,
    [requestId],
  );
  const [erased]: unknown[] = await manager.query(`SELECT 1 FROM erasures WHERE request_id = $1`, [
    requestId,
  ]);
  const status = erased ? 'erased' : statusOf(request, deliveries, replies);
  const unit =
    request.direction === 'inbound'
      ? (request.assigned_unit ?? request.requesting_unit)
      : request.requesting_unit;
  const visibleTo = [
    ...new Set([
      request.requesting_unit,
      ...(request.assigned_unit ? [request.assigned_unit] : []),
      ...deliveries.filter((d) => NATIONAL_CHANNELS.includes(d.channel)).map((d) => d.destination),
    ]),
  ];
  const countries =
    request.direction === 'inbound'
      ? request.origin_country
        ? [request.origin_country]
        : []
      : (request.body.targetCountries ?? []);
  const channels = [
    ...new Set([
      ...(request.origin_channel ? [request.origin_channel] : []),
      ...(request.decision?.routes ?? []).map((r) => r.channel),
      ...deliveries.map((d) => d.channel),
    ]),
  ];
  await manager.query(
    `INSERT INTO work_requests (request_id, direction, status, open, unit, level, countries, channels,
       offence_category, urgent, deadline_at, deadline_key, received_at, updated_at, visible_to)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, COALESCE($11, 'infinity'::timestamptz), $12, $13, $14)
     ON CONFLICT (request_id) DO UPDATE SET
       status = EXCLUDED.status, open = EXCLUDED.open, unit = EXCLUDED.unit,
       level = COALESCE(EXCLUDED.level, work_requests.level), countries = EXCLUDED.countries,
       channels = EXCLUDED.channels, deadline_at = EXCLUDED.deadline_at, deadline_key = EXCLUDED.deadline_key,
       updated_at = GREATEST(work_requests.updated_at, EXCLUDED.updated_at), visible_to = EXCLUDED.visible_to`,
    [
      requestId,
      request.direction,
      status,
      !CLOSED_STATUSES.includes(status),
      unit,
      facts.level ?? null,
      countries,
      channels,
      request.body.offence?.category ?? null,
      request.body.urgency?.urgent === true,
      request.deadline_at,
      request.received_at,
      at,
      visibleTo,
    ],
  );
  const change: WorkRequestChange = {
    requestId,
    status,
    previous: before?.status ?? null,
    visibleTo,
    unit,
    direction: request.direction,
  };
  if (change.previous !== status) {
    const row: FeedRow = {
      event: 'status',
      units: visibleTo,
      requestId,
      data: { requestId, status, previous: change.previous, at: at.toISOString() },
      at,
    };
    if (options.deferFeed) change.feed = row;
    else await appendFeed(manager, [row]);
  }
  return change;
}

interface ReplyRow {
  direction: string;
  status: string;
  kind: string;
  partial: boolean | null;
  closed_at: Date | null;
}

/**
 * As the request view tells it (request-view.service.ts, reply-view.ts `caseStatus`): the case
 * steps first (withdrawn, refused wholly, waiting for a clarification), then answered, else as its
 * deliveries say.
 */
function statusOf(
  request: RequestRow,
  deliveries: readonly { status: string }[],
  replies: readonly ReplyRow[],
): RequestStatus {
  const requester = request.direction === 'outbound' ? 'outbound' : 'inbound';
  const handler = request.direction === 'outbound' ? 'inbound' : 'outbound';
  if (replies.some((r) => r.kind === 'withdrawal' && r.direction === requester)) return 'withdrawn';
  if (replies.some((r) => r.kind === 'refusal' && r.direction === handler && !r.partial)) return 'refused';
  if (replies.some((r) => r.kind === 'clarification' && r.direction === handler && r.closed_at === null)) {
    return 'awaiting_clarification';
  }
  const answered =
    request.direction === 'outbound'
      ? replies.some((r) => r.direction === 'inbound' && r.kind === 'answer')
      : replies.some((r) => r.direction === 'outbound' && r.kind === 'answer' && r.status === 'delivered');
  if (answered) return 'answered';
  if (!request.decision) return 'received';
  if (deliveries.length === 0) return 'routed';
  if (deliveries.some((d) => d.status === 'failed')) return 'failed';
  if (deliveries.every((d) => d.status === 'delivered')) return 'delivered';
  return 'dispatched';
}
