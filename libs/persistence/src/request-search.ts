import { z } from 'zod';
import { CHANNELS, REQUEST_STATUSES, UNIT_LEVELS } from '@ixr/domain';

const isoTime = z.iso.datetime({ offset: true });
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** `GET /v1/requests` (SPEC §7): every filter optional; unknown parameters are refused. */
export const requestSearchQuerySchema = z.strictObject({
  direction: z.enum(['outbound', 'inbound']).optional(),
  status: z.enum(REQUEST_STATUSES).optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code')
    .optional(),
  channel: z.enum(CHANNELS).optional(),
  unit: z.string().min(1).max(200).optional(),
  level: z.enum(UNIT_LEVELS).optional(),
  urgent: flag.optional(),
  /** Only open work (not answered), the SPOC queue's view. */
  open: flag.optional(),
  deadlineBefore: isoTime.optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type RequestSearchQuery = z.infer<typeof requestSearchQuerySchema>;

/** Who asks: need-to-know decides which rows exist for them at all. */
export interface SearchCaller {
  unit: string;
  /** SPOC operators and auditors see every request; any other caller its unit's. */
  seesAll: boolean;
}

export interface RequestListItem {
  id: string;
  direction: 'outbound' | 'inbound';
  status: string;
  unit: string;
  level: string | null;
  targetCountries: string[];
  offenceCategory: string | null;
  urgent: boolean;
  deadline: string | null;
  receivedAt: string;
  updatedAt: string;
}

export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** Position after the last item of a page: (deadline key, id). Opaque to clients. */
export function encodeCursor(deadlineKey: string, id: string): string {
  return Buffer.from(JSON.stringify([deadlineKey, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      /^(infinity|\d{4}-\d\d-\d\d[ T][\d:.+-]+)$/.test(value[0]) &&
      typeof value[1] === 'string' &&
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value[1])
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // not a cursor of ours
  }
  return undefined;
}

/**
 * The one statement behind a page: need-to-know first (a unit's callers match only rows their
 * unit may see, so nothing of another unit's is ever counted or returned), then the filters, then
 * keyset pagination on (deadline, id) — a page boundary stays put while requests arrive, and open
 * work comes in deadline order. `q` searches the request's own full-text index (free text and
 * subject names; `requests.search`).
 */
export function buildRequestSearch(
  query: RequestSearchQuery,
  caller: SearchCaller,
  cursor: [string, string] | undefined,
  now: Date,
  extra: { dueBefore?: Date } = {},
): SqlQuery {
  const values: unknown[] = [];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const where: string[] = [];
  if (!caller.seesAll) where.push(`w.visible_to @> ARRAY[${param(caller.unit)}]::text[]`);
  if (query.direction) where.push(`w.direction = ${param(query.direction)}`);
  if (query.status) where.push(`w.status = ${param(query.status)}`);
  if (query.country) where.push(`w.countries @> ARRAY[${param(query.country)}]::text[]`);
  if (query.channel) where.push(`w.channels @> ARRAY[${param(query.channel)}]::text[]`);
  if (query.unit) where.push(`w.unit = ${param(query.unit)}`);
  if (query.level) where.push(`w.level = ${param(query.level)}`);
  if (query.urgent !== undefined) where.push(`w.urgent = ${param(query.urgent)}`);
  if (query.open !== undefined) where.push(query.open ? 'w.open' : 'NOT w.open');
  if (query.deadlineBefore) where.push(`w.deadline_at < ${param(query.deadlineBefore)}`);
  if (extra.dueBefore) where.push(`w.deadline_at < ${param(extra.dueBefore)}`);
  if (query.from) where.push(`w.received_at >= ${param(query.from)}`);
  if (query.to) where.push(`w.received_at < ${param(query.to)}`);
  if (query.q) {
    where.push(
      `EXISTS (SELECT 1 FROM requests r WHERE r.id = w.request_id AND r.search @@ websearch_to_tsquery('simple', ${param(query.q)}))`,
    );
  }
  if (cursor) {
    where.push(
      `(w.deadline_key, w.request_id) > (${param(cursor[0])}::timestamptz, ${param(cursor[1])}::uuid)`,
    );
  }
  const text = `
    SELECT w.request_id, w.direction, w.status, w.unit, w.level, w.countries, w.offence_category, w.urgent,
           w.deadline_at, w.deadline_key::text AS deadline_key, w.received_at, w.updated_at,
           w.deadline_at < ${param(now)} AS overdue
      FROM work_requests w
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY w.deadline_key, w.request_id
     LIMIT ${param(query.limit + 1)}`;
  return { text, values };
}

export interface SearchRow {
  request_id: string;
  direction: 'outbound' | 'inbound';
  status: string;
  unit: string;
  level: string | null;
  countries: string[];
  offence_category: string | null;
  urgent: boolean;
  deadline_at: Date | null;
  deadline_key: string;
  received_at: Date;
  updated_at: Date;
  overdue: boolean | null;
}

export function toListItem(row: SearchRow): RequestListItem {
  return {
    id: row.request_id,
    direction: row.direction,
    status: row.status,
    unit: row.unit,
    level: row.level,
    targetCountries: row.countries,
    offenceCategory: row.offence_category,
    urgent: row.urgent,
    deadline: row.deadline_at?.toISOString() ?? null,
    receivedAt: row.received_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A page of `limit` items and the cursor of the next one, from `limit + 1` rows. */
export function pageOf<T>(rows: readonly SearchRow[], limit: number, map: (row: SearchRow) => T) {
  const items = rows.slice(0, limit).map(map);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, nextCursor: last ? encodeCursor(last.deadline_key, last.request_id) : null };
}
