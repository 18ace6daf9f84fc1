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

/** What a refresh knows besides the owners' tables. */
export interface RefreshFacts {
  level?: string;
  /**
   * Outcomes of deliveries just announced (`ixr.deliveries.outcome`, delivery id → outcome): the
   * router records them on `deliveries` from the same event, maybe after this runs, so a delivery
   * still pending there takes the announced outcome (a final one is never changed).
   */
  outcomes?: ReadonlyMap<string, string>;
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
  facts: RefreshFacts = {},
  /** Leave the status event to the caller (a batch appends all of its feed rows at the end). */
  options: { deferFeed?: boolean } = {},
): Promise<WorkRequestChange | undefined> {
  const [change] = await refreshWorkRequests(manager, [{ requestId, at, ...facts }], options);
  return change;
}

/**
 * `refreshWorkRequest` for many requests at once, in a fixed number of statements whatever their
 * number (a Kafka batch of the pipeline's events): the locks, one read of each owner's table, one
 * upsert of the rows, one append of the feed. Requests are locked in id order, so concurrent
 * batches never wait on each other in a circle. A request id given twice is refreshed once, with
 * the latest time and every announced outcome. Unknown requests are left out of the result.
 */
export async function refreshWorkRequests(
  manager: EntityManager,
  items: readonly ({ requestId: string; at: Date } & RefreshFacts)[],
  options: { deferFeed?: boolean } = {},
): Promise<WorkRequestChange[]> {
  const wanted = mergeItems(items);
  if (wanted.size === 0) return [];
  const ids = [...wanted.keys()].sort();
  // Evaluated row by row in the array's order (WITH ORDINALITY keeps it).
  await manager.query(
    `SELECT pg_advisory_xact_lock(hashtext(t.id)) FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n) ORDER BY t.n`,
    [ids],
  );
  const requests: RequestRow[] = await manager.query(
    `SELECT id, direction, requesting_unit, assigned_unit, origin_channel, origin_country, body, decision,
            deadline_at, received_at
       FROM requests WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  if (requests.length === 0) return [];
  const known = requests.map((r) => r.id);
  const deliveryRows: {
    request_id: string;
    id: string;
    channel: string;
    destination: string;
    status: string;
  }[] = await manager.query(
    `SELECT request_id, id, channel, destination, status FROM deliveries WHERE request_id = ANY($1::uuid[])`,
    [known],
  );
  const replyRows: (ReplyRow & { request_id: string })[] = await manager.query(
    `SELECT request_id, direction, status, kind, partial, closed_at FROM replies WHERE request_id = ANY($1::uuid[])`,
    [known],
  );
  const beforeRows: { request_id: string; status: string }[] = await manager.query(
    `SELECT request_id, status FROM work_requests WHERE request_id = ANY($1::uuid[])`,
    [known],
  );
  const erasedRows: { request_id: string }[] = await manager.query(
    `SELECT request_id FROM erasures WHERE request_id = ANY($1::uuid[])`,
    [known],
  );
  const deliveriesOf = groupBy(deliveryRows, (d) => d.request_id);
  const repliesOf = groupBy(replyRows, (r) => r.request_id);
  const before = new Map(beforeRows.map((r) => [r.request_id, r.status]));
  const erased = new Set(erasedRows.map((r) => r.request_id));

  const rows: WorkRequestRow[] = [];
  const changes: WorkRequestChange[] = [];
  for (const request of requests.sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const facts = wanted.get(request.id)!;
    const deliveries = (deliveriesOf.get(request.id) ?? []).map((d) => ({
      ...d,
      status: d.status === 'pending' ? (facts.outcomes.get(d.id) ?? d.status) : d.status,
    }));
    const status = erased.has(request.id)
      ? 'erased'
      : statusOf(request, deliveries, repliesOf.get(request.id) ?? []);
    const row = workRequestRow(request, deliveries, status, facts);
    rows.push(row);
    changes.push({
      requestId: request.id,
      status,
      previous: before.get(request.id) ?? null,
      visibleTo: row.visible_to,
      unit: row.unit,
      direction: request.direction,
    });
  }
  await upsertWorkRequests(manager, rows);

  const feed: FeedRow[] = [];
  for (const change of changes) {
    if (change.previous === change.status) continue;
    const at = wanted.get(change.requestId)!.at;
    change.feed = {
      event: 'status',
      units: change.visibleTo,
      requestId: change.requestId,
      data: {
        requestId: change.requestId,
        status: change.status,
        previous: change.previous,
        at: at.toISOString(),
      },
      at,
    };
    feed.push(change.feed);
  }
  if (!options.deferFeed) {
    await appendFeed(manager, feed);
    for (const change of changes) delete change.feed;
  }
  return changes;
}

/** One entry per request: the latest time, the level if any event gave it, every announced outcome. */
function mergeItems(
  items: readonly ({ requestId: string; at: Date } & RefreshFacts)[],
): Map<string, { at: Date; level?: string; outcomes: Map<string, string> }> {
  const merged = new Map<string, { at: Date; level?: string; outcomes: Map<string, string> }>();
  for (const item of items) {
    const seen = merged.get(item.requestId);
    const outcomes = seen?.outcomes ?? new Map<string, string>();
    for (const [deliveryId, outcome] of item.outcomes ?? []) outcomes.set(deliveryId, outcome);
    merged.set(item.requestId, {
      at: seen && seen.at > item.at ? seen.at : item.at,
      level: item.level ?? seen?.level,
      outcomes,
    });
  }
  return merged;
}

interface WorkRequestRow {
  request_id: string;
  direction: 'outbound' | 'inbound';
  status: string;
  open: boolean;
  unit: string;
  level: string | null;
  countries: string[];
  channels: string[];
  offence_category: string | null;
  urgent: boolean;
  deadline_at: Date | null;
  received_at: Date;
  updated_at: Date;
  visible_to: string[];
}

/** The list's row of a request, from its owners' rows. */
function workRequestRow(
  request: RequestRow,
  deliveries: readonly { channel: string; destination: string }[],
  status: string,
  facts: { at: Date; level?: string },
): WorkRequestRow {
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
  return {
    request_id: request.id,
    direction: request.direction,
    status,
    open: !CLOSED_STATUSES.includes(status),
    unit,
    level: facts.level ?? null,
    countries,
    channels,
    offence_category: request.body.offence?.category ?? null,
    urgent: request.body.urgency?.urgent === true,
    deadline_at: request.deadline_at,
    received_at: request.received_at,
    updated_at: facts.at,
    visible_to: visibleTo,
  };
}

/** One statement for all rows: they travel as one JSON array (arrays of text become text[]). */
async function upsertWorkRequests(manager: EntityManager, rows: readonly WorkRequestRow[]): Promise<void> {
  if (rows.length === 0) return;
  await manager.query(
    `INSERT INTO work_requests (request_id, direction, status, open, unit, level, countries, channels,
       offence_category, urgent, deadline_at, deadline_key, received_at, updated_at, visible_to)
     SELECT r.request_id, r.direction, r.status, r.open, r.unit, r.level, r.countries, r.channels,
            r.offence_category, r.urgent, r.deadline_at, COALESCE(r.deadline_at, 'infinity'::timestamptz),
            r.received_at, r.updated_at, r.visible_to
       FROM jsonb_to_recordset($1::jsonb) AS r(request_id uuid, direction text, status text, open boolean,
            unit text, level text, countries text[], channels text[], offence_category text, urgent boolean,
            deadline_at timestamptz, received_at timestamptz, updated_at timestamptz, visible_to text[])
     ON CONFLICT (request_id) DO UPDATE SET
       status = EXCLUDED.status, open = EXCLUDED.open, unit = EXCLUDED.unit,
       level = COALESCE(EXCLUDED.level, work_requests.level), countries = EXCLUDED.countries,
       channels = EXCLUDED.channels, deadline_at = EXCLUDED.deadline_at, deadline_key = EXCLUDED.deadline_key,
       updated_at = GREATEST(work_requests.updated_at, EXCLUDED.updated_at), visible_to = EXCLUDED.visible_to`,
    [JSON.stringify(rows)],
  );
}

function groupBy<T>(rows: readonly T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
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
