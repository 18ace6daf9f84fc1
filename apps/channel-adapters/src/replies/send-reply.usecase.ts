import { TOPICS, type EventEnvelope, type KafkaEventContext, type ReplyDispatched } from '@ixr/messaging';
import type { AdapterRegistry } from '../adapters/adapter.registry';
import type { ReplyOrder } from '../adapters/channel-adapter';
import type { GuardedSend } from '../delivery/guarded-send';

/**
 * Sends a message on a request to its partner — our reply to a foreign request (SPEC §4.4), a
 * refusal, clarification question or answer, delay notice, withdrawal (SPEC §8) — once the exchange
 * log released it, with the same guarantees as a delivery: once to the partner, outcome recorded
 * once.
 */
export class SendReplyUseCase {
  constructor(
    private readonly adapters: AdapterRegistry,
    private readonly sender: GuardedSend,
    /** The deliveries' sender: a withdrawal cancels the deliveries not yet made. */
    private readonly deliveries: GuardedSend,
  ) {}

  async execute(event: EventEnvelope<ReplyDispatched>, ctx: KafkaEventContext): Promise<void> {
    const reply = event.data;
    if (reply.kind === 'withdrawal')
      await this.deliveries.cancelWithdrawn(reply.requestId, event.correlationid);
    const order: ReplyOrder = {
      kind: reply.kind,
      ground: reply.ground,
      partial: reply.partial,
      expectedBy: reply.expectedBy,
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
    await this.sender.run(
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
