import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { behaviourSchema, type PartnerState } from './partner-behaviour';

const partnerParams = z.object({
  channel: z.string().regex(/^[a-z_]{2,40}$/),
  destination: z.string().min(1).max(80),
});

/**
 * Plays the foreign partners (the only stand-in of the system): acknowledges messages, fails or
 * hangs on demand, and counts every message per idempotency key so tests can prove exactly-once.
 */
export function registerSimulatorRoutes(app: FastifyInstance, state: PartnerState): void {
  app.post('/partners/:channel/:destination/messages', async (request, reply) => {
    const params = partnerParams.safeParse(request.params);
    if (!params.success)
      return reply
        .code(400)
        .send({ error: { code: 'SIM.BAD_PARTNER', message: 'bad channel or destination' } });
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length === 0) {
      return reply.code(400).send({
        error: { code: 'SIM.IDEMPOTENCY_KEY_MISSING', message: 'Idempotency-Key header is required' },
      });
    }
    const { channel, destination } = params.data;
    const behaviour = state.behaviourOf(channel, destination);
    if (behaviour.mode === 'hang') {
      await new Promise<void>((resolve) => request.raw.once('close', () => resolve()));
      return reply;
    }
    if (behaviour.mode === 'fail') {
      return reply
        .code(500)
        .send({ error: { code: 'SIM.PARTNER_DOWN', message: `${channel}/${destination} is failing` } });
    }
    if (behaviour.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.latencyMs));
    const reference = `${channel.toUpperCase()}-${destination}-${key}`;
    const { count } = state.record({
      channel,
      destination,
      idempotencyKey: key,
      reference,
      receivedAt: new Date().toISOString(),
      message: request.body,
    });
    return reply.code(202).send({ reference, duplicate: count > 1 });
  });

  app.get('/simulator/stats', async () => state.stats());

  app.get('/simulator/requests/:requestId/messages', async (request) => {
    const { requestId } = request.params as { requestId: string };
    return state.messagesFor(requestId);
  });

  app.put('/simulator/partners/:channel/:destination', async (request, reply) => {
    const params = partnerParams.safeParse(request.params);
    const behaviour = behaviourSchema.safeParse(request.body ?? {});
    if (!params.success || !behaviour.success) {
      const issues = [...(params.error?.issues ?? []), ...(behaviour.error?.issues ?? [])];
      return reply.code(400).send({
        error: {
          code: 'SIM.BAD_BEHAVIOUR',
          message: 'invalid partner or behaviour',
          details: issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      });
    }
    state.setBehaviour(params.data.channel, params.data.destination, behaviour.data);
    return { partner: `${params.data.channel}/${params.data.destination}`, ...behaviour.data };
  });

  app.delete('/simulator/partners', async () => {
    state.clearBehaviours();
    return { behaviours: 'cleared' };
  });

  app.post('/simulator/reset', async () => {
    state.reset();
    return { reset: true };
  });

  app.get('/health', async () => ({ service: 'partner-simulator', status: 'ok' }));
}
