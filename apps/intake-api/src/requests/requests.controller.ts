import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { outboundRequestBodySchema, type OutboundRequestBody } from '@ixr/domain';
import { NotFoundError, ValidationFailedError } from '@ixr/platform';
import { Roles, type AuthenticatedRequest } from '../auth/auth.guard';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { RequestViewService } from './request-view.service';
import { SubmitRequestUseCase } from './submit-request.usecase';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,200}$/;

@Controller('v1/requests')
export class RequestsController {
  constructor(
    private readonly submit: SubmitRequestUseCase,
    private readonly views: RequestViewService,
  ) {}

  /** Submit an outbound request (SPEC §2): 202 with id, status, receivedAt and deadline. */
  @Post()
  @HttpCode(202)
  @Roles('requester', 'spoc_operator')
  async create(
    @Req() req: AuthenticatedRequest,
    @Body(new ZodBodyPipe(outboundRequestBodySchema)) body: OutboundRequestBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ValidationFailedError('the Idempotency-Key header is invalid', [
        { path: 'header:Idempotency-Key', message: 'must be 1-200 characters of A-Z a-z 0-9 _ . : -' },
      ]);
    }
    const { claims } = req;
    const actor = {
      person: claims.sub,
      unit: claims.unit,
      level: claims.level,
      role: primaryRole(claims.roles),
    };
    const result = await this.submit.execute(actor, body, idempotencyKey);
    void reply.header('location', `/v1/requests/${result.id}`);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    const { replayed: _replayed, ...response } = result;
    return response;
  }

  @Get(':id')
  @Roles('requester', 'spoc_operator', 'auditor')
  get(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.views.view(id, req.claims);
  }

  @Get(':id/decision')
  @Roles('requester', 'spoc_operator', 'auditor')
  async decision(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    const view = await this.views.view(id, req.claims);
    if (!view.decision)
      throw new NotFoundError(`request ${id} has no routing decision yet (status ${view.status})`);
    return view.decision;
  }
}

function primaryRole(roles: readonly string[]): string {
  return roles.includes('spoc_operator') ? 'spoc_operator' : (roles[0] ?? 'requester');
}
