import type { DeliveryOrder, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
import { PartnerAdapter } from './partner.adapter';

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

export class SienaAdapter extends PartnerAdapter {
  readonly channel = 'siena' as const;
  protected toMessage = toMessage;
  protected toReply = toReply;
}
