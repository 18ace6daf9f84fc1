import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { z } from 'zod';
import { MAX_TEXT_LENGTH, REFUSAL_GROUNDS } from '@ixr/domain';
import { actorOf } from '../auth/actor';
import { Roles, type AuthenticatedRequest } from '../auth/auth.guard';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import {
  CaseStepsService,
  type ClarificationBody,
  type DelayNoticeBody,
  type RefusalBody,
  type WithdrawalBody,
} from './case-steps.service';
import { ForwardService, type ForwardBody } from './forward.service';

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const text = z
  .string()
  .refine((s) => !CONTROL.test(s), 'must not contain control characters')
  .transform((s) => s.normalize('NFC').trim())
  .pipe(z.string().min(1, 'must not be empty').max(MAX_TEXT_LENGTH));

export const refusalSchema = z.strictObject({
  ground: z.enum(REFUSAL_GROUNDS, {
    error: `must be one of the Art 6(1) grounds: ${REFUSAL_GROUNDS.join(', ')}`,
  }),
  reason: text,
  partial: z.boolean().optional(),
});

export const clarificationSchema = z.union(
  [
    z.strictObject({ question: text }),
    z.strictObject({ inReplyTo: z.string().min(1).max(200), answer: text }),
  ],
  { error: 'send { question } to ask the partner, or { inReplyTo, answer } to answer its question' },
);

export const delayNoticeSchema = z.strictObject({
  reason: text,
  expectedBy: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date and time with offset' }),
});

export const withdrawalSchema = z.strictObject({ reason: text });

export const forwardSchema = z.strictObject({
  countries: z
    .array(z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code'))
    .min(1)
    .max(27)
    .refine((list) => new Set(list).size === list.length, 'must not repeat a country'),
  consentReference: z.string().trim().min(1).max(200).optional(),
});

/** The case steps of SPEC §8; each answers 202 with the messages queued for the partners. */
@Controller('v1')
export class CaseStepsController {
  constructor(
    private readonly cases: CaseStepsService,
    private readonly onward: ForwardService,
  ) {}

  /** Refuses a foreign request on an Art 6(1) ground, wholly or in part (Directive 2023/977 Art 6). */
  @Post('requests/:id/refusal')
  @HttpCode(202)
  @Roles('requester', 'spoc_operator')
  refuse(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body(new ZodBodyPipe(refusalSchema)) body: RefusalBody,
  ) {
    return this.cases.refuse(id, req.claims, actorOf(req.claims, ['spoc_operator', 'requester']), body);
  }

  /**
   * Asks the partner for clarification of its request (`{ question }`: the deadline is suspended
   * until it answers), or answers a partner's question on one of ours (`{ inReplyTo, answer }`).
   */
  @Post('requests/:id/clarifications')
  @HttpCode(202)
  @Roles('requester', 'spoc_operator')
  clarify(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body(new ZodBodyPipe(clarificationSchema)) body: ClarificationBody,
  ) {
    return this.cases.clarify(id, req.claims, actorOf(req.claims, ['spoc_operator', 'requester']), body);
  }

  /** Tells the requester that judicial authorisation delays the answer until `expectedBy` (Art 5(2)). */
  @Post('requests/:id/delay-notice')
  @HttpCode(202)
  @Roles('requester', 'spoc_operator')
  delayNotice(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body(new ZodBodyPipe(delayNoticeSchema)) body: DelayNoticeBody,
  ) {
    return this.cases.delayNotice(id, req.claims, actorOf(req.claims, ['spoc_operator', 'requester']), body);
  }

  /**
   * Passes information received on a request to other states (SPEC §8): refused (422) without the
   * originator's consent reference, naming the handling code.
   */
  @Post('requests/:id/forward')
  @HttpCode(202)
  @Roles('spoc_operator')
  forward(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body(new ZodBodyPipe(forwardSchema)) body: ForwardBody,
  ) {
    return this.onward.forward(id, actorOf(req.claims, ['spoc_operator']), body);
  }

  /** Withdraws one of our requests: every partner is told; deliveries not yet made are cancelled. */
  @Post('requests/:id/withdraw')
  @HttpCode(202)
  @Roles('requester', 'spoc_operator')
  withdraw(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body(new ZodBodyPipe(withdrawalSchema)) body: WithdrawalBody,
  ) {
    return this.cases.withdraw(id, req.claims, actorOf(req.claims, ['requester', 'spoc_operator']), body);
  }
}
