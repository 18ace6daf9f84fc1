import type { DeliveryOrder, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
import { PartnerAdapter } from './partner.adapter';

/** Prüm automated search (hit/no-hit) of the requested category. */
function toMessage(order: DeliveryOrder) {
  return {
    format: 'PRUM',
    toState: order.destination,
    lookup: order.body.lookup ?? null,
    ...commonFields(order),
    content: requestContent(order),
  };
}

function toReply(order: ReplyOrder) {
  return {
    format: 'PRUM',
    toState: order.destination,
    ...replyFields(order),
  };
}

export class PrumAdapter extends PartnerAdapter {
  readonly channel = 'prum' as const;
  protected toMessage = toMessage;
  protected toReply = toReply;
}
