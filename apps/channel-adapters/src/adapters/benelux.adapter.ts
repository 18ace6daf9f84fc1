import type { DeliveryOrder, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
import { PartnerAdapter } from './partner.adapter';

/** Benelux police treaty exchange with the Dutch or Luxembourg police. */
function toMessage(order: DeliveryOrder) {
  return {
    format: 'BENELUX',
    toState: order.destination,
    ...commonFields(order),
    content: requestContent(order),
  };
}

function toReply(order: ReplyOrder) {
  return {
    format: 'BENELUX',
    toState: order.destination,
    ...replyFields(order),
  };
}

export class BeneluxAdapter extends PartnerAdapter {
  readonly channel = 'benelux' as const;
  protected toMessage = toMessage;
  protected toReply = toReply;
}
