import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type KafkaEventContext, type TopicEvent } from '@ixr/messaging';
import { eraseOwnRows } from '@ixr/persistence';
import { DataSource } from 'typeorm';
import { CaseDeadlineUseCase } from './case-deadline.usecase';
import { DeliveryOutcomesUseCase } from './delivery-outcomes.usecase';
import { HandleInboundUseCase } from './inbound/handle-inbound.usecase';
import { RouteRequestUseCase } from './route-request.usecase';

@Controller()
export class RouterController {
  constructor(
    private readonly routeRequest: RouteRequestUseCase,
    @Inject(HandleInboundUseCase) private readonly inbound: HandleInboundUseCase,
    @Inject(CaseDeadlineUseCase) private readonly caseDeadline: CaseDeadlineUseCase,
    @Inject(DeliveryOutcomesUseCase) private readonly outcomes: DeliveryOutcomesUseCase,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  /** In batches: each decision in memory, one transaction for the batch; failed events reported alone. */
  @EventPattern(TOPICS.requestReceived, { batch: true })
  onRequestReceived(
    @Payload() events: TopicEvent<typeof TOPICS.requestReceived>[],
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    return this.routeRequest.execute(events, ctx);
  }

  /** A foreign partner's request or answer (SPEC §4.4). */
  @EventPattern(TOPICS.inboundReceived)
  onInbound(@Payload() event: TopicEvent<typeof TOPICS.inboundReceived>): Promise<void> {
    return this.inbound.execute(event);
  }

  /** Our clarifications and withdrawals move the deadline milestones (SPEC §8). */
  @EventPattern(TOPICS.caseMessageQueued, { batch: true })
  onCaseMessage(@Payload() events: TopicEvent<typeof TOPICS.caseMessageQueued>[]): Promise<void> {
    return this.caseDeadline.execute(events);
  }

  /** The adapters' outcome of each send, recorded on its delivery (and a unit's inbox filled). */
  @EventPattern(TOPICS.deliveryOutcome, { batch: true })
  onDeliveryOutcome(@Payload() events: TopicEvent<typeof TOPICS.deliveryOutcome>[]): Promise<void> {
    return this.outcomes.execute(events);
  }

  /**
   * An erasure (SPEC §10): the request is closed for the desk; its milestones still pending go, so
   * no warning is raised about a case whose data is gone.
   */
  @EventPattern(TOPICS.requestErased)
  async onErased(@Payload() event: TopicEvent<typeof TOPICS.requestErased>): Promise<void> {
    await eraseOwnRows(this.dataSource, 'router-erasure', event, [
      `DELETE FROM deadline_milestones WHERE request_id = $1::uuid`,
    ]);
  }
}
