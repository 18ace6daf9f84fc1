import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { ErrorFilter } from './error.filter';
import { parseJsonBody } from './json-body.parser';

/**
 * One way in for bodies and one error shape for the whole API. Only `application/json` in UTF-8
 * is parsed (anything else: 415), by IXR's own parser (invalid UTF-8, deep nesting and prototype
 * keys refused: 400). Nest routes Fastify's own errors (body too large, unknown content type)
 * through the global filter too, so they get the same `{ error: { code, message, details } }`.
 */
export function installHttpErrorHandling(app: NestFastifyApplication, logger: Logger): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  // Through Nest, so that its init does not add its own JSON and form parsers after this one.
  app.useBodyParser(
    'application/json',
    { bodyLimit: fastify.initialConfig.bodyLimit },
    (request, body, done) => {
      try {
        done(null, parseJsonBody(body, request.headers['content-type']));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  // API answers hold personal data: no caching anywhere, no content sniffing, no framing.
  fastify.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('cache-control', 'no-store');
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-frame-options', 'DENY');
    return payload;
  });
  app.useGlobalFilters(new ErrorFilter(logger));
}
