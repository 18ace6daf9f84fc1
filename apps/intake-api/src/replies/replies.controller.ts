import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { HANDLING_CODES, ISO_LANGUAGE_CODES, MAX_TEXT_LENGTH } from '@ixr/domain';
import { actorOf } from '../auth/actor';
import { Roles, type AuthenticatedRequest } from '../auth/auth.guard';
import { idempotencyKeyOf } from '../http/idempotency';
import { requireJustification } from '../http/justification';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { RepliesService, type ReplyBody } from './replies.service';

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

const replySchema = z.strictObject({
  text: z
    .string()
    .refine((s) => !CONTROL.test(s), 'must not contain control characters')
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().min(1, 'must not be empty').max(MAX_TEXT_LENGTH)),
  handlingCode: z.enum(HANDLING_CODES),
  language: z
    .string()
    .refine((l) => ISO_LANGUAGE_CODES.has(l), 'must be an ISO 639-1 code in lower case, e.g. "en"')
    .optional(),
});

@Controller('v1')
export class RepliesController {
  constructor(private readonly replies: RepliesService) {}

  /**
   * SPEC §2: the unit the request was routed to, or a SPOC operator, answers a foreign request.
   * `Idempotency-Key` as for submissions: a repeat returns the first answer and sends nothing.
   */
  @Post('requests/:id/replies')
  @HttpCode(202)
  @Roles('requester', 'spoc_operator')
  async reply(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body(new ZodBodyPipe(replySchema)) body: ReplyBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.replies.reply(
      id,
      req.claims,
      actorOf(req.claims, ['spoc_operator', 'requester']),
      body,
      idempotencyKeyOf(idempotencyKey),
    );
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    const { replayed: _replayed, ...response } = result;
    return response;
  }

  /** The SPOC queue of answers whose request is unknown (SPEC §4.4). */
  @Get('replies/unmatched')
  @Roles('spoc_operator')
  unmatched(@Req() req: AuthenticatedRequest, @Headers('x-justification') justification: string | undefined) {
    return this.replies.unmatched(
      actorOf(req.claims, ['spoc_operator']),
      justification?.trim() ? requireJustification(justification) : 'SPOC queue of unmatched answers',
    );
  }
}
