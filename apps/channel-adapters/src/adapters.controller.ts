import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  TOPICS,
  type DeadLetter,
  type DeliveryDispatched,
  type EventEnvelope,
  type KafkaEventContext,
  type ReplyDispatched,
} from '@ixr/messaging';
import { DeadLetterRecorder } from './dead-letters/dead-letter.recorder';
import { DeliverUseCase } from './delivery/deliver.usecase';
import { SendReplyUseCase } from './replies/send-reply.usecase';

@Controller()
export class AdaptersController {
  constructor(
    @Inject(DeliverUseCase) private readonly deliver: DeliverUseCase,
    @Inject(SendReplyUseCase) private readonly replies: SendReplyUseCase,
    @Inject(DeadLetterRecorder) private readonly deadLetters: DeadLetterRecorder,
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

  /** Dead letters of every service land in PostgreSQL, for operators to list and re-drive. */
  @EventPattern(TOPICS.deadLetter, { batch: true })
  onDeadLetters(@Payload() events: EventEnvelope<DeadLetter>[]): Promise<void> {
    return this.deadLetters.record(events);
  }
}
