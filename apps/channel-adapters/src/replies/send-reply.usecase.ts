import { TOPICS, type EventEnvelope, type KafkaEventContext, type ReplyDispatched } from '@ixr/messaging';
import type { AdapterRegistry } from '../adapters/adapter.registry';
import type { ReplyOrder } from '../adapters/channel-adapter';
import type { GuardedSend } from '../delivery/guarded-send';

/**
 * Sends our reply to a foreign request back over the channel the request came on (SPEC §4.4),
 * with the same guarantees as a delivery: once to the partner, outcome recorded once.
 */
export class SendReplyUseCase {
  constructor(
    private readonly adapters: AdapterRegistry,
    private readonly sender: GuardedSend,
  ) {}

  execute(event: EventEnvelope<ReplyDispatched>, ctx: KafkaEventContext): Promise<void> {
    const reply = event.data;
    const order: ReplyOrder = {
      replyId: reply.replyId,
      requestId: reply.requestId,
      channel: reply.channel,
      destination: reply.destination,
      inReplyTo: reply.inReplyTo,
      handlingCode: reply.handlingCode,
      language: reply.language,
      text: reply.text,
      idempotencyKey: reply.replyId,
    };
    const adapter = this.adapters.get(order.channel);
    const findReceipt = adapter.findReceipt?.bind(adapter);
    return this.sender.run(
      {
        id: order.replyId,
        requestId: order.requestId,
        channel: order.channel,
        destination: order.destination,
        event,
        topic: TOPICS.replyDispatched,
        send: () => adapter.reply(order),
        lookup: findReceipt && (() => findReceipt(order.destination, order.idempotencyKey)),
      },
      ctx,
    );
  }
}
