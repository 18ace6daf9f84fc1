import type { DataSource, EntityManager } from 'typeorm';
import { toValidationIssues, type Channel } from '@ixr/domain';
import {
  createEnvelope,
  EVENT_TYPES,
  isDependencyUnavailable,
  partnerMessageSchema,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  TOPICS,
  verifyPartnerSignature,
  type AuditRecorded,
  type InboundReceived,
  type OutboxRelay,
  type PartnerMessage,
} from '@ixr/messaging';
import { enqueueOutbox } from '@ixr/persistence';
import { loneSurrogatePath, type Clock, type IdGenerator } from '@ixr/platform';
import { inboundPartner, originStateOf, type Directory, type InboundPartner } from '@ixr/routing';
import type { DirectorySource } from '../adapters/partner-endpoints';
import { ADAPTERS_SOURCE } from '../delivery/guarded-send';
import type { PartnerKeys } from './partner-keys';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why a partner message was not accepted; `status` is the HTTP answer. */
export class InboundRefusedError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'InboundRefusedError';
  }
}

export interface InboundInput {
  channel: string;
  /** The sender: a country code, or a directory id (PCCC-HEERLEN, LO-WASHINGTON, EUROPOL). */
  partner: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * The door for foreign partners' requests and answers (SPEC §4.4): the signature must be the
 * partner's (HMAC over partner, time and exact body), recent, and the message id never seen
 * before — an unsigned, badly signed, stale or replayed message is refused and changes nothing.
 * Partners are countries, and the cooperation centres, liaison posts and Europol the directory
 * knows (`inboundPartner`); a request from a partner that speaks for several states names the one
 * it comes from. An accepted message is recorded and its event queued in one transaction; the
 * router takes it from there.
 */
export class InboundReceiver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly keys: PartnerKeys,
    private readonly directories: DirectorySource,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly maxSkewSeconds: number,
  ) {}

  async receive(input: InboundInput): Promise<{ reference: string }> {
    const partnerId = { channel: input.channel, id: input.partner };
    const name = `${input.channel}/${input.partner}`;
    const key = this.keys.keyFor(partnerId);
    if (key === undefined)
      throw new InboundRefusedError('INBOUND.UNKNOWN_PARTNER', 401, `no partner ${name}`);
    const now = this.clock.now();
    const check = verifyPartnerSignature({
      key,
      partner: partnerId,
      timestamp: header(input.headers, TIMESTAMP_HEADER),
      signature: header(input.headers, SIGNATURE_HEADER),
      body: input.body,
      nowSeconds: Math.floor(now.getTime() / 1000),
      maxSkewSeconds: this.maxSkewSeconds,
    });
    if (!check.ok) {
      const messages = {
        missing: `the message must be signed (${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER} headers)`,
        malformed: `${SIGNATURE_HEADER} must be "v1=<64 hex>" and ${TIMESTAMP_HEADER} Unix seconds`,
        stale: `${TIMESTAMP_HEADER} is more than ${this.maxSkewSeconds} s away from now`,
        mismatch: `the signature is not ${name}'s`,
      };
      throw new InboundRefusedError(
        `INBOUND.SIGNATURE_${check.problem.toUpperCase()}`,
        401,
        messages[check.problem],
      );
    }
    // Checked once the signature holds: an unsigned caller costs no database read.
    const { partner, directory } = await this.knownPartner(input.channel, input.partner);
    const message = parseMessage(input.body);
    // A request says for which state a partner speaking for several writes; an answer needs not.
    const originCountry =
      message.kind === 'request' || message.kind === 'provision'
        ? requestOrigin(directory, partner, message.originCountry)
        : partner.defaultState;
    const inboundId = this.ids.uuid();
    const data: InboundReceived = {
      inboundId,
      channel: input.channel as Channel,
      partner: partner.id,
      originCountry,
      receivedAt: now.toISOString(),
      message,
    };
    // An answer or a case step travels with the events of the request it names (same key, same partition).
    const key_ = message.kind === 'request' || message.kind === 'provision' ? inboundId : message.inReplyTo;
    const envelope = createEnvelope({
      id: this.ids.uuid(),
      type: EVENT_TYPES[TOPICS.inboundReceived],
      source: ADAPTERS_SOURCE,
      time: now,
      subject: key_,
      data,
    });
    let fresh: boolean | 'misaddressed';
    try {
      fresh = await this.dataSource.transaction(async (manager) => {
        if (
          message.kind === 'answer' &&
          !(await this.wasSentTo(manager, message.inReplyTo, input.channel, partner.id))
        ) {
          await enqueueOutbox(manager, [
            this.misaddressedEntry(input.channel, partner.id, message.inReplyTo, message.messageId, now),
          ]);
          return 'misaddressed';
        }
        const inserted: unknown[] = await manager.query(
          `INSERT INTO inbound_messages (channel, partner, message_id, inbound_id, kind, received_at)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING inbound_id`,
          [input.channel, partner.id, message.messageId, inboundId, message.kind, now],
        );
        if (inserted.length === 0) return false;
        const requestId = await this.partnersOwnRequest(manager, input.channel, partner.id, message);
        const placed = requestId === undefined ? envelope : { ...envelope, data: { ...data, requestId } };
        await enqueueOutbox(manager, [
          { topic: TOPICS.inboundReceived, key: key_, value: JSON.stringify(placed) },
        ]);
        return true;
      });
    } catch (error) {
      throw asRefusal(error);
    }
    if (fresh === 'misaddressed') {
      this.relay.nudge();
      throw new InboundRefusedError(
        'INBOUND.NOT_ADDRESSEE',
        403,
        `request ${message.kind === 'answer' ? message.inReplyTo : ''} was not sent to ${name}: its answer is refused`,
      );
    }
    if (!fresh) {
      throw new InboundRefusedError(
        'INBOUND.REPLAYED',
        409,
        `message ${message.messageId} of ${name} was received before; a replay is refused`,
      );
    }
    this.relay.nudge();
    return { reference: inboundId };
  }

  /**
   * A clarification answer or a withdrawal names the partner's own request by its message id: the
   * request IXR made of it, so that the step's text is sealed under that request's key (SPEC §10)
   * and its erasure reaches it.
   */
  private async partnersOwnRequest(
    manager: EntityManager,
    channel: string,
    partner: string,
    message: PartnerMessage,
  ): Promise<string | undefined> {
    if (message.kind !== 'clarification_answer' && message.kind !== 'withdrawal') return undefined;
    const rows: { inbound_id: string }[] = await manager.query(
      `SELECT inbound_id FROM inbound_messages WHERE channel = $1 AND partner = $2 AND message_id = $3`,
      [channel, partner, message.inReplyTo],
    );
    return rows[0]?.inbound_id;
  }

  /**
   * An answer is taken only from a channel and partner the request was delivered to. An answer
   * naming no outbound request we know (no delivery at all) still goes on, to the SPOC's queue of
   * unmatched answers; one naming a request sent elsewhere is refused.
   */
  private async wasSentTo(
    manager: EntityManager,
    requestId: string,
    channel: string,
    partner: string,
  ): Promise<boolean> {
    if (!UUID.test(requestId)) return true;
    const sent: { channel: string; destination: string }[] = await manager.query(
      'SELECT channel, destination FROM deliveries WHERE request_id = $1',
      [requestId],
    );
    return sent.length === 0 || sent.some((d) => d.channel === channel && d.destination === partner);
  }

  /** The refusal's entry in the exchange log: who tried to answer what. */
  private misaddressedEntry(
    channel: string,
    partner: string,
    requestId: string,
    messageId: string,
    now: Date,
  ) {
    const data: AuditRecorded = {
      kind: 'denied',
      actor: { person: `partner:${channel}/${partner}`, unit: `${channel}/${partner}`, role: 'partner' },
      justification: `answer of ${channel}/${partner} to request ${requestId}, which was not sent to it: refused`,
      requestId,
      recipients: [],
      channel,
      rulesetVersion: null,
      at: now.toISOString(),
      details: { direction: 'inbound', kind: 'answer', partnerMessageId: messageId, reason: 'not_addressee' },
    };
    const envelope = createEnvelope({
      id: this.ids.uuid(),
      type: EVENT_TYPES[TOPICS.auditRecorded],
      source: ADAPTERS_SOURCE,
      time: now,
      subject: requestId,
      data,
    });
    return { topic: TOPICS.auditRecorded, key: requestId, value: JSON.stringify(envelope) };
  }

  private async knownPartner(
    channel: string,
    id: string,
  ): Promise<{ partner: InboundPartner; directory: Directory }> {
    let directory: Directory;
    try {
      directory = (await this.directories.latestDirectory()).directory;
    } catch (error) {
      throw asRefusal(error);
    }
    const found = inboundPartner(directory, channel, id);
    if (!found.ok)
      throw new InboundRefusedError(
        'INBOUND.UNKNOWN_PARTNER',
        401,
        `no partner ${channel}/${id}: ${found.reason}`,
      );
    return { partner: found.partner, directory };
  }
}

