import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type RequestReceived } from '@ixr/messaging';
import { RouteRequestUseCase } from './route-request.usecase';

@Controller()
export class RouterController {
  constructor(private readonly routeRequest: RouteRequestUseCase) {}

  @EventPattern(TOPICS.requestReceived)
  onRequestReceived(@Payload() event: EventEnvelope<RequestReceived>): Promise<void> {
    return this.routeRequest.execute(event);
  }
}
