import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { isForeignChannel } from '@ixr/domain';
import { partnerSignatureForm, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@ixr/messaging';
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
    // Before the body is read: a missing or malformed signature, or a body announced too large, is
    // answered at once (the connection's bytes are never buffered).
    scope.addHook('onRequest', async (request, reply) => {
      const first = (name: string): string | undefined => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const form = partnerSignatureForm(first(SIGNATURE_HEADER), first(TIMESTAMP_HEADER));
      const refuse = (status: number, code: string, message: string) => {
        counter.inc({ channel: 'unknown', outcome: code });
        return reply
          .code(status)
          .header('connection', 'close')
          .send({ error: { code, message, details: [] } });
      };
      if (!form.ok) {
        return refuse(
          401,
          `INBOUND.SIGNATURE_${form.problem.toUpperCase()}`,
          form.problem === 'missing'
            ? `the message must be signed (${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER} headers)`
            : `${SIGNATURE_HEADER} must be "v1=<64 hex>" and ${TIMESTAMP_HEADER} Unix seconds`,
        );
      }
      if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
        return refuse(413, 'INBOUND.TOO_LARGE', `a partner message is at most ${MAX_BODY_BYTES} bytes`);
      }
      return undefined;
    });
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