function requestOrigin(directory: Directory, partner: InboundPartner, claimed: string | undefined) {
  const origin = originStateOf(directory, partner, claimed);
  if (!origin.ok) {
    throw new InboundRefusedError(
      'INBOUND.INVALID_MESSAGE',
      400,
      `the message is invalid: ${origin.reason}`,
      [{ path: 'originCountry', message: origin.reason }],
    );
  }
  return origin.state;
}

function header(headers: InboundInput['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseMessage(body: Buffer) {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new InboundRefusedError('INBOUND.INVALID_MESSAGE', 400, 'the body is not JSON', [
      { path: '(body)', message: 'expected a JSON object' },
    ]);
  }
  const lone = loneSurrogatePath(json);
  if (lone !== undefined) {
    throw new InboundRefusedError('INBOUND.INVALID_MESSAGE', 400, 'the message holds a lone surrogate', [
      { path: lone, message: 'lone surrogate (not Unicode text)' },
    ]);
  }
  const parsed = partnerMessageSchema.safeParse(json);
  if (!parsed.success) {
    const details = toValidationIssues(parsed.error);
    throw new InboundRefusedError(
      'INBOUND.INVALID_MESSAGE',
      400,
      `the message is invalid: ${details.map((d) => d.path).join(', ')}`,
      details,
    );
  }
  return parsed.data;
}

/** A database that is away becomes a 503 the partner may retry; anything else stays as it is. */
function asRefusal(error: unknown): unknown {
  if (!isDependencyUnavailable(error)) return error;
  return new InboundRefusedError(
    'DEPENDENCY_UNAVAILABLE',
    503,
    'the database is unavailable; nothing was stored, please retry',
  );
}
