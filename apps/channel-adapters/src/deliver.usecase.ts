import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  createEnvelope,
  EVENT_TYPES,
  OutboxRelay,
  PermanentHandlerError,
  TOPICS,
  type DeliveryDispatched,
  type DeliveryOutcome,
  type EventEnvelope,
  type KafkaEventContext,
} from '@ixr/messaging';
import { DeliveryEntity, enqueueOutbox, markProcessed } from '@ixr/persistence';
import { Clock, IdGenerator } from '@ixr/platform';
import { AdapterRegistry } from './adapters/adapter.registry';
import { DeliveryRejectedError, type DeliveryReceipt } from './adapters/channel-adapter';

export const ADAPTERS_SOURCE = 'ixr/channel-adapters';
const CONSUMER = 'channel-adapters';

export class DeliveryPolicy {
  constructor(readonly maxAttempts: number) {}
}

/**
 * Delivers one dispatched route through its channel's adapter, then records the outcome and
 * queues the outcome event in one transaction. A delivery already completed is never sent again;
 * the partner also receives the delivery id as idempotency key, for a crash between send and commit.
 */
@Injectable()
export class DeliverUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly adapters: AdapterRegistry,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly policy: DeliveryPolicy,
  ) {}

  async execute(event: EventEnvelope<DeliveryDispatched>, ctx: KafkaEventContext): Promise<void> {
    const order = event.data;
    const deliveries = this.dataSource.getRepository(DeliveryEntity);
    const delivery = await deliveries.findOneBy({ id: order.deliveryId });
    if (!delivery) {
      throw new PermanentHandlerError(
        'DELIVERY.UNKNOWN',
        `delivery ${order.deliveryId} is not in the database`,
      );
    }
    if (delivery.status !== 'pending') return;

    let receipt: DeliveryReceipt;
    try {
      receipt = await this.adapters
        .get(order.channel)
        .deliver({ ...order, idempotencyKey: order.deliveryId });
    } catch (error) {
      const final = error instanceof DeliveryRejectedError || ctx.attempt >= this.policy.maxAttempts;
      if (!final) {
        await deliveries.update(
          { id: order.deliveryId },
          { attempts: ctx.attempt, lastError: (error as Error).message },
        );
        throw error;
      }
      await this.complete(event, {
        outcome: 'failed',
        error: (error as Error).message,
        attempts: ctx.attempt,
      });
      return;
    }
    await this.complete(event, {
      outcome: 'delivered',
      partnerReference: receipt.partnerReference,
      attempts: ctx.attempt,
    });
  }

  private async complete(
    event: EventEnvelope<DeliveryDispatched>,
    result: Pick<DeliveryOutcome, 'outcome' | 'partnerReference' | 'error' | 'attempts'>,
  ): Promise<void> {
    const order = event.data;
    const now = this.clock.now();
    const outcome: DeliveryOutcome = {
      deliveryId: order.deliveryId,
      requestId: order.requestId,
      channel: order.channel,
      destination: order.destination,
      at: now.toISOString(),
      ...result,
    };
    const envelope = createEnvelope({
      id: this.ids.uuid(),
      type: EVENT_TYPES[TOPICS.deliveryOutcome],
      source: ADAPTERS_SOURCE,
      time: now,
      subject: order.requestId,
      correlationId: event.correlationid,
      data: outcome,
    });
    const handled = await this.dataSource.transaction(async (manager) => {
      if (!(await markProcessed(manager, CONSUMER, event.id))) return false;
      await manager.update(
        DeliveryEntity,
        { id: order.deliveryId, status: 'pending' },
        {
          status: result.outcome,
          attempts: result.attempts,
          partnerReference: result.partnerReference ?? null,
          lastError: result.error ?? null,
          completedAt: now,
        },
      );
      await enqueueOutbox(manager, [
        { topic: TOPICS.deliveryOutcome, key: order.requestId, value: JSON.stringify(envelope) },
      ]);
      return true;
    });
    if (handled) this.relay.nudge();
  }
}
