import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '@ixr/domain';
import {
  createEnvelope,
  EVENT_TYPES,
  OutboxRelay,
  TOPICS,
  type AuditRecorded,
  type OutgoingMessage,
} from '@ixr/messaging';
import { enqueueOutbox } from '@ixr/persistence';
import { Clock, IdGenerator } from '@ixr/platform';

export type AuditFacts = Omit<
  AuditRecorded,
  'at' | 'actor' | 'recipients' | 'channel' | 'rulesetVersion' | 'details'
> &
  Partial<Pick<AuditRecorded, 'recipients' | 'channel' | 'rulesetVersion' | 'details'>>;

/** The outbox message announcing one audited step (shared with the audit CLI, which has no relay). */
export function auditMessage(
  actor: Actor,
  facts: AuditFacts,
  now: Date,
  id: string,
  source = 'ixr/intake-api',
): OutgoingMessage {
  const data: AuditRecorded = {
    recipients: [],
    channel: null,
    rulesetVersion: null,
    details: {},
    ...facts,
    actor,
    at: now.toISOString(),
  };
  const envelope = createEnvelope({
    id,
    type: EVENT_TYPES[TOPICS.auditRecorded],
    source,
    time: now,
    subject: facts.requestId ?? `audit/${facts.kind}`,
    data,
  });
  return { topic: TOPICS.auditRecorded, key: envelope.subject, value: JSON.stringify(envelope) };
}

/**
 * Queues an exchange-log entry for a step that is not a pipeline hop (a consultation, an export,
 * a rule-set or directory change, a denial) in the caller's transaction: the step and its record
 * commit together.
 */
@Injectable()
export class AuditRecorder {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async record(manager: EntityManager, actor: Actor, facts: AuditFacts): Promise<void> {
    await enqueueOutbox(manager, [auditMessage(actor, facts, this.clock.now(), this.ids.uuid())]);
  }

  /** After the caller's transaction committed. */
  nudge(): void {
    this.relay.nudge();
  }
}
