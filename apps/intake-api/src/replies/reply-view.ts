import type { DataSource } from 'typeorm';

/** A reply as the request's view shows it: a partner's answer (inbound) or our reply (outbound). */
export interface ReplyView {
  id: string;
  /** answer, refusal, clarification (a question), clarification_answer, delay_notice, withdrawal (SPEC §8). */
  kind: string;
  /** A refusal's Art 6(1) ground and whether it covers part of the request only. */
  ground?: string;
  partial?: boolean;
  /** A delay notice's expected date of the answer. */
  expectedBy?: string;
  /** A clarification answer: the question it answers. */
  clarificationOf?: string;
  /** A clarification question: when it was answered (null while open). */
  closedAt?: string | null;
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
    // A message still being sent shows the attempts and last error of the adapters' ledger
    // (`reply_sends`); once ended, the outcome the intake recorded from its event.
    `SELECT r.id, r.direction, r.channel, r.partner, r.in_reply_to, r.unit, r.author, r.handling_code,
            r.language, r.text, r.status, r.late, r.partner_reference, r.created_at, r.completed_at,
            r.kind, r.ground, r.partial, r.expected_by, r.clarification_of, r.closed_at,
            CASE WHEN r.status = 'pending' AND s.id IS NOT NULL THEN s.attempts ELSE r.attempts END AS attempts,
            CASE WHEN r.status = 'pending' AND s.id IS NOT NULL THEN s.last_error ELSE r.last_error END AS last_error
       FROM replies r LEFT JOIN reply_sends s ON s.id = r.id
      WHERE r.request_id = $1 ORDER BY r.created_at, r.id`,
    [requestId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    kind: String(r.kind),
    ...(r.ground !== null && { ground: r.ground as string, partial: Boolean(r.partial) }),
    ...(r.expected_by !== null && { expectedBy: (r.expected_by as Date).toISOString() }),
    ...(r.clarification_of !== null && { clarificationOf: r.clarification_of as string }),
    ...(r.kind === 'clarification' && { closedAt: (r.closed_at as Date | null)?.toISOString() ?? null }),
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
    ? replies.some((r) => r.direction === 'inbound' && r.kind === 'answer')
    : replies.some((r) => r.direction === 'outbound' && r.kind === 'answer' && r.status === 'delivered');
}

/**
 * The status the case steps give a request (SPEC §8), if any: withdrawn (by its requester), refused
 * wholly (by the side handling it), or waiting for a clarification the handling side asked.
 */
export function caseStatus(
  origin: RequestOrigin,
  replies: readonly ReplyView[],
): 'withdrawn' | 'refused' | 'awaiting_clarification' | undefined {
  // Messages from the requesting side and from the handling side, as seen from this request.
  const requester = origin.direction === 'outbound' ? 'outbound' : 'inbound';
  const handler = origin.direction === 'outbound' ? 'inbound' : 'outbound';
  if (replies.some((r) => r.kind === 'withdrawal' && r.direction === requester)) return 'withdrawn';
  if (replies.some((r) => r.kind === 'refusal' && r.direction === handler && !r.partial)) return 'refused';
  if (replies.some((r) => r.kind === 'clarification' && r.direction === handler && r.closedAt === null)) {
    return 'awaiting_clarification';
  }
  return undefined;
}
