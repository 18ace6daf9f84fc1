import { Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { InvalidTokenError, KeySetUnavailableError, TokenVerifier, type Claims } from '@ixr/auth';
import { DependencyUnavailableError, UnauthenticatedError, ValidationFailedError } from '@ixr/platform';
import { RateLimitedError, RateLimiter } from '../auth/rate-limiter';
import { Public, Roles, type AuthenticatedRequest } from '../auth/route-access';
import { toDependencyError } from '../http/dependency-errors';
import { ZodQueryPipe } from '../http/zod-query.pipe';
import { EVENT_STREAM_HUB, type EventStreamHub } from './event-stream.hub';
import { EventTickets } from './event-tickets';
import { InboxService } from './inbox.service';
import { RequestListService } from './request-list.service';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const limit = z.coerce.number().int().min(1).max(200).default(50);

export const inboxQuerySchema = z.strictObject({
  /** Only the items not marked read yet. */
  unread: flag.optional(),
  limit,
  cursor: z.string().max(40).optional(),
});

export const queueQuerySchema = z.strictObject({
  /** Only work past its deadline. */
  overdue: flag.optional(),
  /** Only work due within this many hours (overdue included). */
  dueWithinHours: z.coerce
    .number()
    .positive()
    .max(24 * 366)
    .optional(),
  limit,
  cursor: z.string().max(200).optional(),
});

export const eventsQuerySchema = z.strictObject({
  /** A one-time ticket from `POST /v1/events/ticket`, for clients that cannot send headers (browsers). */
  ticket: z.string().min(1).max(100).optional(),
  /** Where to resume, for clients that cannot send the `Last-Event-ID` header. */
  lastEventId: z
    .string()
    .regex(/^\d{1,18}$/, 'an event id')
    .optional(),
});

@Controller('v1/inbox')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  /** What waits for the caller's unit, newest first. */
  @Get()
  list(
    @Req() req: AuthenticatedRequest,
    @Query(new ZodQueryPipe(inboxQuerySchema)) query: z.infer<typeof inboxQuerySchema>,
  ) {
    return this.inbox.list(req, query);
  }

  @Post(':id/read')
  @HttpCode(200)
  read(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.inbox.markRead(req, id);
  }
}

@Controller('v1/queue')
export class QueueController {
  constructor(private readonly list: RequestListService) {}

  /** The SPOC desk's open work by deadline: overdue first. */
  @Get()
  @Roles('spoc_operator')
  queue(
    @Req() req: AuthenticatedRequest,
    @Query(new ZodQueryPipe(queueQuerySchema)) query: z.infer<typeof queueQuerySchema>,
  ) {
    return this.list.queue(query, req);
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_.-]+)$/;

@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly tickets: EventTickets,
    private readonly verifier: TokenVerifier,
    private readonly limiter: RateLimiter,
    @Inject(EVENT_STREAM_HUB) private readonly hub: EventStreamHub,
  ) {}

  /** A one-time ticket for `GET /v1/events?ticket=…`, valid 60 s. */
  @Post('ticket')
  @HttpCode(201)
  ticket(@Req() req: AuthenticatedRequest) {
    return this.tickets.issue(req.claims);
  }

  /**
   * The caller's event stream. Authenticated here rather than by the guard: a browser brings a
   * ticket instead of a header. Errors before the stream opens get the API's usual JSON answer.
   */
  @Get()
  @Public()
  async stream(
    @Req() req: AuthenticatedRequest,
    @Res() reply: FastifyReply,
    @Query(new ZodQueryPipe(eventsQuerySchema)) query: z.infer<typeof eventsQuerySchema>,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
  ): Promise<void> {
    const claims = query.ticket
      ? await this.tickets.redeem(query.ticket)
      : await this.authenticate(req.headers.authorization);
    const quota = this.limiter.take(claims.unit);
    if (!quota.allowed) throw new RateLimitedError(claims.unit, quota.retryAfterSeconds);
    const resume = lastEventIdHeader?.trim() || query.lastEventId;
    if (resume && !/^\d{1,18}$/.test(resume)) {
      throw new ValidationFailedError('the Last-Event-ID header is invalid', [
        { path: 'Last-Event-ID', message: 'an event id as this stream sent it (digits)' },
      ]);
    }
    let lastId: bigint;
    try {
      lastId = resume ? BigInt(resume) : await this.hub.head();
    } catch (error) {
      throw toDependencyError(error);
    }
    reply.hijack();
    this.hub.open(
      reply.raw,
      { unit: claims.unit, allStatuses: claims.roles.includes('spoc_operator') },
      lastId,
    );
  }

  private async authenticate(header: string | undefined): Promise<Claims> {
    if (!header) {
      throw new UnauthenticatedError(
        'missing Authorization header (or ?ticket= from POST /v1/events/ticket)',
      );
    }
    const match = BEARER.exec(header);
    if (!match?.[1]) throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
    try {
      return await this.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new UnauthenticatedError(error.message);
      if (error instanceof KeySetUnavailableError) {
        throw new DependencyUnavailableError('the token signing keys cannot be fetched; please retry');
      }
      throw error;
    }
  }
}
