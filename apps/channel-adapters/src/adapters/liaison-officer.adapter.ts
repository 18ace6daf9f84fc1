import type { ChannelAdapter, DeliveryOrder, DeliveryReceipt, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
import type { PartnerHttpClient } from './partner-http.client';

/** A Belgian liaison officer posted abroad, reached at the post named by the destination. */
function toMessage(order: DeliveryOrder) {
  return {
    format: 'LIAISON',
    post: order.destination,
    ...commonFields(order),
    content: requestContent(order),
  };
}

function toReply(order: ReplyOrder) {
  return {
    format: 'LIAISON',
    post: order.destination,
    ...replyFields(order),
  };
}

export class LiaisonOfficerAdapter implements ChannelAdapter {
  readonly channel = 'liaison_officer' as const;

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
