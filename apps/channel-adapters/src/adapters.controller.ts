import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type DeliveryDispatched, type EventEnvelope, type KafkaEventContext } from '@ixr/messaging';
import { DeliverUseCase } from './deliver.usecase';

@Controller()
export class AdaptersController {
  constructor(private readonly deliver: DeliverUseCase) {}

  @EventPattern(TOPICS.deliveryDispatched)
  onDispatched(
    @Payload() event: EventEnvelope<DeliveryDispatched>,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    return this.deliver.execute(event, ctx);
  }
}
