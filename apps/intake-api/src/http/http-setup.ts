import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { ErrorFilter } from './error.filter';

/**
 * One error shape for the whole API. Nest routes Fastify's own errors (unparseable JSON, wrong
 * content type, body too large) through the global filter too, so they get the same
 * `{ error: { code, message, details } }` as the rest.
 */
export function installHttpErrorHandling(app: NestFastifyApplication, logger: Logger): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Only JSON bodies are accepted; Fastify answers 415 for any other content type.
  fastify.removeContentTypeParser(['text/plain']);
  app.useGlobalFilters(new ErrorFilter(logger));
}
