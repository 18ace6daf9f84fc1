import type {
  AuditRecorded,
  DeadlineReached,
  DeliveryOutcome,
  EventEnvelope,
  RequestReceived,
  RequestRouted,
} from '@ixr/messaging';

export const ENTRY_KINDS = [
  'received',
  'validated',
  'routed',
  'dispatched',
  'delivered',
  'failed',
  'responded',
  'escalated',
  'consulted',
  'exported',
  'directory_changed',
  'ruleset_changed',
  'denied',
  'redriven',
  'reviewed',
  'erased',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

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
