import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  TOPICS,
  type DeliveryDispatched,
  type EventEnvelope,
  type KafkaEventContext,
  type ReplyDispatched,
} from '@ixr/messaging';
import { DeliverUseCase } from './delivery/deliver.usecase';
import { SendReplyUseCase } from './replies/send-reply.usecase';

@Controller()
export class AdaptersController {
  constructor(
    @Inject(DeliverUseCase) private readonly deliver: DeliverUseCase,
    @Inject(SendReplyUseCase) private readonly replies: SendReplyUseCase,
  ) {}

  /** In batches: one claim, calls side by side, one completing transaction per group of deliveries. */
  @EventPattern(TOPICS.deliveryDispatched, { batch: true })
  onDispatched(
    @Payload() events: EventEnvelope<DeliveryDispatched>[],
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    return this.deliver.execute(events, ctx);
  }

  @EventPattern(TOPICS.replyDispatched)
  onReply(@Payload() event: EventEnvelope<ReplyDispatched>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    return this.replies.execute(event, ctx);
  }
}
