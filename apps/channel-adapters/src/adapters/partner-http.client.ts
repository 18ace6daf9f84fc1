import type { Channel } from '@ixr/domain';
import { DeliveryRejectedError, type DeliveryReceipt } from './channel-adapter';

export interface PartnerHttpOptions {
  baseUrl: string;
  timeoutMs: number;
}

/**
 * The one HTTP client towards foreign partners' endpoints. The timeout aborts the call for real
 * (AbortSignal), so a hanging partner never holds a consumer.
 */
export class PartnerHttpClient {
  constructor(private readonly options: PartnerHttpOptions) {}

  async post(
    channel: Channel,
    destination: string,
    idempotencyKey: string,
    message: unknown,
  ): Promise<DeliveryReceipt> {
    const url = `${this.options.baseUrl}/partners/${channel}/${encodeURIComponent(destination)}/messages`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const text = await response.text();
    if (
      response.status >= 400 &&
      response.status < 500 &&
      response.status !== 408 &&
      response.status !== 429
    ) {
      throw new DeliveryRejectedError(
        `${channel} partner ${destination} refused the message: ${response.status} ${text.slice(0, 200)}`,
      );
    }
    if (!response.ok) throw new Error(`${channel} partner ${destination} answered ${response.status}`);
    const reference = (safeJson(text) as { reference?: unknown } | undefined)?.reference;
    return { partnerReference: typeof reference === 'string' ? reference : `${channel}:${idempotencyKey}` };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
