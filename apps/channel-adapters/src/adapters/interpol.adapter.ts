import type { ChannelAdapter, DeliveryOrder, DeliveryReceipt, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
import type { PartnerHttpClient } from './partner-http.client';

/** Interpol I-24/7 message to the National Central Bureau of the destination country. */
function toMessage(order: DeliveryOrder) {
  return {
    format: 'I-24/7',
    messageType: 'message',
    toNcb: order.destination,
    priority: order.urgent ? 'urgent' : 'routine',
    ...commonFields(order),
    content: requestContent(order),
  };
}

function toReply(order: ReplyOrder) {
  return {
    format: 'I-24/7',
    messageType: 'reply',
    toNcb: order.destination,
    ...replyFields(order),
  };
}

export class InterpolAdapter implements ChannelAdapter {
  readonly channel = 'interpol' as const;

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
