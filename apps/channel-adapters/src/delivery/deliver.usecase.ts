import { TOPICS, type DeliveryDispatched, type EventEnvelope, type KafkaEventContext } from '@ixr/messaging';
import type { AdapterRegistry } from '../adapters/adapter.registry';
import type { DeliveryOrder } from '../adapters/channel-adapter';
import type { GuardedSend, SendJob } from './guarded-send';

/**
 * Delivers dispatched routes through their channels' adapters. The partner receives the delivery
 * id as idempotency key, and is asked for it before any second send (see GuardedSend), so a crash
 * between send and commit never makes it receive the request twice.
 */
export class DeliverUseCase {
  constructor(
    private readonly adapters: AdapterRegistry,
    private readonly sender: GuardedSend,
  ) {}

  /** A batch of one partition; throws BatchItemErrors for the deliveries the transport must retry. */
  execute(events: readonly EventEnvelope<DeliveryDispatched>[], ctx: KafkaEventContext): Promise<void> {
    return this.sender.runBatch(
      events.map((event) => this.job(event)),
      ctx,
    );
  }

  private job(event: EventEnvelope<DeliveryDispatched>): SendJob {
    const order: DeliveryOrder = { ...event.data, idempotencyKey: event.data.deliveryId };
    const adapter = this.adapters.get(order.channel);
    const findReceipt = adapter.findReceipt?.bind(adapter);
    return {
      id: order.deliveryId,
      requestId: order.requestId,
      channel: order.channel,
      destination: order.destination,
      event,
      topic: TOPICS.deliveryDispatched,
      send: () => adapter.deliver(order),
      lookup: findReceipt && (() => findReceipt(order.destination, order.idempotencyKey)),
    };
  }
}
