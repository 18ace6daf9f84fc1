import type { Channel } from '@ixr/domain';
import {
  DeliveryRejectedError,
  type ChannelAdapter,
  type DeliveryOrder,
  type DeliveryReceipt,
} from './channel-adapter';

/**
 * National channels (the SPOC's copy, a national contact point): there is no partner to call. The
 * delivery is made by announcing it: its `delivered` outcome event is what the router, owner of the
 * units' inboxes, turns into the row of the unit's inbox (keyed by delivery, so a redelivered event
 * adds nothing), where the unit's screen reads it.
 */
export class NationalInboxAdapter implements ChannelAdapter {
  constructor(readonly channel: Extract<Channel, 'national_spoc' | 'national_unit'>) {}

  deliver(order: DeliveryOrder): Promise<DeliveryReceipt> {
    return Promise.resolve({ partnerReference: `inbox:${order.destination}:${order.deliveryId}` });
  }

  /** Foreign requests arrive over foreign channels; a national channel has no partner to answer. */
  reply(): Promise<DeliveryReceipt> {
    return Promise.reject(
      new DeliveryRejectedError(`${this.channel} is a national channel: replies go back over a foreign one`),
    );
  }
}
