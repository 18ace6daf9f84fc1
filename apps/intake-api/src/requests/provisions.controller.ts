import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { provisionBodySchema, type ProvisionBody } from '@ixr/domain';
import { actorOfRequest, Roles, type AuthenticatedRequest } from '../auth/route-access';
import { idempotencyKeyOf } from '../http/idempotency';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { SubmitRequestUseCase } from './submit-request.usecase';

@Controller('v1/provisions')
export class ProvisionsController {
  constructor(private readonly submit: SubmitRequestUseCase) {}

  /**
   * Provide information on our own initiative (SPEC §8, Directive 2023/977 Art 7): the request body
   * with `informationProvided` instead of `informationSought`, routed by the same rule set (SPOC
   * copy, Europol-copy decision), with no deadline. Read back at `GET /v1/requests/{id}`.
   */
  @Post()
  @HttpCode(202)
  @Roles('requester', 'spoc_operator')
  async create(
    @Req() req: AuthenticatedRequest,
    @Body(new ZodBodyPipe(provisionBodySchema)) body: ProvisionBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.submit.execute(
      actorOfRequest(req),
      { ...body, kind: 'provision' },
      idempotencyKeyOf(idempotencyKey),
    );
    void reply.header('location', `/v1/requests/${result.id}`);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    const { replayed: _replayed, ...response } = result;
    return response;
  }
}
