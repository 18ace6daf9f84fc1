import type { DeliveryOrder, ReplyOrder } from './channel-adapter';
import { commonFields, replyFields, requestContent } from './message-fields';
import { PartnerAdapter } from './partner.adapter';

/** SIRENE supplementary information on a Schengen alert; the SIS reference and article travel with it. */
function toMessage(order: DeliveryOrder) {
  return {
    format: 'SIRENE',
    toBureau: order.destination,
    sisAlert: order.body.sisAlert ?? null,
    ...commonFields(order),
    content: requestContent(order),
  };
}

function toReply(order: ReplyOrder) {
  return {
    format: 'SIRENE',
    toBureau: order.destination,
    ...replyFields(order),
  };
}

export class SireneAdapter extends PartnerAdapter {
  readonly channel = 'sirene' as const;
  protected toMessage = toMessage;
  protected toReply = toReply;
}
