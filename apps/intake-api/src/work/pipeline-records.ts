import type { EntityManager } from 'typeorm';
import {
  openPersonalData,
  PersonalDataErasedError,
  TOPICS,
  type DeliveryOutcome,
  type EventEnvelope,
  type InboundRecorded,
  type PartnerCaseStep,
  type PartnerMessage,
  type RequestRouted,
} from '@ixr/messaging';
import { DataKeyVault, dataKeyVault } from '@ixr/persistence';
import { canonicalDocument, sha256Hex } from '@ixr/routing';
import { withoutPersonalData } from '../data-protection/personal-data';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What the intake, sole writer of `requests` and `replies` (README "Table owners"), stores of the
 * other services' events, in the transaction that records the event handled (so a redelivery
 * changes nothing twice). Each write is guarded so that a late or repeated event never undoes a
 * newer state: a decision is stored once, an outcome ends only a pending send, a partner's message
 * is inserted once.
 */

/** The router's decisions: the request is routed, with its deadline (ids in order, for the row locks). */
export async function storeRoutings(
  manager: EntityManager,
  events: readonly EventEnvelope<RequestRouted>[],
): Promise<void> {
  const first = new Map<string, EventEnvelope<RequestRouted>>();
  for (const e of events) if (!first.has(e.data.requestId)) first.set(e.data.requestId, e);
  const routed = [...first.values()].sort((a, b) => (a.data.requestId < b.data.requestId ? -1 : 1));
  if (routed.length === 0) return;
  await manager.query(
    `WITH v AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::timestamptz[])
         AS v(id, decision, deadline_at, deadline_basis, routed_at)
     ), locked AS (
       SELECT r.id FROM requests r JOIN v ON v.id = r.id WHERE r.routed_at IS NULL ORDER BY r.id FOR UPDATE OF r
     )
     UPDATE requests r
        SET decision = v.decision::json, routed_at = v.routed_at, deadline_at = v.deadline_at,
            deadline_basis = v.deadline_basis,
            status = CASE WHEN r.status = 'received' THEN 'routed' ELSE r.status END
       FROM v, locked
      WHERE r.id = v.id AND locked.id = r.id AND r.routed_at IS NULL`,
    [
      routed.map((e) => e.data.requestId),
      routed.map((e) => JSON.stringify(e.data.decision)),
      routed.map((e) => e.data.decision.deadline.at),
      routed.map((e) => e.data.decision.deadline.basis),
      routed.map((e) => e.time),
    ],
  );
}

/**
 * The adapters' outcomes of the messages on requests (a delivery's outcome names its delivery,
 * which no reply shares): a pending reply is ended once, with its attempts.
 */
export async function storeReplyOutcomes(
  manager: EntityManager,
  events: readonly EventEnvelope<DeliveryOutcome>[],
): Promise<void> {
  const ended = events.filter(
    (e) => (e.data.outcome === 'delivered' || e.data.outcome === 'failed') && UUID.test(e.data.deliveryId),
  );
  if (ended.length === 0) return;
  const outcomes = [...new Map(ended.map((e) => [e.data.deliveryId, e.data])).values()].sort((a, b) =>
    a.deliveryId < b.deliveryId ? -1 : 1,
  );
  await manager.query(
    `UPDATE replies s
        SET status = o.status, partner_reference = o.partner_reference, last_error = o.last_error,
            completed_at = o.at, in_flight_until = NULL, attempts = GREATEST(s.attempts, o.attempts)
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::int[])
            AS o(id, status, partner_reference, last_error, at, attempts)
      WHERE s.id = o.id AND s.direction = 'outbound' AND s.status = 'pending'`,
    [
      outcomes.map((o) => o.deliveryId),
      outcomes.map((o) => o.outcome),
      outcomes.map((o) => o.partnerReference ?? null),
      outcomes.map((o) => o.error?.slice(0, 2000) ?? null),
      outcomes.map((o) => o.at),
      outcomes.map((o) => o.attempts),
    ],
  );
}

/**
 * A partner's message as the router placed it: a new request (with its decision) or an answer or
 * case step on a request (or for the SPOC queue). Its personal data comes sealed (SPEC §10) and is
 * opened here with the request's key; a key already gone (the request erased) leaves it sealed,
 * unreadable, as the erasure wants. Returns the request to refresh in the work list, if any.
 */
