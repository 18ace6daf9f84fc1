import type { Logger } from 'pino';
import {
  derivePartnerKey,
  SIGNATURE_HEADER,
  signPartnerMessage,
  TIMESTAMP_HEADER,
  type PartnerId,
} from '@ixr/messaging';
import type { PartnerState, ReceivedMessage } from './partner-behaviour';

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
   * The partner answers IXR's request `received` after `afterMs`, signed as itself: a country, a
   * PCCC, a liaison post or Europol alike (the destination IXR sent it to).
   */
  scheduleAnswer(received: ReceivedMessage, afterMs: number): void {
    const request = received.message as { requestId?: unknown; handlingCode?: unknown; language?: unknown };
    if (typeof request.requestId !== 'string') return;
    const answer = {
      kind: 'answer',
      messageId: `answer-${received.idempotencyKey}`,
      inReplyTo: request.requestId,
      handlingCode: typeof request.handlingCode === 'string' ? request.handlingCode : 'H0',
      language: typeof request.language === 'string' ? request.language : 'en',
      text: `Answer of ${received.channel}/${received.destination} to request ${request.requestId}: no record found.`,
    };
    this.later(afterMs, () =>
      this.deliverAnswer({ channel: received.channel, id: received.destination }, answer, 1),
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

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
