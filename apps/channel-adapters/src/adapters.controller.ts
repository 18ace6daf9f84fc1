import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  TOPICS,
  type DeadLetter,
  type DeliveryDispatched,
  type EventEnvelope,
  type KafkaEventContext,
  type ReplyDispatched,
  type RequestErased,
} from '@ixr/messaging';
import { eraseOwnRows } from '@ixr/persistence';
import { DataSource } from 'typeorm';
import { DeadLetterRecorder } from './dead-letters/dead-letter.recorder';
import { DeliverUseCase } from './delivery/deliver.usecase';
import { SendReplyUseCase } from './replies/send-reply.usecase';

@Controller()
export class AdaptersController {
  constructor(
    @Inject(DeliverUseCase) private readonly deliver: DeliverUseCase,
    @Inject(SendReplyUseCase) private readonly replies: SendReplyUseCase,
    @Inject(DeadLetterRecorder) private readonly deadLetters: DeadLetterRecorder,
    @Inject(DataSource) private readonly dataSource: DataSource,
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

  /**
   * An erasure (SPEC §10): the adapters' own rows of the request go — parked sends (sealed, and
   * unsendable now that the key is gone) and the payloads of its dead letters.
   */
  @EventPattern(TOPICS.requestErased)
  async onErased(@Payload() event: EventEnvelope<RequestErased>): Promise<void> {
    await eraseOwnRows(this.dataSource, 'adapters-erasure', event, ADAPTERS_ERASURE);
  }
}

const ADAPTERS_ERASURE = [
  `DELETE FROM send_retries WHERE key = $1`,
  `UPDATE dead_letters SET payload = convert_to('{"erased":true}', 'UTF8'), error_message = 'erased (SPEC §10)'
    WHERE key = $1`,
];
