import type { EntityManager } from 'typeorm';
import { createEnvelope, EVENT_TYPES, TOPICS, type CaseMessageQueued } from '@ixr/messaging';
import { enqueueOutbox } from '@ixr/persistence';

export const INTAKE_SOURCE = 'ixr/intake-api';

/** An Idempotency-Key and the hash of what it was used for, kept with the row. */
export interface IdempotencyStamp {
  idempotencyKey?: string;
  bodyHash?: string;
}

/**
 * Stores one message on a request that IXR sends a partner — a reply, refusal, clarification
 * question or answer, delay notice, withdrawal — and queues the event that announces it, in the
 * caller's transaction (the outbox). The exchange log records it and only then releases it to the
 * adapters (SPEC §8: nothing leaves before its log entry is durable), which send it once (their
 * own ledger, `reply_sends`); the row is ended from their outcome event (`work/pipeline-records.ts`).
 */
export async function queueCaseMessage(
  manager: EntityManager,
  eventId: string,
  message: CaseMessageQueued,
  stamp: IdempotencyStamp = {},
): Promise<void> {
  await manager.query(
    `INSERT INTO replies (id, request_id, direction, channel, partner, in_reply_to, unit, author,
         handling_code, language, text, status, created_at, idempotency_key, body_hash,
         kind, ground, partial, expected_by, clarification_of, consent_reference)
       VALUES ($1, $2, 'outbound', $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $13,
               $14, $15, $16, $17, $18, $19)`,
    [
      message.replyId,
      message.requestId,
      message.channel,
      message.destination,
      message.inReplyTo,
      message.author.unit,
      message.author.person,
      message.handlingCode,
      message.language,
      message.text,
      message.at,
      stamp.idempotencyKey ?? null,
      stamp.bodyHash ?? null,
      message.kind,
      message.ground ?? null,
      message.ground === undefined ? null : (message.partial ?? false),
      message.expectedBy ?? null,
      message.clarificationOf ?? null,
      message.consentReference ?? null,
    ],
  );
  const envelope = createEnvelope({
    id: eventId,
    type: EVENT_TYPES[TOPICS.caseMessageQueued],
    source: INTAKE_SOURCE,
    time: message.at,
    subject: message.requestId,
    data: message,
  });
  await enqueueOutbox(manager, [
    { topic: TOPICS.caseMessageQueued, key: message.requestId, value: JSON.stringify(envelope) },
  ]);
}
