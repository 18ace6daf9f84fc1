import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  createEnvelope,
  EVENT_TYPES,
  OutboxRelay,
  TOPICS,
  type CaseMessageQueued,
  type DeliveryDispatched,
  type EventEnvelope,
  type ReplyDispatched,
  type RequestRouted,
} from '@ixr/messaging';
import { enqueueOutbox } from '@ixr/persistence';
import { dispatchEventId, type AppendedEntry } from '@ixr/exchange-log-store';

export const LOG_SOURCE = 'ixr/exchange-log';

/**
 * Releases a delivery to its adapter by queueing its `dispatched` event in the transaction that
 * appends its `dispatched` entry (issue: nothing goes out before it is logged). When the log
 * writer is down, deliveries wait; they resume when it is back.
 */
@Injectable()
export class DispatchReleaser {
  constructor(private readonly relay: OutboxRelay) {}

  async release(
    manager: EntityManager,
    events: EventEnvelope<RequestRouted>[],
    appended: AppendedEntry[],
  ): Promise<void> {
    const seqOf = new Map(appended.map((a) => [a.facts.eventId, a.seq]));
    const messages = events.flatMap((event) =>
      event.data.deliveries.flatMap((delivery) => {
        const id = dispatchEventId(event.id, delivery.deliveryId);
        const logSeq = seqOf.get(id);
        if (logSeq === undefined) return []; // logged and released before: a redelivered event
        const { decision, input } = event.data;
        const data: DeliveryDispatched = {
          ...delivery,
          logSeq,
          requestId: event.data.requestId,
          rulesetVersion: decision.rulesetVersion,
          handlingCode: input.body.handlingCode,
          urgent: input.body.urgency.urgent,
          deadlineAt: decision.deadline.at,
          body: input.body,
        };
        const envelope = createEnvelope({
          id,
          type: EVENT_TYPES[TOPICS.deliveryDispatched],
          source: LOG_SOURCE,
          time: decision.decidedAt,
          subject: event.data.requestId,
          correlationId: event.correlationid,
          data,
        });
        return [
          { topic: TOPICS.deliveryDispatched, key: event.data.requestId, value: JSON.stringify(envelope) },
        ];
      }),
    );
    await enqueueOutbox(manager, messages);
  }

  /**
   * Releases each message on a request (a reply, refusal, clarification, delay notice, withdrawal)
   * in the transaction that appends its entry, as deliveries are: nothing reaches a partner before
   * it is logged. A redelivered event finds its entry recorded and releases nothing again.
   */
  async releaseCaseMessages(
    manager: EntityManager,
    events: EventEnvelope<CaseMessageQueued>[],
    appended: AppendedEntry[],
  ): Promise<void> {
    const seqOf = new Map(appended.map((a) => [a.facts.eventId, a.seq]));
    const messages = events.flatMap((event) => {
      const logSeq = seqOf.get(event.id);
      if (logSeq === undefined) return [];
      const data: ReplyDispatched = { ...event.data, logSeq };
      const envelope = createEnvelope({
        id: `${event.id}/release`,
        type: EVENT_TYPES[TOPICS.replyDispatched],
        source: LOG_SOURCE,
        time: event.data.at,
        subject: event.data.requestId,
        correlationId: event.correlationid,
        data,
      });
      return [{ topic: TOPICS.replyDispatched, key: event.data.requestId, value: JSON.stringify(envelope) }];
    });
    await enqueueOutbox(manager, messages);
  }

  nudge(): void {
    this.relay.nudge();
  }
}
