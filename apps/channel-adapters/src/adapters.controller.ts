import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type KafkaEventContext, type TopicEvent } from '@ixr/messaging';
import { eraseOwnRows } from '@ixr/persistence';
import { DataSource } from 'typeorm';
import { DeliverUseCase } from './delivery/deliver.usecase';
import { SendReplyUseCase } from './replies/send-reply.usecase';

@Controller()
export class AdaptersController {
  constructor(
    @Inject(DeliverUseCase) private readonly deliver: DeliverUseCase,
    @Inject(SendReplyUseCase) private readonly replies: SendReplyUseCase,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  /** In batches: one claim, calls side by side, one completing transaction per group of deliveries. */
  @EventPattern(TOPICS.deliveryDispatched, { batch: true })
  onDispatched(
    @Payload() events: TopicEvent<typeof TOPICS.deliveryDispatched>[],
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    return this.deliver.execute(events, ctx);
  }

  @EventPattern(TOPICS.replyDispatched)
  onReply(
    @Payload() event: TopicEvent<typeof TOPICS.replyDispatched>,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    return this.replies.execute(event, ctx);
  }

  /**
   * An erasure (SPEC §10): the adapters' own rows of the request go — its parked sends (sealed,
   * and unsendable now that the key is gone) and the data key, when the adapters made it (a
   * partner's incoming message; the intake deletes the keys it made itself).
   */
  @EventPattern(TOPICS.requestErased)
  async onErased(@Payload() event: TopicEvent<typeof TOPICS.requestErased>): Promise<void> {
    await eraseOwnRows(this.dataSource, 'adapters-erasure', event, ADAPTERS_ERASURE);
  }
}

/**
 * The adapters' own rows only (row-level security keeps `data_keys` to the keys they wrote): dead
 * letters are the intake's, which clears them in the erasure.
 */
const ADAPTERS_ERASURE = [
  `DELETE FROM send_retries WHERE key = $1`,
  `DELETE FROM data_keys WHERE key_id = $1`,
];
