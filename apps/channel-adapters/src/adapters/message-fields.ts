import type { DeliveryOrder, ReplyOrder } from './channel-adapter';

/** Fields every partner message carries (issue: handling code, urgency, deadline, idempotency key). */
export function commonFields(order: DeliveryOrder) {
  return {
    reference: order.deliveryId,
    requestId: order.requestId,
    handlingCode: order.handlingCode,
    urgent: order.urgent,
    replyBy: order.deadlineAt,
    idempotencyKey: order.idempotencyKey,
    language: order.body.language,
  };
}

/**
 * The request's content as partners read it: what is sought, why, about whom. A provision (Art 7)
 * says what is provided instead, and says it is one.
 */
export function requestContent(order: DeliveryOrder) {
  const { body } = order;
  return {
    ...('kind' in body
      ? { kind: body.kind, informationProvided: body.informationProvided }
      : { informationSought: body.informationSought }),
    offence: body.offence,
    purpose: body.purpose,
    subjects: body.subjects,
    urgencyGround: body.urgency.urgent ? body.urgency.ground : undefined,
  };
}

/** Fields every reply carries, whatever the channel's envelope around them. */
export function replyFields(order: ReplyOrder) {
  return {
    kind: order.kind,
    ...(order.ground !== undefined && { ground: order.ground, partial: order.partial ?? false }),
    ...(order.expectedBy !== undefined && { expectedBy: order.expectedBy }),
    /** Our id of the request: what the partner names when it writes about it. */
    requestId: order.requestId,
    reference: order.replyId,
    inReplyTo: order.inReplyTo,
    handlingCode: order.handlingCode,
    idempotencyKey: order.idempotencyKey,
    language: order.language,
    text: order.text,
  };
}
