import type { EntityManager } from 'typeorm';

/** The PostgreSQL channel that wakes the event streams of every intake instance. */
export const WORK_FEED_CHANNEL = 'ixr_work_feed';
/**
 * Taken (transaction-scoped) before any feed id is drawn: ids are then given out in commit order,
 * so a stream that has seen id N never misses a smaller id committed later. Feed writes are small
 * and few (notifications), so the serialisation costs little.
 */
const FEED_LOCK = 0x1b13_feed;

export type FeedEvent = 'inbox' | 'status';

export interface FeedRow {
  event: FeedEvent;
  /** The units whose callers receive it (SPOC operators also receive every `status`). */
  units: readonly string[];
  requestId: string | null;
  data: Record<string, unknown>;
  at: Date;
}

export type InboxKind =
  'inbound_request' | 'answer' | 'clarification_question' | 'deadline_warning' | 'escalation' | 'assignment';

export interface NewInboxItem {
  unit: string;
  kind: InboxKind;
  requestId: string;
  at: Date;
  /** Shown to the unit: no personal data (no names, no free text of the request). */
  summary: string;
  /** What it came from (an event id, an assignment): one item per unit, kind and source, ever. */
  source: string;
}

export interface InboxItemView {
  id: string;
  kind: InboxKind;
  requestId: string;
  at: string;
  summary: string;
  readAt: string | null;
}

/** Locks the feed for the rest of the transaction; call it right before drawing ids. */
async function lockFeed(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock($1)`, [FEED_LOCK]);
}

/** Appends rows to the event feed and wakes the streams at commit. */
export async function appendFeed(manager: EntityManager, rows: readonly FeedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await lockFeed(manager);
  await manager.query(
    `INSERT INTO work_feed (id, event, units, request_id, data, at)
     SELECT nextval('work_feed_ids'), e, string_to_array(u, ','), r, d::json, a
       FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::timestamptz[])
         WITH ORDINALITY AS t(e, u, r, d, a, n) ORDER BY n`,
    [
      rows.map((r) => r.event),
      rows.map((r) => r.units.join(',')),
      rows.map((r) => r.requestId),
      rows.map((r) => JSON.stringify(r.data)),
      rows.map((r) => r.at),
    ],
  );
  await manager.query(`SELECT pg_notify($1, '')`, [WORK_FEED_CHANNEL]);
}

/**
 * Puts items in units' inboxes, each once (a repeat of the same source changes nothing), and
 * announces each new one on the event feed in the same transaction.
 */
export async function addInboxItems(
  manager: EntityManager,
  items: readonly NewInboxItem[],
): Promise<InboxItemView[]> {
  if (items.length === 0) return [];
  await lockFeed(manager);
  const rows: { id: string; unit: string; kind: InboxKind; request_id: string; at: Date; summary: string }[] =
    await manager.query(
      `INSERT INTO inbox_items (id, unit, kind, request_id, at, summary, source)
       SELECT nextval('work_feed_ids'), u, k, r, a, s, src
         FROM unnest($1::text[], $2::text[], $3::uuid[], $4::timestamptz[], $5::text[], $6::text[])
           WITH ORDINALITY AS t(u, k, r, a, s, src, n) ORDER BY n
       ON CONFLICT ON CONSTRAINT inbox_items_once DO NOTHING
       RETURNING id, unit, kind, request_id, at, summary`,
      [
        items.map((i) => i.unit),
        items.map((i) => i.kind),
        items.map((i) => i.requestId),
        items.map((i) => i.at),
        items.map((i) => i.summary),
        items.map((i) => i.source),
      ],
    );
  const views = rows.map((r) => ({
    unit: r.unit,
    view: {
      id: String(r.id),
      kind: r.kind,
      requestId: r.request_id,
      at: r.at.toISOString(),
      summary: r.summary,
      readAt: null,
    } satisfies InboxItemView,
  }));
  await appendFeed(
    manager,
    views.map(({ unit, view }) => ({
      event: 'inbox',
      units: [unit],
      requestId: view.requestId,
      data: view,
      at: new Date(view.at),
    })),
  );
  return views.map((v) => v.view);
}
