import type { Channel, HandlingCode, OutboundRequestBody, RouteRole } from '@ixr/domain';

/** One delivery, as every adapter receives it. */
export interface DeliveryOrder {
  deliveryId: string;
  requestId: string;
  channel: Channel;
  destination: string;
  role: RouteRole;
  handlingCode: HandlingCode;
  urgent: boolean;
  deadlineAt: string | null;
  body: OutboundRequestBody;
  /** Sent to the partner so that a repeated delivery is recognised there. */
  idempotencyKey: string;
}

export interface DeliveryReceipt {
  partnerReference: string;
}

/** A channel's delivery mechanism (STYLE §3): found through the registry, never by branching. */
export interface ChannelAdapter {
  readonly channel: Channel;
  deliver(order: DeliveryOrder): Promise<DeliveryReceipt>;
}

/** The partner refused the message for good (4xx): retrying cannot help. */
export class DeliveryRejectedError extends Error {
  readonly code = 'DELIVERY.REJECTED';
}
