import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import {
  AppError,
  DependencyUnavailableError,
  ForbiddenError,
  IdempotencyConflictError,
  JustificationRequiredError,
  NotFoundError,
  UnauthenticatedError,
  ValidationFailedError,
  type ErrorDetail,
} from '@ixr/platform';
import { RateLimitedError } from '../auth/rate-limiter';
import { UnsupportedMediaTypeError } from './json-body.parser';
import { AlreadyErasedError } from '../data-protection/data-protection.service';
import { DeadLetterConflictError } from '../dead-letters/dead-letters.service';
import { NotAssignableError } from '../work/assign-request.usecase';
import { CaseStepNotAcceptedError } from '../cases/case-steps.service';
import { NothingToForwardError, OnwardTransferRefusedError } from '../cases/forward.service';
import { ReplyNotAcceptedError } from '../replies/replies.service';
import { RulesetNotActivatableError } from '../routing-admin/routing-admin.service';

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

const STATUS_BY_CLASS: [new (...args: never[]) => AppError, number][] = [
  [ValidationFailedError, 400],
  [JustificationRequiredError, 400],
  [UnauthenticatedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [IdempotencyConflictError, 409],
  [UnsupportedMediaTypeError, 415],
  [RateLimitedError, 429],
  [RulesetNotActivatableError, 422],
  [ReplyNotAcceptedError, 409],
  [CaseStepNotAcceptedError, 409],
  [OnwardTransferRefusedError, 422],
  [NothingToForwardError, 409],
  [DeadLetterConflictError, 409],
  [NotAssignableError, 409],
  [AlreadyErasedError, 409],
  [DependencyUnavailableError, 503],
];

export interface HttpError {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

/** Maps any error to SPEC §2's `{ error: { code, message, details } }`; unknown errors become 500. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof AppError) {
    const status = STATUS_BY_CLASS.find(([cls]) => error instanceof cls)?.[1] ?? 500;
    const body = { error: { code: error.code, message: error.message, details: error.details } };
    return { status, body, headers: headersFor(error) };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, body: { error: { code: httpCode(status), message: error.message, details: [] } } };
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    const status = fastifyError.statusCode;
    return {
      status,
      body: {
        error: { code: httpCode(status), message: fastifyError.message ?? 'bad request', details: [] },
      },
    };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error', details: [] } } };
}

/** RFC 6585 Retry-After on 429; RFC 6750 WWW-Authenticate on 401. */
function headersFor(error: AppError): Record<string, string> | undefined {
  if (error instanceof RateLimitedError) return { 'retry-after': String(error.retryAfterSeconds) };
  if (error instanceof UnauthenticatedError) {
    return { 'www-authenticate': 'Bearer realm="ixr", error="invalid_token"' };
  }
  return undefined;
}

function httpCode(status: number): string {
  switch (status) {
    case 400:
      return 'HTTP.BAD_REQUEST';
    case 404:
      return 'HTTP.NOT_FOUND';
    case 413:
      return 'HTTP.PAYLOAD_TOO_LARGE';
    case 414:
      return 'HTTP.URI_TOO_LONG';
    case 415:
      return 'HTTP.UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'HTTP.TOO_MANY_REQUESTS';
    default:
      return `HTTP.${status}`;
  }
}

/**
 * Fastify answers a few errors before any route (and so before Nest's filter) runs: a URL that
 * does not decode, a path parameter over the length limit. They get the same error shape.
 */
export function answerFrameworkError(error: Error, _request: unknown, reply: FastifyReply): void {
  const { status, body } = toHttpError(error);
  void reply.status(status).send(body);
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { status, body, headers } = toHttpError(exception);
    if (status >= 500) this.logger.error({ err: exception }, 'request failed');
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (headers) void reply.headers(headers);
    void reply.status(status).send(body);
  }
}
