import type { DeliveryOrder, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
import { PartnerAdapter } from './partner.adapter';

/** Copy to Europol over SIENA (Directive 2023/977 Art 12). */
function toMessage(order: DeliveryOrder) {
  return {
    format: 'SIENA',
    recipient: 'EUROPOL',
    copy: true,
    ...commonFields(order),
    content: requestContent(order),
  };
}

function toReply(order: ReplyOrder) {
  return {
    format: 'SIENA',
    recipient: 'EUROPOL',
    ...replyFields(order),
  };
}

export class EuropolAdapter extends PartnerAdapter {
  readonly channel = 'europol' as const;
  protected toMessage = toMessage;
  protected toReply = toReply;
}
