import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { behaviourSchema, type PartnerBehaviour, type PartnerState } from './partner-behaviour';
import type { PartnerSender } from './partner-sender';

const partnerParams = z.object({
  channel: z.string().regex(/^[a-z_]{2,40}$/),
  destination: z.string().min(1).max(80),
});
const sendParams = z.object({
  channel: z.string().regex(/^[a-z_]{2,40}$/),
  partner: z
    .string()
    .max(80)
    .regex(
      /^[A-Z0-9]+(-[A-Z0-9]+)*$/,
      'a country code or a directory id (PCCC-HEERLEN, LO-WASHINGTON, EUROPOL)',
    ),
});

/**
 * Plays the foreign partners (the only stand-in of the system): acknowledges messages, fails, hangs
 * or drops connections on demand, answers requests after a delay, sends its own requests and answers
 * to IXR on demand (signed), and counts every message per idempotency key so tests can prove
 * exactly-once.
 */
export function registerSimulatorRoutes(
  app: FastifyInstance,
  state: PartnerState,
  sender: PartnerSender,
): void {
  /** Applies the partner's failure mode; true when the request was answered (or dropped) by it. */
  async function misbehave(
    behaviour: PartnerBehaviour,
    request: FastifyRequest,
    reply: FastifyReply,
    what: string,
  ): Promise<boolean> {
    if (behaviour.mode === 'hang') {
      // Until the caller gives up and closes the connection: `hanging` shows calls not yet aborted.
      state.hangs(+1);
      await new Promise<void>((resolve) => reply.raw.once('close', () => resolve()));
      state.hangs(-1);
      return true;
    }
    if (behaviour.mode === 'refuse') {
      request.raw.socket.destroy();
      return true;
    }
    if (behaviour.mode === 'fail') {
      await reply.code(500).send({ error: { code: 'SIM.PARTNER_DOWN', message: `${what} is failing` } });
      return true;
    }
    if (behaviour.latencyMs > 0) {
      // Still processed if the caller goes away meanwhile, as a real partner would.
      state.delays(+1);
      await new Promise((resolve) => setTimeout(resolve, behaviour.latencyMs));
      state.delays(-1);
    }
    return false;
  }

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
    if (await misbehave(behaviour, request, reply, `${channel}/${destination}`)) return reply;
    const reference = `${channel.toUpperCase()}-${destination}-${key}`;
    const { count, first } = state.record({
      channel,
      destination,
      idempotencyKey: key,
      reference,
      receivedAt: new Date().toISOString(),
      message: request.body,
    });
    if (count === 1 && behaviour.answerAfterMs !== undefined)
      sender.scheduleAnswer(first, behaviour.answerAfterMs, behaviour.respondWith);
    return reply.code(202).send({ reference, duplicate: count > 1 });
  });

  /** Whether the partner holds a message under this key (asked by IXR before sending again). */
  app.get('/partners/:channel/:destination/messages/:key', async (request, reply) => {
    const params = partnerParams.extend({ key: z.string().min(1).max(200) }).safeParse(request.params);
    if (!params.success)
      return reply.code(400).send({ error: { code: 'SIM.BAD_PARTNER', message: 'bad partner or key' } });
    const { channel, destination, key } = params.data;
    if (await misbehave(state.behaviourOf(channel, destination), request, reply, `${channel}/${destination}`))
      return reply;
    const found = state.find(channel, destination, key);
    if (!found)
      return reply.code(404).send({ error: { code: 'SIM.NOT_RECEIVED', message: `no message ${key}` } });
    return { reference: found.reference, receivedAt: found.receivedAt };
  });

  /** The partner's liveness, as a circuit breaker's probe sees it. */
  app.get('/partners/:channel/:destination/health', async (request, reply) => {
    const params = partnerParams.safeParse(request.params);
    if (!params.success)
      return reply
        .code(400)
        .send({ error: { code: 'SIM.BAD_PARTNER', message: 'bad channel or destination' } });
    const { channel, destination } = params.data;
    if (await misbehave(state.behaviourOf(channel, destination), request, reply, `${channel}/${destination}`))
      return reply;
    return { partner: `${channel}/${destination}`, status: 'ok' };
  });

  /**
   * The partner `channel/partner` sends IXR a request or an answer (the body: the message, its
   * `messageId` generated when absent), signed with its key. Answers with IXR's answer. Partners
   * are countries (`siena/NL`), cooperation centres (`pccc/PCCC-HEERLEN`), liaison posts
   * (`liaison_officer/LO-WASHINGTON`) and Europol (`europol/EUROPOL`).
   */
  app.post('/simulator/partners/:channel/:partner/send', async (request, reply) => {
    const params = sendParams.safeParse(request.params);
    const body = request.body as Record<string, unknown> | undefined;
    if (!params.success || typeof body !== 'object' || body === null || Array.isArray(body)) {
      return reply.code(400).send({
        error: {
          code: 'SIM.BAD_SEND',
          message: 'POST a JSON message to /simulator/partners/<channel>/<partner>/send',
        },
      });
    }
    const message = { messageId: `sim-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`, ...body };
    const result = await sender.send({ channel: params.data.channel, id: params.data.partner }, message);
    return { messageId: message.messageId, ixr: result };
  });

  app.get('/simulator/stats', async () => state.stats());

  /** How many times each idempotency key was received (0: never): the exactly-once check. */
  app.post('/simulator/counts', async (request, reply) => {
    const parsed = z
      .strictObject({ keys: z.array(z.string().min(1).max(200)).max(10000) })
      .safeParse(request.body);
    if (!parsed.success)
      return reply.code(400).send({ error: { code: 'SIM.BAD_KEYS', message: 'POST {"keys": ["…"]}' } });
    return { counts: Object.fromEntries(parsed.data.keys.map((k) => [k, state.countOf(k)])) };
  });

  app.get('/simulator/requests/:requestId/messages', async (request) => {
    const { requestId } = request.params as { requestId: string };
    return state.messagesFor(requestId);
  });

  /** Messages received, optionally only those answering `inReplyTo` (replies to foreign requests). */
  app.get('/simulator/messages', async (request) => {
    const { inReplyTo } = request.query as { inReplyTo?: string };
    return state.messages(
      (m) =>
        inReplyTo === undefined || (m.message as { inReplyTo?: unknown } | null)?.inReplyTo === inReplyTo,
    );
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
    sender.stop();
    return { reset: true };
  });

  app.get('/health', async () => ({ service: 'partner-simulator', status: 'ok' }));
}
