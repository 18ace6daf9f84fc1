import type { DataSource } from 'typeorm';

/** A reply as the request's view shows it: a partner's answer (inbound) or our reply (outbound). */
export interface ReplyView {
  id: string;
  direction: 'inbound' | 'outbound';
  channel: string;
  partner: string;
  inReplyTo: string;
  unit: string;
  author: string;
  handlingCode: string;
  language: string;
  text: string;
  status: string;
  late: boolean;
  attempts: number;
  partnerReference: string | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
}

/** Where a request came from: ours (outbound), or a foreign partner's and the unit it went to. */
export interface RequestOrigin {
  direction: 'outbound' | 'inbound';
  assignedUnit: string | null;
  originChannel: string | null;
  /** Who sent a foreign request (where the reply goes): a country, a PCCC, a liaison post, EUROPOL. */
  originPartner: string | null;
  /** The state it comes from (none for Europol's own request). */
  originCountry: string | null;
}

export async function requestOrigin(
  dataSource: DataSource,
  requestId: string,
): Promise<RequestOrigin | undefined> {
  const [row]: {
    direction: 'outbound' | 'inbound';
    assigned_unit: string | null;
    origin_channel: string | null;
    origin_partner: string | null;
    origin_country: string | null;
  }[] = await dataSource.query(
    `SELECT direction, assigned_unit, origin_channel, origin_partner, origin_country FROM requests WHERE id = $1`,
    [requestId],
  );
  return (
    row && {
      direction: row.direction,
      assignedUnit: row.assigned_unit,
      originChannel: row.origin_channel,
      originPartner: row.origin_partner,
      originCountry: row.origin_country,
    }
  );
}

export async function repliesOf(dataSource: DataSource, requestId: string): Promise<ReplyView[]> {
  const rows: Record<string, unknown>[] = await dataSource.query(
    `SELECT id, direction, channel, partner, in_reply_to, unit, author, handling_code, language, text, status,
            late, attempts, partner_reference, last_error, created_at, completed_at
       FROM replies WHERE request_id = $1 ORDER BY created_at, id`,
    [requestId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    direction: r.direction as ReplyView['direction'],
    channel: String(r.channel),
    partner: String(r.partner),
    inReplyTo: String(r.in_reply_to),
    unit: String(r.unit),
    author: String(r.author),
    handlingCode: String(r.handling_code),
    language: String(r.language),
    text: String(r.text),
    status: String(r.status),
    late: Boolean(r.late),
    attempts: Number(r.attempts),
    partnerReference: (r.partner_reference as string | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    createdAt: (r.created_at as Date).toISOString(),
    completedAt: (r.completed_at as Date | null)?.toISOString() ?? null,
  }));
}

/** Answered: a partner's answer to our request arrived, or our reply to theirs was delivered. */
export function isAnswered(origin: RequestOrigin, replies: readonly ReplyView[]): boolean {
  return origin.direction === 'outbound'
    ? replies.some((r) => r.direction === 'inbound')
    : replies.some((r) => r.direction === 'outbound' && r.status === 'delivered');
}
