import type {
  CaseMessageKind,
  Channel,
  HandlingCode,
  MessageBody,
  RefusalGround,
  RouteRole,
} from '@ixr/domain';

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
  /** A request, or an own-initiative provision (SPEC §8). */
  body: MessageBody;
  /** Sent to the partner so that a repeated delivery is recognised there. */
  idempotencyKey: string;
}

/**
 * A message on a request going to a partner: our reply to its request (SPEC §4.4), or a case step
 * (SPEC §8) — a refusal with its ground, a clarification question or answer, a delay notice, a
 * withdrawal.
 */
export interface ReplyOrder {
  kind: CaseMessageKind;
  ground?: RefusalGround;
  partial?: boolean;
  expectedBy?: string;
  replyId: string;
  requestId: string;
  channel: Channel;
  destination: string;
  /** The partner's id of the request answered. */
  inReplyTo: string;
  handlingCode: HandlingCode;
  language: string;
  text: string;
  idempotencyKey: string;
}

export interface DeliveryReceipt {
  partnerReference: string;
}

/** A channel's delivery mechanism (STYLE §3): found through the registry, never by branching. */
export interface ChannelAdapter {
  readonly channel: Channel;
  deliver(order: DeliveryOrder): Promise<DeliveryReceipt>;
  reply(order: ReplyOrder): Promise<DeliveryReceipt>;
  /**
   * The partner's receipt for a message it may already hold: asked before sending again after a
   * call whose outcome is unknown (a crash, a timeout), so that the partner gets it once.
   * Absent where sending again is harmless.
   */
  findReceipt?(destination: string, idempotencyKey: string): Promise<DeliveryReceipt | undefined>;
}

/** The partner refused the message for good (4xx): retrying cannot help. */
export class DeliveryRejectedError extends Error {
  readonly code = 'DELIVERY.REJECTED';
}
