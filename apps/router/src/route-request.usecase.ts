import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RoutingInput } from '@ixr/domain';
import {
  createEnvelope,
  EVENT_TYPES,
  OutboxRelay,
  PermanentHandlerError,
  TOPICS,
  type EventEnvelope,
  type OutgoingMessage,
  type PlannedDelivery,
  type RequestReceived,
  type RequestRouted,
} from '@ixr/messaging';
import { DeliveryEntity, enqueueOutbox, markProcessed, RequestEntity } from '@ixr/persistence';
import { Clock, IdGenerator } from '@ixr/platform';
import { deadlineMilestones } from '@ixr/routing';

export const ROUTER_SOURCE = 'ixr/router';
const CONSUMER = 'router';

/** What the router needs of the routing policy: a decision and the inputs that produced it. */
export interface RoutingPolicy {
  decide(
    input: RoutingInput,
    now: Date,
  ): Promise<Pick<RequestRouted, 'decision' | 'rulesetHash' | 'directoryVersion' | 'channelHealth'>>;
}
export const ROUTING_POLICY = Symbol('ROUTING_POLICY');

/**
 * Decides the routes of a received request and, in one transaction, stores the decision and the
 * planned deliveries and queues the `routed` event. The exchange log records it and then releases
 * each delivery to its adapter. Handling the same event twice changes nothing (processed-event
 * record in the same transaction).
 */
@Injectable()
export class RouteRequestUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Inject(ROUTING_POLICY) private readonly policy: RoutingPolicy,
  ) {}

  async execute(event: EventEnvelope<RequestReceived>): Promise<void> {
    const { requestId, body, actor, receivedAt } = event.data;
    const now = this.clock.now();
    const input: RoutingInput = {
      requestId,
      direction: 'outbound',
      requestingUnit: actor.unit,
      receivedAt,
      body,
    };
    const { decision, rulesetHash, directoryVersion, channelHealth } = await this.policy.decide(input, now);

    const planned: PlannedDelivery[] = decision.routes.map((route) => ({
      deliveryId: this.ids.uuid(),
      channel: route.channel,
      destination: route.destination,
      role: route.role,
      ruleId: route.ruleId,
    }));
    const routed: RequestRouted = {
      requestId,
      decision,
      rulesetHash,
      directoryVersion,
      channelHealth,
      input: { receivedEventId: event.id, actor, receivedAt, body },
      deliveries: planned,
    };
    const deliveries = planned.map((p) =>
      Object.assign(new DeliveryEntity(), {
        id: p.deliveryId,
        requestId,
        channel: p.channel,
        destination: p.destination,
        role: p.role,
        ruleId: p.ruleId,
        status: 'pending',
        attempts: 0,
        partnerReference: null,
        lastError: null,
        dispatchedAt: now,
        completedAt: null,
      } satisfies DeliveryEntity),
    );

    const handled = await this.dataSource.transaction(async (manager) => {
      if (!(await markProcessed(manager, CONSUMER, event.id))) return false;
      const updated = await manager.update(
        RequestEntity,
        { id: requestId },
        {
          decision,
          status: 'routed',
          routedAt: now,
          deadlineAt: decision.deadline.at ? new Date(decision.deadline.at) : null,
          deadlineBasis: decision.deadline.basis,
        },
      );
      if (updated.affected !== 1) {
        throw new PermanentHandlerError(
          'ROUTING.UNKNOWN_REQUEST',
          `request ${requestId} is not in the database`,
        );
      }
      if (deliveries.length > 0) await manager.insert(DeliveryEntity, deliveries);
      // The deadline monitor works from these rows, so warnings survive restarts.
      const milestones = deadlineMilestones(decision.deadline, receivedAt);
      if (milestones.length > 0) {
        await manager.query(
          `INSERT INTO deadline_milestones (request_id, milestone, due_at)
           SELECT $1, m, d FROM unnest($2::text[], $3::timestamptz[]) AS t(m, d) ON CONFLICT DO NOTHING`,
          [requestId, milestones.map((m) => m.milestone), milestones.map((m) => m.at)],
        );
      }
      await enqueueOutbox(manager, [this.routedMessage(event, routed, now)]);
      return true;
    });
    if (handled) this.relay.nudge();
  }

  private routedMessage(cause: EventEnvelope, data: RequestRouted, now: Date): OutgoingMessage {
    const envelope = createEnvelope({
      id: this.ids.uuid(),
      type: EVENT_TYPES[TOPICS.requestRouted],
      source: ROUTER_SOURCE,
      time: now,
      subject: data.requestId,
      correlationId: cause.correlationid,
      data,
    });
    return { topic: TOPICS.requestRouted, key: data.requestId, value: JSON.stringify(envelope) };
  }
}
