import type { Channel } from '@ixr/domain';
import type { ChannelAdapter, DeliveryOrder, DeliveryReceipt, ReplyOrder } from './channel-adapter';
import type { PartnerHttpClient } from './partner-http.client';

/**
 * What every foreign partner's adapter does the same way: send over the partner HTTP client and ask
 * the partner whether it already holds a message. Each channel supplies only its envelopes.
 */
export abstract class PartnerAdapter implements ChannelAdapter {
  abstract readonly channel: Channel;
  protected abstract toMessage(order: DeliveryOrder): unknown;
  protected abstract toReply(order: ReplyOrder): unknown;

  constructor(private readonly http: PartnerHttpClient) {}

  deliver(order: DeliveryOrder): Promise<DeliveryReceipt> {
    return this.http.post(this.channel, order.destination, order.idempotencyKey, this.toMessage(order));
  }

  reply(order: ReplyOrder): Promise<DeliveryReceipt> {
    return this.http.post(this.channel, order.destination, order.idempotencyKey, this.toReply(order));
  }

  findReceipt(destination: string, idempotencyKey: string): Promise<DeliveryReceipt | undefined> {
    return this.http.find(this.channel, destination, idempotencyKey);
  }
}
