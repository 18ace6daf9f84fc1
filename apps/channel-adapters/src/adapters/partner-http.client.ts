import type { Channel } from '@ixr/domain';
import type { CircuitBreakers } from '../circuits/circuit-breakers';
import { DeliveryRejectedError, type DeliveryReceipt } from './channel-adapter';
import { PartnerUnavailableError } from './partner-errors';
import type { PartnerEndpoints } from './partner-endpoints';
import type { LookupFunction } from 'node:net';
import { guardedLookup, partnerRequest, type PartnerAnswer, type PartnerRequest } from './partner-request';

/**
 * The one HTTP client towards foreign partners' endpoints, found in the directory at each call
 * (outside the breaker: a missing endpoint says nothing about the partner's health). Every call runs through the partner's
 * circuit breaker, whose timeout aborts the call for real (AbortSignal), so a hanging partner never
 * holds a consumer. Network failures become PartnerUnavailableError, answers 4xx (except 408 and
 * 429) DeliveryRejectedError, other answers ≥ 500 PartnerUnavailableError.
 */
export class PartnerHttpClient {
  /** After DNS, the addresses must be allowed too: a name that points inside is refused. */
  private readonly lookup: LookupFunction;

  constructor(
    private readonly endpoints: PartnerEndpoints,
    private readonly breakers: CircuitBreakers,
  ) {
    this.lookup = guardedLookup(endpoints.policy);
  }

  async post(
    channel: Channel,
    destination: string,
    idempotencyKey: string,
    message: unknown,
  ): Promise<DeliveryReceipt> {
    const partnerUrl = await this.endpoints.urlOf(channel, destination);
    return this.breakers.run(channel, destination, async (signal) => {
      const response = await this.call(channel, destination, `${partnerUrl}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(message),
        signal,
      });
      const { text } = response;
      if (isRefusal(response.status)) {
        throw new DeliveryRejectedError(
          `${channel} partner ${destination} refused the message: ${response.status} ${text.slice(0, 200)}`,
        );
      }
      if (!response.ok) {
        throw new PartnerUnavailableError(`${channel} partner ${destination} answered ${response.status}`);
      }
      return { partnerReference: referenceIn(text) ?? `${channel}:${idempotencyKey}` };
    });
  }

  /** The partner's receipt for a message it holds under this idempotency key, if any. */
  async find(
    channel: Channel,
    destination: string,
    idempotencyKey: string,
  ): Promise<DeliveryReceipt | undefined> {
    const partnerUrl = await this.endpoints.urlOf(channel, destination);
    return this.breakers.run(channel, destination, async (signal) => {
      const url = `${partnerUrl}/messages/${encodeURIComponent(idempotencyKey)}`;
      const response = await this.call(channel, destination, url, { method: 'GET', signal });
      const { text } = response;
      if (response.status === 404) return undefined;
      if (!response.ok) {
        throw new PartnerUnavailableError(
          `${channel} partner ${destination} could not say whether it holds ${idempotencyKey}: ${response.status}`,
        );
      }
      return { partnerReference: referenceIn(text) ?? `${channel}:${idempotencyKey}` };
    });
  }

  /** Whether the partner answers at all: the probe of a half-open circuit. */
  async probe(channel: string, destination: string, signal: AbortSignal): Promise<void> {
    const partnerUrl = await this.endpoints.urlOf(channel, destination);
    const response = await this.call(channel, destination, `${partnerUrl}/health`, { method: 'GET', signal });
    if (!response.ok)
      throw new PartnerUnavailableError(`${channel} partner ${destination} answered ${response.status}`);
  }

  private async call(
    channel: string,
    destination: string,
    url: string,
    init: PartnerRequest,
  ): Promise<PartnerAnswer> {
    try {
      return await partnerRequest(url, { ...init, lookup: this.lookup });
    } catch (error) {
      const reason = init.signal?.aborted
        ? String((init.signal.reason as Error | undefined)?.message ?? 'aborted')
        : describeNetworkError(error);
      throw new PartnerUnavailableError(`${channel} partner ${destination} unreachable: ${reason}`);
    }
  }
}

function isRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function referenceIn(text: string): string | undefined {
  try {
    const reference = (JSON.parse(text) as { reference?: unknown } | null)?.reference;
    return typeof reference === 'string' ? reference.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

/** The socket's message, with its code (ECONNREFUSED …) when the message does not carry it. */
function describeNetworkError(error: unknown): string {
  const { message, code } = error as { message?: string; code?: unknown };
  const withCode = typeof code === 'string' && !String(message).includes(code) ? code : undefined;
  return [message, withCode].filter(Boolean).join(': ');
}
