import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { isForeignChannel } from '@ixr/domain';
import { InboundRefusedError, type InboundReceiver } from './inbound-receiver';

const MAX_BODY_BYTES = 256 * 1024;

/**
 * `POST /inbound/:channel/:partner`: where foreign partners (locally, the simulator) deliver their
 * requests and answers — countries (`siena/NL`), cooperation centres (`pccc/PCCC-HEERLEN`),
 * liaison posts (`liaison_officer/LO-WASHINGTON`) and Europol (`europol/EUROPOL`). The body stays raw bytes until the signature over them is checked.
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
    scope.post<{ Params: { channel: string; partner: string } }>(
      '/inbound/:channel/:partner',
      async (request, reply) => {
        const { channel, partner } = request.params;
        // Metrics labels from the URL are bounded to the known channels.
        const label = isForeignChannel(channel) ? channel : 'unknown';
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        try {
          const accepted = await receiver.receive({ channel, partner, headers: request.headers, body });
          counter.inc({ channel: label, outcome: 'accepted' });
          return await reply.code(202).send(accepted);
        } catch (error) {
          if (!(error instanceof InboundRefusedError)) {
            logger.error({ err: error, channel, partner }, 'inbound message failed');
            counter.inc({ channel: label, outcome: 'error' });
            return reply
              .code(500)
              .send({ error: { code: 'INTERNAL', message: 'internal error', details: [] } });
          }
          counter.inc({ channel: label, outcome: error.code });
          logger.warn({ channel, partner, code: error.code }, 'partner message refused');
          return reply
            .code(error.status)
            .send({ error: { code: error.code, message: error.message, details: error.details } });
        }
      },
    );
  });
}
