import type { ChannelAdapter, DeliveryOrder, DeliveryReceipt, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
import type { PartnerHttpClient } from './partner-http.client';

/** Police and customs cooperation centre: the destination names the centre (e.g. Tournai). */
function toMessage(order: DeliveryOrder) {
  return {
    format: 'PCCC',
    centre: order.destination,
    ...commonFields(order),
    content: requestContent(order),
  };
}

function toReply(order: ReplyOrder) {
  return {
    format: 'PCCC',
    centre: order.destination,
    ...replyFields(order),
  };
}

export class PcccAdapter implements ChannelAdapter {
  readonly channel = 'pccc' as const;

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
