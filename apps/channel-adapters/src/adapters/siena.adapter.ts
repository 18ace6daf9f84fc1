import type { ChannelAdapter, DeliveryOrder, DeliveryReceipt, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
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

function toReply(order: ReplyOrder) {
  return {
    format: 'SIENA',
    recipient: order.destination,
    ...replyFields(order),
  };
}

export class SienaAdapter implements ChannelAdapter {
  readonly channel = 'siena' as const;

  constructor(private readonly http: PartnerHttpClient) {}

  deliver(order: DeliveryOrder): Promise<DeliveryReceipt> {
    return this.http.post(this.channel, order.destination, order.idempotencyKey, toMessage(order));
  }

  reply(order: ReplyOrder): Promise<DeliveryReceipt> {
    return this.http.post(this.channel, order.destination, order.idempotencyKey, toReply(order));
  }

  findReceipt(destination: string, idempotencyKey: string): Promise<DeliveryReceipt | undefined> {
    return this.http.find(this.channel, destination, idempotencyKey);
  }
}
