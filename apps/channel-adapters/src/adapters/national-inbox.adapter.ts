import type { DataSource } from 'typeorm';
import type { Channel } from '@ixr/domain';
import { UnitInboxItemEntity } from '@ixr/persistence';
import type { Clock } from '@ixr/platform';
import {
  DeliveryRejectedError,
  type ChannelAdapter,
  type DeliveryOrder,
  type DeliveryReceipt,
} from './channel-adapter';

/**
 * National channels (the SPOC's copy, a national contact point): the message lands in the unit's
 * inbox in PostgreSQL, where the unit's screen reads it. Re-delivery is harmless (keyed by delivery).
 */
export class NationalInboxAdapter implements ChannelAdapter {
  constructor(
    readonly channel: Extract<Channel, 'national_spoc' | 'national_unit'>,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async deliver(order: DeliveryOrder): Promise<DeliveryReceipt> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(UnitInboxItemEntity)
      .values({
        deliveryId: order.deliveryId,
        unit: order.destination,
        requestId: order.requestId,
        channel: order.channel,
        role: order.role,
        receivedAt: this.clock.now(),
      })
      .orIgnore()
      .execute();
    return { partnerReference: `inbox:${order.destination}:${order.deliveryId}` };
  }

  /** Foreign requests arrive over foreign channels; a national channel has no partner to answer. */
  reply(): Promise<DeliveryReceipt> {
    return Promise.reject(
      new DeliveryRejectedError(`${this.channel} is a national channel: replies go back over a foreign one`),
    );
  }
}