export async function storeInboundRecord(
  manager: EntityManager,
  event: EventEnvelope<InboundRecorded>,
): Promise<string | undefined> {
  const data = await openedRecord(manager, event.data);
  const { message } = data;
  if (message.kind === 'request' || message.kind === 'provision') {
    await manager.query(
      `INSERT INTO requests (id, requesting_unit, requested_by, mission_type, body, body_hash, idempotency_key,
         status, received_at, deadline_at, deadline_basis, decision, routed_at, direction, origin_channel,
         origin_country, partner_message_id, assigned_unit, origin_partner)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'routed', $8, $9, $10, $11, $12, 'inbound', $13, $14, $7, $15, $16)
       ON CONFLICT DO NOTHING`,
      [
        data.inboundId,
        data.author.unit,
        data.author.person,
        message.missionType,
        JSON.stringify(data.erased ? withoutPersonalData(message) : message),
        data.erased ? 'erased' : sha256Hex(canonicalDocument(message)),
        message.messageId,
        data.receivedAt,
        data.decision?.deadline.at ?? null,
        data.decision?.deadline.basis ?? null,
        data.decision ? JSON.stringify(data.decision) : null,
        data.recordedAt,
        data.channel,
        data.originCountry ?? null,
        data.unit,
        data.partner,
      ],
    );
    return data.inboundId;
  }
  const requestId = data.attachedTo ?? null;
  const step = stepFields(message);
  await manager.query(
    `INSERT INTO replies (id, request_id, direction, channel, partner, in_reply_to, partner_message_id, unit,
       author, handling_code, language, text, status, late, created_at, completed_at,
       kind, ground, partial, expected_by)
     VALUES ($1, $2, 'inbound', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16, $17, $18)
     ON CONFLICT DO NOTHING`,
    [
      data.inboundId,
      requestId,
      data.channel,
      data.partner,
      message.inReplyTo,
      message.messageId,
      data.unit,
      data.author.person,
      data.handlingCode,
      message.language,
      data.erased ? '' : step.text,
      requestId ? 'received' : 'unmatched',
      data.late,
      data.receivedAt,
      message.kind,
      step.ground ?? null,
      step.ground === undefined ? null : (step.partial ?? false),
      step.expectedBy ?? null,
    ],
  );
  if (requestId && message.kind === 'clarification_answer') {
    // The partner answered our question on its request: the question is closed, and the answer
    // points at it.
    await manager.query(
      `UPDATE replies SET closed_at = $2 WHERE request_id = $1 AND kind = 'clarification'
          AND direction = 'outbound' AND closed_at IS NULL`,
      [requestId, data.receivedAt],
    );
    await manager.query(
      `UPDATE replies SET clarification_of = (
          SELECT id FROM replies q WHERE q.request_id = $1 AND q.kind = 'clarification'
             AND q.direction = 'outbound' ORDER BY q.created_at DESC LIMIT 1)
        WHERE id = $2 AND clarification_of IS NULL`,
      [requestId, data.inboundId],
    );
  }
  return requestId ?? undefined;
}

/** The record with its personal data opened, or as it came when its key is gone (erased). */
async function openedRecord(
  manager: EntityManager,
  data: InboundRecorded,
): Promise<InboundRecorded & { erased: boolean }> {
  const vault = dataKeyVault();
  try {
    const opened = (await openPersonalData(TOPICS.inboundRecorded, data, (keyId) => {
      // Only find, never create: the intake's vault creates the keys of submissions.
      if (!(vault instanceof DataKeyVault))
        throw new Error('personal data in an event, but no data key vault is configured (DATA_KEY_MASTER)');
      return vault.find(manager, keyId);
    })) as InboundRecorded;
    return { ...opened, erased: false };
  } catch (error) {
    if (error instanceof PersonalDataErasedError) return { ...data, erased: true };
    throw error;
  }
}

/** What each kind says, in the columns of a message on a request. */
function stepFields(message: Exclude<PartnerMessage, { kind: 'request' | 'provision' }>): {
  text: string;
  ground?: string;
  partial?: boolean;
  expectedBy?: string;
} {
  const step: PartnerCaseStep = message;
  switch (step.kind) {
    case 'answer':
      return { text: step.text };
    case 'refusal':
      return { text: step.reason, ground: step.ground, partial: step.partial };
    case 'clarification':
      return { text: step.question };
    case 'clarification_answer':
      return { text: step.answer };
    case 'delay_notice':
      return { text: step.reason, expectedBy: step.expectedBy };
    case 'withdrawal':
      return { text: step.reason };
  }
}
