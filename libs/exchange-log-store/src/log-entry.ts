import { CASE_LOG_KINDS, type LogEntryKind } from '@ixr/domain';
import type {
  AuditRecorded,
  CaseMessageQueued,
  DeadlineReached,
  DeliveryOutcome,
  EventEnvelope,
  RequestReceived,
  RequestRouted,
} from '@ixr/messaging';

/** An entry's kind: one of the one list (`LOG_ENTRY_KINDS`, @ixr/domain). */
export type EntryKind = LogEntryKind;

/**
 * What Directive 2016/680 Art 25 asks of a log line: who (person, unit, role), why, when (UTC),
 * to whom, about which request, over which channel, under which rule-set version.
 */
export interface EntryFacts {
  kind: EntryKind;
  eventId: string;
  requestId: string | null;
  time: string;
  actor: { person: string; unit: string; role: string };
  justification: string;
  recipients: string[];
  channel: string | null;
  rulesetVersion: string | null;
  details: Record<string, unknown>;
}

/** The hashed entry: the facts plus their place in the chain. */
export interface LogEntry extends EntryFacts {
  seq: number;
  prevLeafHash: string;
}

const SYSTEM_UNIT = 'IXR';
const ROUTER = { person: 'system:router', unit: SYSTEM_UNIT, role: 'system' };

/** The `received` entry: the submission, with the body kept as the recorded input for replay. */
export function receivedFacts(eventId: string, data: RequestReceived): EntryFacts {
  return {
    kind: 'received',
    eventId,
    requestId: data.requestId,
    time: data.receivedAt,
    actor: { person: data.actor.person, unit: data.actor.unit, role: data.actor.role },
    justification: data.body.justification,
    recipients: data.body.targetCountries,
    channel: null,
    rulesetVersion: null,
    details: { body: data.body, actorLevel: data.actor.level ?? null },
  };
}

/**
 * The entries of a routing decision, in causal order: the `received` entry (recorded here too, so
 * that it precedes the decision even if the received event is still on its way; the event id
 * makes it count once), the `routed` entry, then one `dispatched` entry per planned delivery.
 */
export function routedFacts(event: EventEnvelope<RequestRouted>): {
  all: EntryFacts[];
  dispatched: EntryFacts[];
} {
  const data = event.data;
  const received = receivedFacts(data.input.receivedEventId, {
    requestId: data.requestId,
    actor: data.input.actor,
    receivedAt: data.input.receivedAt,
    body: data.input.body,
  });
  const routed: EntryFacts = {
    kind: 'routed',
    eventId: event.id,
    requestId: data.requestId,
    time: data.decision.decidedAt,
    actor: ROUTER,
    justification: `routing decision under rule set ${data.decision.rulesetVersion} (Directive 2023/977)`,
    recipients: data.decision.routes.map((r) => `${r.channel}:${r.destination}`),
    channel: null,
    rulesetVersion: data.decision.rulesetVersion,
    details: {
      decision: data.decision,
      rulesetHash: data.rulesetHash,
      directoryVersion: data.directoryVersion,
      channelHealth: data.channelHealth,
      requestingUnit: data.input.actor.unit,
    },
  };
  const dispatched = data.deliveries.map((d): EntryFacts => ({
    kind: 'dispatched',
    eventId: dispatchEventId(event.id, d.deliveryId),
    requestId: data.requestId,
    time: data.decision.decidedAt,
    actor: ROUTER,
    justification: `${d.role} route by rule ${d.ruleId}`,
    recipients: [d.destination],
    channel: d.channel,
    rulesetVersion: data.decision.rulesetVersion,
    details: {
      deliveryId: d.deliveryId,
      role: d.role,
      ruleId: d.ruleId,
      handlingCode: data.input.body.handlingCode,
    },
  }));
  return { all: [received, routed, ...dispatched], dispatched };
}

/** Deterministic, so that a redelivered routed event releases each delivery once. */
export function dispatchEventId(routedEventId: string, deliveryId: string): string {
  return `${routedEventId}/dispatch/${deliveryId}`;
}

