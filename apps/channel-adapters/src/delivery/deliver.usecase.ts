import { TOPICS, type DeliveryDispatched, type EventEnvelope, type KafkaEventContext } from '@ixr/messaging';
import type { AdapterRegistry } from '../adapters/adapter.registry';
import type { DeliveryOrder } from '../adapters/channel-adapter';
import type { GuardedSend } from './guarded-send';

/**
 * Delivers one dispatched route through its channel's adapter. The partner receives the delivery
 * id as idempotency key, and is asked for it before any second send (see GuardedSend), so a crash
 * between send and commit never makes it receive the request twice.
 */
export class DeliverUseCase {
  constructor(
    private readonly adapters: AdapterRegistry,
    private readonly sender: GuardedSend,
  ) {}

  execute(event: EventEnvelope<DeliveryDispatched>, ctx: KafkaEventContext): Promise<void> {
    const order: DeliveryOrder = { ...event.data, idempotencyKey: event.data.deliveryId };
    const adapter = this.adapters.get(order.channel);
    const findReceipt = adapter.findReceipt?.bind(adapter);
    return this.sender.run(
      {
        id: order.deliveryId,
        requestId: order.requestId,
        channel: order.channel,
        destination: order.destination,
        event,
        topic: TOPICS.deliveryDispatched,
        send: () => adapter.deliver(order),
        lookup: findReceipt && (() => findReceipt(order.destination, order.idempotencyKey)),
      },
      ctx,
    );
  }
}
