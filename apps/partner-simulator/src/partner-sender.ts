import type { Logger } from 'pino';
import {
  derivePartnerKey,
  SIGNATURE_HEADER,
  signPartnerMessage,
  TIMESTAMP_HEADER,
  type PartnerId,
} from '@ixr/messaging';
import { kindOf, type PartnerBehaviour, type PartnerState, type ReceivedMessage } from './partner-behaviour';

export interface SendResult {
  status: number;
  body: unknown;
}

/**
 * The partners' side of inbound traffic: foreign requests and answers sent to IXR, each signed with
 * the sending partner's key. Answers to IXR's requests go out after the partner's delay and are
 * retried while IXR is unreachable, as a real partner's system would.
 */
export class PartnerSender {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly options: { inboundUrl: string; keySeed: string },
    private readonly state: PartnerState,
    private readonly logger: Logger,
  ) {}

  async send(partner: PartnerId, message: Record<string, unknown>): Promise<SendResult> {
    const body = JSON.stringify(message);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const key = derivePartnerKey(this.options.keySeed, partner);
    const response = await fetch(
      `${this.options.inboundUrl}/inbound/${partner.channel}/${encodeURIComponent(partner.id)}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signPartnerMessage(key, partner, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(10000),
      },
    );
    const text = await response.text();
    this.state.countSent('inbound');
    return { status: response.status, body: safeJson(text) };
  }

  /**
   * The partner responds to what IXR sent (`received`) after `afterMs`, signed as itself: a
   * country, a PCCC, a liaison post or Europol alike (the destination IXR sent it to). A request
   * gets an answer, a refusal or a clarification question (`respondWith`); IXR's clarification
   * question on the partner's own request gets its answer; other messages (answers, refusals,
   * delay notices, withdrawals) are only received.
   */
  scheduleAnswer(
    received: ReceivedMessage,
    afterMs: number,
    respondWith: NonNullable<PartnerBehaviour['respondWith']> = 'answer',
  ): void {
    const response = responseTo(received, respondWith);
    if (!response) return;
    this.later(afterMs, () =>
      this.deliverAnswer({ channel: received.channel, id: received.destination }, response, 1),
    );
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async deliverAnswer(
    partner: PartnerId,
    answer: Record<string, unknown>,
    attempt: number,
  ): Promise<void> {
    let outcome: string;
    try {
      const result = await this.send(partner, answer);
      // 409: IXR has it already (an earlier try got through); any 2xx: accepted.
      if (result.status < 300 || result.status === 409) {
        this.state.countSent('answers');
        return;
      }
      outcome = `IXR answered ${result.status}`;
      if (result.status < 500) {
        this.state.countSent('failed');
        this.logger.warn({ partner, outcome }, 'answer refused by IXR; not retried');
        return;
      }
    } catch (error) {
      outcome = (error as Error).message;
    }
    if (attempt >= 10) {
      this.state.countSent('failed');
      this.logger.warn({ partner, outcome }, 'answer could not be delivered; giving up');
      return;
    }
    this.later(Math.min(10000, 500 * 2 ** attempt), () => this.deliverAnswer(partner, answer, attempt + 1));
  }

  private later(ms: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, ms);
    this.timers.add(timer);
  }
}

function responseTo(
  received: ReceivedMessage,
  respondWith: NonNullable<PartnerBehaviour['respondWith']>,
): Record<string, unknown> | undefined {
  const message = received.message as {
    requestId?: unknown;
    handlingCode?: unknown;
    language?: unknown;
    inReplyTo?: unknown;
  };
  const language = typeof message.language === 'string' ? message.language : 'en';
  const messageId = `${respondWith}-${received.idempotencyKey}`;
  const kind = kindOf(message);
  if (kind === 'clarification') {
    if (typeof message.inReplyTo !== 'string') return undefined;
    return {
      kind: 'clarification_answer',
      messageId: `clarification-answer-${received.idempotencyKey}`,
      inReplyTo: message.inReplyTo,
      language,
      answer: `Clarification of ${received.channel}/${received.destination}: the subject lives in Antwerp.`,
    };
  }
  if (kind !== 'request' || typeof message.requestId !== 'string') return undefined;
  const inReplyTo = message.requestId;
  switch (respondWith) {
    case 'answer':
      return {
        kind: 'answer',
        messageId: `answer-${received.idempotencyKey}`,
        inReplyTo,
        handlingCode: typeof message.handlingCode === 'string' ? message.handlingCode : 'H0',
        language,
        text: `Answer of ${received.channel}/${received.destination} to request ${inReplyTo}: no record found.`,
      };
    case 'refusal':
      return {
        kind: 'refusal',
        messageId,
        inReplyTo,
        language,
        ground: 'not_available',
        reason: `${received.channel}/${received.destination} holds no such information.`,
      };
    case 'clarification':
      return {
        kind: 'clarification',
        messageId,
        inReplyTo,
        language,
        question: `${received.channel}/${received.destination} asks: which subject is meant?`,
      };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