export function outcomeFacts(event: EventEnvelope<DeliveryOutcome>): EntryFacts {
  const data = event.data;
  return {
    kind: data.outcome,
    eventId: event.id,
    requestId: data.requestId,
    time: data.at,
    actor: { person: 'system:channel-adapters', unit: SYSTEM_UNIT, role: 'adapter' },
    justification:
      data.outcome === 'delivered'
        ? 'delivery acknowledged by the partner'
        : data.outcome === 'cancelled'
          ? 'delivery cancelled: the request was withdrawn before it was made'
          : `delivery failed: ${data.error ?? 'unknown'}`,
    recipients: [data.destination],
    channel: data.channel,
    rulesetVersion: null,
    details: {
      deliveryId: data.deliveryId,
      attempts: data.attempts,
      partnerReference: data.partnerReference ?? null,
      error: data.error ?? null,
    },
  };
}

/**
 * A message on a request that IXR sends a partner (a reply, refusal, clarification, delay notice,
 * withdrawal): recorded with its author, recipient and what it says of the case, before it leaves.
 * The text itself is kept out of the log where it is personal data (an answer's content); a
 * refusal's ground, a delay's expected date and the reason given are the case's record.
 */
export function caseMessageFacts(event: EventEnvelope<CaseMessageQueued>): EntryFacts {
  const data = event.data;
  return {
    kind: CASE_LOG_KINDS[data.kind],
    eventId: event.id,
    requestId: data.requestId,
    time: data.at,
    actor: { person: data.author.person, unit: data.author.unit, role: data.author.role },
    justification: caseJustification(data),
    recipients: [`${data.channel}:${data.destination}`],
    channel: data.channel,
    rulesetVersion: null,
    details: {
      direction: 'outbound',
      kind: data.kind,
      replyId: data.replyId,
      inReplyTo: data.inReplyTo,
      handlingCode: data.handlingCode,
      language: data.language,
      ...(data.ground !== undefined && { ground: data.ground, partial: data.partial ?? false }),
      ...(data.expectedBy !== undefined && { expectedBy: data.expectedBy }),
      ...(data.clarificationOf !== undefined && { clarificationOf: data.clarificationOf }),
      ...(data.consentReference !== undefined && { consentReference: data.consentReference }),
    },
  };
}

function caseJustification(data: CaseMessageQueued): string {
  const to = `${data.channel}/${data.destination}`;
  switch (data.kind) {
    case 'answer':
      return `reply to the request of ${to} (message ${data.inReplyTo})`;
    case 'refusal':
      return `${data.partial ? 'partial ' : ''}refusal to ${to} on ground ${data.ground ?? '?'} (Directive 2023/977 Art 6(1))`;
    case 'clarification':
      return `clarification asked of ${to} (Directive 2023/977 Art 6(3))`;
    case 'clarification_answer':
      return `clarification given to ${to}`;
    case 'delay_notice':
      return `${to} told that judicial authorisation delays the answer until ${data.expectedBy ?? '?'} (Directive 2023/977 Art 5(2))`;
    case 'withdrawal':
      return `${to} told that the request is withdrawn`;
    case 'onward_transfer':
      return `information received passed on to ${to} with the originator's consent ${data.consentReference ?? '?'} (Directive 2023/977 Art 12)`;
  }
}

/** Consultations, exports, rule-set and directory changes, denials: as the acting service reported them. */
export function auditFacts(event: EventEnvelope<AuditRecorded>): EntryFacts {
  const data = event.data;
  return {
    kind: data.kind,
    eventId: event.id,
    requestId: data.requestId,
    time: data.at,
    actor: { person: data.actor.person, unit: data.actor.unit, role: data.actor.role },
    justification: data.justification,
    recipients: data.recipients,
    channel: data.channel,
    rulesetVersion: data.rulesetVersion,
    details: data.details,
  };
}

/**
 * A breached deadline is an escalation (SPEC §4.2): recorded with the units told. Warnings are
 * notifications, not exchange steps, and are not logged.
 */
export function escalationFacts(event: EventEnvelope<DeadlineReached>): EntryFacts | undefined {
  const data = event.data;
  if (data.milestone !== 'breach') return undefined;
  return {
    kind: 'escalated',
    eventId: event.id,
    requestId: data.requestId,
    time: data.dueAt,
    actor: { person: 'system:deadline-monitor', unit: SYSTEM_UNIT, role: 'system' },
    justification: `reply deadline (${data.deadlineBasis}) passed at ${data.deadlineAt} (Directive 2023/977 Art 5)`,
    recipients: data.notify,
    channel: null,
    rulesetVersion: null,
    details: { deadlineAt: data.deadlineAt, basis: data.deadlineBasis },
  };
}
