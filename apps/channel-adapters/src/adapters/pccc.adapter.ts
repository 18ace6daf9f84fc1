import type { DeliveryOrder, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
import { PartnerAdapter } from './partner.adapter';

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

export class PcccAdapter extends PartnerAdapter {
  readonly channel = 'pccc' as const;
  protected toMessage = toMessage;
  protected toReply = toReply;
}
