import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { InboundRefusedError, type InboundReceiver } from './inbound-receiver';
import { FOREIGN_CHANNELS } from './partner-keys';

const MAX_BODY_BYTES = 256 * 1024;

/**
 * `POST /inbound/:channel/:country`: where foreign partners (locally, the simulator) deliver their
 * requests and answers. The body stays raw bytes until the signature over them is checked.
 */
export function registerInboundRoutes(
  fastify: FastifyInstance,
  receiver: InboundReceiver,
  logger: Logger,
  registry: Registry,
): void {
  const counter = new Counter({
    name: 'ixr_inbound_messages_total',
    help: 'Partner messages offered to the inbound endpoint, by channel and outcome',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) =>
      done(null, body),
    );
    scope.post<{ Params: { channel: string; country: string } }>(
      '/inbound/:channel/:country',
      async (request, reply) => {
        const { channel, country } = request.params;
        // Metrics labels from the URL are bounded to the known channels.
        const label = (FOREIGN_CHANNELS as readonly string[]).includes(channel) ? channel : 'unknown';
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        try {
          const accepted = await receiver.receive({ channel, country, headers: request.headers, body });
          counter.inc({ channel: label, outcome: 'accepted' });
          return await reply.code(202).send(accepted);
        } catch (error) {
          if (!(error instanceof InboundRefusedError)) {
            logger.error({ err: error, channel, country }, 'inbound message failed');
            counter.inc({ channel: label, outcome: 'error' });
            return reply
              .code(500)
              .send({ error: { code: 'INTERNAL', message: 'internal error', details: [] } });
          }
          counter.inc({ channel: label, outcome: error.code });
          logger.warn({ channel, country, code: error.code }, 'partner message refused');
          return reply
            .code(error.status)
            .send({ error: { code: error.code, message: error.message, details: error.details } });
        }
      },
    );
  });
}
