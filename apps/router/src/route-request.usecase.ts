import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { RoutingInput } from '@ixr/domain';
import {
  handleInGroups,
  createEnvelope,
  EVENT_TYPES,
  OutboxRelay,
  PermanentHandlerError,
  TOPICS,
  type EventEnvelope,
  type KafkaEventContext,
  type OutgoingMessage,
  type RequestReceived,
  type RequestRouted,
} from '@ixr/messaging';
import { enqueueOutbox } from '@ixr/persistence';
import { Clock, IdGenerator } from '@ixr/platform';
import { deadlineMilestones } from '@ixr/routing';
import { RoutedRequestStore, type RouteMark, type RoutedRequest } from './routed-requests.store';

export const ROUTER_SOURCE = 'ixr/router';
export const ROUTER_LOGGER = Symbol('ROUTER_LOGGER');

/**
 * Events written in one transaction at most: bounds its locks and statement sizes when a backlog
 * arrives as one large Kafka batch (the rest follow in further transactions).
 */
export const MAX_ROUTING_GROUP = 250;

/** What the router needs of the routing policy: a decision and the inputs that produced it. */
export interface RoutingPolicy {
  decide(
    input: RoutingInput,
    now: Date,
  ): Promise<Pick<RequestRouted, 'decision' | 'rulesetHash' | 'directoryVersion' | 'channelHealth'>>;
}
export const ROUTING_POLICY = Symbol('ROUTING_POLICY');

/** A received event with its decision made, not yet stored. */
interface Decided {
  index: number;
  event: EventEnvelope<RequestReceived>;
  routed: RequestRouted;
  record: RoutedRequest;
}

/**
 * Decides the routes of received requests, a Kafka batch at a time: each decision in memory, then
 * in one transaction for the batch the processed-event records, the decisions, the planned
 * deliveries, the deadline milestones and the `routed` events. The exchange log records each and
 * then releases each delivery to its adapter.
 *
 * Handling an event twice changes nothing (its processed-event record), and a request is routed
 * once whatever the events that name it. An event that fails (its decision cannot be made, its
 * request is unknown) is reported alone (BatchItemErrors) with nothing of it written: the
 * transport retries or dead-letters it, never the events of the batch that were routed.
 */
@Injectable()
export class RouteRequestUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly store: RoutedRequestStore,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Inject(ROUTING_POLICY) private readonly policy: RoutingPolicy,
    @Inject(ROUTER_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Throws BatchItemErrors naming the events the transport must act on; any other error (the
   * database away) concerns the whole batch and is safe to retry: what was committed is found done.
   */
  execute(events: readonly EventEnvelope<RequestReceived>[], ctx?: KafkaEventContext): Promise<void> {
    return handleInGroups(events, MAX_ROUTING_GROUP, ctx?.heartbeat, (group) => this.routeGroup(group));
  }

  private async routeGroup(events: readonly EventEnvelope<RequestReceived>[]): Promise<Map<number, unknown>> {
    const errors = new Map<number, unknown>();
    const now = this.clock.now();
    const decided: Decided[] = [];
    const seen = new Set<string>();
    for (const [index, event] of events.entries()) {
      // The same event twice in one batch (a redelivery next to a retry) is handled once.
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      try {
        decided.push(await this.decide(index, event, now));
      } catch (error) {
        errors.set(index, error);
      }
    }
    if (decided.length === 0) return errors;

    const marks = await this.dataSource.transaction(async (manager) => {
      const fresh = await this.store.claimEvents(
        manager,
        decided.map((d) => d.event.id),
      );
      const candidates = decided.filter((d) => fresh.has(d.event.id));
      // One routing per request: the first event naming it; the others find it routed.
      const first = new Map<string, Decided>();
      for (const d of candidates) if (!first.has(requestKey(d))) first.set(requestKey(d), d);
      const byRequest = await this.store.markRouted(
        manager,
        [...first.values()].map((d) => d.record),
        now,
      );
      const markOf = (d: Decided): RouteMark => {
        const chosen = first.get(requestKey(d))!;
        const mark = byRequest.get(chosen.routed.requestId) ?? 'unknown';
        return mark === 'routed' && chosen !== d ? 'routed-already' : mark;
      };
      const outcome = candidates.map((d) => ({ d, mark: markOf(d) }));
      const routed = outcome.filter((o) => o.mark === 'routed').map((o) => o.d);
      await this.store.releaseEvents(
        manager,
        outcome.filter((o) => o.mark === 'unknown').map((o) => o.d.event.id),
      );
      await this.store.insertDeliveries(
        manager,
        routed.map((d) => d.record),
        now,
      );
      await this.store.insertMilestones(
        manager,
        routed.map((d) => d.record),
      );
      await enqueueOutbox(
        manager,
        routed.map((d) => this.routedMessage(d.event, d.routed, now)),
      );
      return outcome;
    });

    for (const { d, mark } of marks) {
      if (mark === 'unknown') {
        errors.set(
          d.index,
          new PermanentHandlerError(
            'ROUTING.UNKNOWN_REQUEST',
            `request ${d.routed.requestId} is not in the database`,
          ),
        );
      } else if (mark === 'routed-already') {
        this.logger.warn(
          { requestId: d.routed.requestId, eventId: d.event.id },
          'request already routed; this received event changes nothing',
        );
      }
    }
    if (marks.some((o) => o.mark === 'routed')) this.relay.nudge();
    return errors;
  }

  /** The decision for one event, and everything stored of it; throws when it cannot be made. */
  private async decide(index: number, event: EventEnvelope<RequestReceived>, now: Date): Promise<Decided> {
    const { requestId, body, actor, receivedAt } = event.data;
    const input: RoutingInput = {
      requestId,
      direction: 'outbound',
      requestingUnit: actor.unit,
      receivedAt,
      body,
    };
    const { decision, rulesetHash, directoryVersion, channelHealth } = await this.policy.decide(input, now);
    const deliveries = decision.routes.map((route) => ({
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
      deliveries,
    };
    const milestones = deadlineMilestones(decision.deadline, receivedAt);
    const record = {
      requestId,
      requestingUnit: actor.unit,
      handlingCode: body.handlingCode,
      decision,
      deliveries,
      milestones,
    };
    return { index, event, routed, record };
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

/** Request ids are uuids, which PostgreSQL compares without regard to case. */
function requestKey(d: Decided): string {
  return d.routed.requestId.toLowerCase();
}
