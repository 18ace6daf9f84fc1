import type { EntityManager } from 'typeorm';
import { CASE_LOG_KINDS } from '@ixr/domain';
import type { InboundReceived, InboundRecorded, OutgoingMessage, PartnerCaseStep } from '@ixr/messaging';
import { deadlineSuspension } from '../deadline-suspension';
import { asReceived, inboundLogMessage, inboundRecordedMessage, partnerActor } from './inbound-log';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Steps about one of our requests, and steps about the partner's own request. */
const ABOUT_OURS = new Set<PartnerCaseStep['kind']>(['answer', 'refusal', 'clarification', 'delay_notice']);

interface TargetRow {
  id: string;
  direction: 'outbound' | 'inbound';
  requesting_unit: string;
  assigned_unit: string | null;
  deadline_at: Date | null;
  handling_code: string | null;
}

export interface CaseStepResult {
  requestId: string | null;
  unit: string;
  /** Its record for the intake (`inboundRecorded`), then its log entry. */
  messages: OutgoingMessage[];
  summary: Record<string, unknown>;
}

/**
 * A partner's case step on an existing request (SPEC §8), in the transaction that handles the
 * inbound event: a refusal of ours (with its Art 6(1) ground), a clarification question about ours
 * (our deadline is suspended), the answer to our clarification question about theirs (our clock
 * resumes), a delay notice about ours, the withdrawal of theirs (its milestones dropped). Put in
 * the inbox of the unit concerned, announced for the intake to store with the request, and logged;
 * a step naming no request it may concern goes to the SPOC queue, never lost. The requests are
 * found in the router's own record (`routed_requests`): the intake may not have stored theirs yet.
 */
