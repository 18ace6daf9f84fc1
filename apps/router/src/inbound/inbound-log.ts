import {
  createEnvelope,
  EVENT_TYPES,
  TOPICS,
  type AuditRecorded,
  type InboundReceived,
  type InboundRecorded,
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

/**
 * The router's record of a partner message (a new request with its decision, an answer or a case
 * step placed on a request), queued in the transaction that handles it: the intake, which alone
 * writes `requests` and `replies`, stores it from this event.
 */
export function inboundRecordedMessage(
  data: InboundRecorded,
  ids: { uuid(): string },
  correlationId: string,
): OutgoingMessage {
  const subject = data.attachedTo ?? data.inboundId;
  const envelope = createEnvelope({
    id: ids.uuid(),
    type: EVENT_TYPES[TOPICS.inboundRecorded],
    source: INBOUND_SOURCE,
    time: data.recordedAt,
    subject,
    correlationId,
    data,
  });
  return { topic: TOPICS.inboundRecorded, key: subject, value: JSON.stringify(envelope) };
}

/** The fields of a partner's message as it came, for its `inboundRecorded` event. */
export function asReceived(
  data: InboundReceived,
  sender: string,
): Pick<
  InboundRecorded,
  'inboundId' | 'channel' | 'partner' | 'originCountry' | 'receivedAt' | 'message' | 'requestId'
> {
  return {
    inboundId: data.inboundId,
    channel: data.channel,
    partner: sender,
    ...(data.originCountry !== undefined && { originCountry: data.originCountry }),
    receivedAt: data.receivedAt,
    message: data.message,
    ...(data.requestId !== undefined && { requestId: data.requestId }),
  };
}
