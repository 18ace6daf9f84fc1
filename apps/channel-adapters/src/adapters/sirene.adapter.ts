import type { ChannelAdapter, DeliveryOrder, DeliveryReceipt, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
import type { PartnerHttpClient } from './partner-http.client';

/** SIRENE supplementary information on a Schengen alert; the SIS reference and article travel with it. */
function toMessage(order: DeliveryOrder) {
  return {
    format: 'SIRENE',
    toBureau: order.destination,
    sisAlert: order.body.sisAlert ?? null,
    ...commonFields(order),
    content: requestContent(order),
  };
}

function toReply(order: ReplyOrder) {
  return {
    format: 'SIRENE',
    toBureau: order.destination,
    ...replyFields(order),
  };
}

export class SireneAdapter implements ChannelAdapter {
  readonly channel = 'sirene' as const;

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
