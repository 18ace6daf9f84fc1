import {
  createEnvelope,
  EVENT_TYPES,
  TOPICS,
  type AuditRecorded,
  type OutgoingMessage,
} from '@ixr/messaging';

export const INBOUND_SOURCE = 'ixr/router';

/** The foreign partner as the log names an actor: a partner is not a person of ours. */
export function partnerActor(channel: string, country: string): AuditRecorded['actor'] {
  return { person: `partner:${channel}/${country}`, unit: `${channel}/${country}`, role: 'partner' };
}

export const ROUTER_ACTOR: AuditRecorded['actor'] = { person: 'system:router', unit: 'IXR', role: 'system' };

/**
 * One exchange-log entry of an inbound step (SPEC §5), queued in the outbox of the transaction that
 * makes the step: the step and its record commit together.
 */
export function inboundLogMessage(
  entry: Omit<AuditRecorded, 'details'> & { details: Record<string, unknown> },
  ids: { uuid(): string },
  correlationId: string,
): OutgoingMessage {
  const envelope = createEnvelope({
    id: ids.uuid(),
    type: EVENT_TYPES[TOPICS.auditRecorded],
    source: INBOUND_SOURCE,
    time: entry.at,
    subject: entry.requestId ?? `inbound/${correlationId}`,
    correlationId,
    data: entry,
  });
  return { topic: TOPICS.auditRecorded, key: envelope.subject, value: JSON.stringify(envelope) };
}
