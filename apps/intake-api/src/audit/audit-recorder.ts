import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '@ixr/domain';
import { createEnvelope, EVENT_TYPES, OutboxRelay, TOPICS, type AuditRecorded } from '@ixr/messaging';
import { enqueueOutbox } from '@ixr/persistence';
import { Clock, IdGenerator } from '@ixr/platform';

export type AuditFacts = Omit<
  AuditRecorded,
  'at' | 'actor' | 'recipients' | 'channel' | 'rulesetVersion' | 'details'
> &
  Partial<Pick<AuditRecorded, 'recipients' | 'channel' | 'rulesetVersion' | 'details'>>;

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
    const now = this.clock.now();
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
      id: this.ids.uuid(),
      type: EVENT_TYPES[TOPICS.auditRecorded],
      source: 'ixr/intake-api',
      time: now,
      subject: facts.requestId ?? `audit/${facts.kind}`,
      data,
    });
    await enqueueOutbox(manager, [
      { topic: TOPICS.auditRecorded, key: envelope.subject, value: JSON.stringify(envelope) },
    ]);
  }

  /** After the caller's transaction committed. */
  nudge(): void {
    this.relay.nudge();
  }
}
