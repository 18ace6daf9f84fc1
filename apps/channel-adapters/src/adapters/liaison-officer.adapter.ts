import type { DeliveryOrder, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
import { PartnerAdapter } from './partner.adapter';

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

export class LiaisonOfficerAdapter extends PartnerAdapter {
  readonly channel = 'liaison_officer' as const;
  protected toMessage = toMessage;
  protected toReply = toReply;
}
