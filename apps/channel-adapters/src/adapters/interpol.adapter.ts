import type { DeliveryOrder, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
import { PartnerAdapter } from './partner.adapter';

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

export class InterpolAdapter extends PartnerAdapter {
  readonly channel = 'interpol' as const;
  protected toMessage = toMessage;
  protected toReply = toReply;
}