export async function handleInboundCaseStep(
  manager: EntityManager,
  data: InboundReceived,
  message: PartnerCaseStep,
  sender: string,
  input: { now: Date; spocUnit: string; ids: { uuid(): string }; correlationId: string },
): Promise<CaseStepResult> {
  const { inboundId, channel, receivedAt } = data;
  const { now } = input;
  const target = await findTarget(manager, message, sender);
  const fits = target !== undefined && (target.direction === 'outbound') === ABOUT_OURS.has(message.kind);
  const requestId = fits ? target.id : null;
  const unit = fits
    ? target.direction === 'outbound'
      ? target.requesting_unit
      : (target.assigned_unit ?? input.spocUnit)
    : input.spocUnit;
  const late =
    message.kind === 'answer' && target?.deadline_at ? now.getTime() > target.deadline_at.getTime() : false;
  const step = stepFields(message);
  const recorded = inboundRecordedMessage(
    {
      ...asReceived(data, sender),
      ...(requestId !== null && { attachedTo: requestId }),
      unit,
      author: partnerActor(channel, sender),
      handlingCode: (step.handlingCode ?? target?.handling_code ?? 'H0') as InboundRecorded['handlingCode'],
      late,
      recordedAt: now.toISOString(),
    },
    input.ids,
    input.correlationId,
  );
  if (requestId) {
    await effectOnDeadline(manager, message, requestId, new Date(receivedAt));
    // The unit concerned is told: the step appears in its inbox.
    await manager.query(
      `INSERT INTO unit_inbox (delivery_id, unit, request_id, channel, role, received_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [inboundId, unit, requestId, channel, message.kind, now],
    );
  }
  const disposition = requestId ? 'attach' : 'spoc_queue';
  const log = inboundLogMessage(
    {
      kind: requestId && message.kind !== 'answer' ? CASE_LOG_KINDS[message.kind] : 'received',
      actor: partnerActor(channel, sender),
      justification: requestId
        ? `${message.kind.replace('_', ' ')} of ${channel}/${sender} on request ${requestId}${late ? ' (after its deadline)' : ''}`
        : `${message.kind.replace('_', ' ')} of ${channel}/${sender} names no request it may concern (${message.inReplyTo}): SPOC queue`,
      requestId,
      recipients: [unit],
      channel,
      rulesetVersion: null,
      at: receivedAt,
      details: {
        direction: 'inbound',
        kind: message.kind,
        replyId: inboundId,
        inReplyTo: message.inReplyTo,
        partnerMessageId: message.messageId,
        disposition: requestId ? 'attach' : 'spoc_queue',
        ...(message.kind === 'answer' && { late }),
        ...(step.ground !== undefined && { ground: step.ground, partial: step.partial ?? false }),
        ...(step.expectedBy !== undefined && { expectedBy: step.expectedBy }),
      },
    },
    input.ids,
    input.correlationId,
  );
  return { requestId, unit, messages: [recorded, log], summary: { kind: message.kind, disposition, late } };
}

/**
 * Our request (by our id: the intake stored it before announcing it), or the partner's own request
 * (by its message id, from this sender: the router's record, the intake's row may come later).
 * The deadline and handling code are the router's own; the unit handling theirs is the intake's
 * assignment when it has one.
 */
async function findTarget(
  manager: EntityManager,
  message: PartnerCaseStep,
  sender: string,
): Promise<TargetRow | undefined> {
  if (ABOUT_OURS.has(message.kind)) {
    if (!UUID.test(message.inReplyTo)) return undefined;
    const [ours]: TargetRow[] = await manager.query(
      `SELECT r.id, r.direction, r.requesting_unit, r.assigned_unit, rr.deadline_at,
              COALESCE(rr.handling_code, r.body ->> 'handlingCode') AS handling_code
         FROM requests r LEFT JOIN routed_requests rr ON rr.request_id = r.id
        WHERE r.id = $1 AND r.direction = 'outbound'`,
      [message.inReplyTo],
    );
    return ours;
  }
  const [theirs]: TargetRow[] = await manager.query(
    `SELECT rr.request_id AS id, rr.direction, rr.requesting_unit,
            COALESCE(r.assigned_unit, rr.handling_unit) AS assigned_unit, rr.deadline_at, rr.handling_code
       FROM routed_requests rr LEFT JOIN requests r ON r.id = rr.request_id
      WHERE rr.direction = 'inbound' AND rr.origin_partner = $1 AND rr.partner_message_id = $2
      ORDER BY rr.routed_at DESC LIMIT 1`,
    [sender, message.inReplyTo],
  );
  return theirs;
}

/**
 * The deadline follows the case: a question about our request suspends the partner's clock; the
 * partner's answer to our question resumes ours (the intake closes the question in `replies`; the
 * router notes the time, for a question it handles after the answer); a withdrawn request has no
 * deadline any more.
 */
async function effectOnDeadline(
  manager: EntityManager,
  message: PartnerCaseStep,
  requestId: string,
  at: Date,
): Promise<void> {
  switch (message.kind) {
    case 'clarification':
      await deadlineSuspension.suspend(manager, requestId, at);
      return;
    case 'clarification_answer': {
      await manager.query(
        `UPDATE routed_requests SET clarification_answered_at = GREATEST(clarification_answered_at, $2)
          WHERE request_id = $1`,
        [requestId, at],
      );
      await deadlineSuspension.resume(manager, requestId, at);
      return;
    }
    case 'withdrawal':
      await deadlineSuspension.drop(manager, requestId);
      return;
    case 'answer':
    case 'refusal':
    case 'delay_notice':
      return;
  }
}

/** What each kind says, in the columns of a message on a request. */
function stepFields(message: PartnerCaseStep): {
  text: string;
  handlingCode?: string;
  ground?: string;
  partial?: boolean;
  expectedBy?: string;
} {
  switch (message.kind) {
    case 'answer':
      return { text: message.text, handlingCode: message.handlingCode };
    case 'refusal':
      return { text: message.reason, ground: message.ground, partial: message.partial };
    case 'clarification':
      return { text: message.question };
    case 'clarification_answer':
      return { text: message.answer };
    case 'delay_notice':
      return { text: message.reason, expectedBy: message.expectedBy };
    case 'withdrawal':
      return { text: message.reason };
  }
}
