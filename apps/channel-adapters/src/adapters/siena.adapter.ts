import type { ChannelAdapter, DeliveryOrder, DeliveryReceipt } from './channel-adapter';
import { commonFields, requestContent } from './message-fields';
import type { PartnerHttpClient } from './partner-http.client';

/** SIENA: case-based message to a member state's Europol National Unit, handling code carried (DOMAIN.md). */
function toMessage(order: DeliveryOrder) {
  return {
    format: 'SIENA',
    recipient: order.destination,
    priority: order.urgent ? 'urgent' : 'normal',
    ...commonFields(order),
    content: requestContent(order),
  };
}

export class SienaAdapter implements ChannelAdapter {
  readonly channel = 'siena' as const;

  constructor(private readonly http: PartnerHttpClient) {}

  deliver(order: DeliveryOrder): Promise<DeliveryReceipt> {
    return this.http.post(this.channel, order.destination, order.idempotencyKey, toMessage(order));
  }
}
