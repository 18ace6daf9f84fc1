import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type InboundReceived, type RequestReceived } from '@ixr/messaging';
import { HandleInboundUseCase } from './inbound/handle-inbound.usecase';
import { RouteRequestUseCase } from './route-request.usecase';

@Controller()
export class RouterController {
  constructor(
    private readonly routeRequest: RouteRequestUseCase,
    @Inject(HandleInboundUseCase) private readonly inbound: HandleInboundUseCase,
  ) {}

  @EventPattern(TOPICS.requestReceived)
  onRequestReceived(@Payload() event: EventEnvelope<RequestReceived>): Promise<void> {
    return this.routeRequest.execute(event);
  }

  /** A foreign partner's request or answer (SPEC §4.4). */
  @EventPattern(TOPICS.inboundReceived)
  onInbound(@Payload() event: EventEnvelope<InboundReceived>): Promise<void> {
    return this.inbound.execute(event);
  }
}
