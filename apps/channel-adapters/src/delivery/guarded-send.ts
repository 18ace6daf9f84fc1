import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Channel } from '@ixr/domain';
import {
  createEnvelope,
  EVENT_TYPES,
  isDependencyUnavailable,
  MessagingError,
  PermanentHandlerError,
  TOPICS,
  type DeliveryOutcome,
  type EventEnvelope,
  type KafkaEventContext,
  type OutboxRelay,
} from '@ixr/messaging';
import { enqueueOutbox } from '@ixr/persistence';
import type { Clock, IdGenerator } from '@ixr/platform';
import { DeliveryRejectedError, type DeliveryReceipt } from '../adapters/channel-adapter';
import { CircuitOpenError, PartnerUnavailableError } from '../adapters/partner-errors';
import type { SendLedger } from './send-ledger';
import type { SendRetries } from './send-retries';

export const ADAPTERS_SOURCE = 'ixr/channel-adapters';

/** A quick retry by the transport (the partner may answer a moment later). */
export class SendRetryError extends MessagingError {
  constructor(message: string) {
    super('DELIVERY.RETRY', message, true);
  }
}

/** One message for one partner: a delivery of a request, or a reply. */
export interface SendJob {
  /** Delivery or reply id: the idempotency key the partner sees. */
  id: string;
  requestId: string;
  channel: Channel;
  destination: string;
  /** The event being handled, parked as is when the partner is away. */
  event: EventEnvelope;
  topic: string;
  send(): Promise<DeliveryReceipt>;
  /** The partner's receipt if it already holds the message (asked when an earlier call's fate is unknown). */
  lookup?: () => Promise<DeliveryReceipt | undefined>;
}

export interface GuardedSendOptions {
  /** Quick attempts by the transport before the message is parked. */
  maxAttempts: number;
  /** How long a claim keeps other handlers off: longer than the partner calls it covers. */
  leaseMs: number;
  windowMs: number;
}

/**
 * Sends a message to a partner at most once and records its outcome exactly once:
 * claim (a committed lease, the attempt counted) → ask the partner first if an earlier attempt's
 * fate is unknown → send → complete and queue the outcome event in one transaction.
 * A refusal (4xx) is final. A partner that is away gets a few quick retries, then the message is
 * parked and comes back later; past the window it is dead-lettered for an operator to re-drive.
 */
export class GuardedSend {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly ledger: SendLedger,
    private readonly retries: SendRetries,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly logger: Logger,
    private readonly options: GuardedSendOptions,
  ) {}

  async run(job: SendJob, ctx: KafkaEventContext): Promise<void> {
    const claim = await this.ledger.claim(job.id, this.options.leaseMs);
    if (claim.kind === 'unknown') {
      throw new PermanentHandlerError('DELIVERY.UNKNOWN', `${job.id} is not in the database`);
    }
    if (claim.kind === 'done') {
      await this.retries.forget(this.dataSource, job.id);
      return;
    }
    if (claim.kind === 'busy') {
      await this.park(job, 'another handler is sending it', claim.until, false);
      return;
    }

    let receipt: DeliveryReceipt | undefined;
    try {
      if (claim.attempts > 1 && job.lookup) {
        receipt = await job.lookup();
        if (receipt) {
          this.logger.warn(
            { id: job.id, channel: job.channel, destination: job.destination, attempts: claim.attempts },
            'an earlier call of unknown outcome had reached the partner: not sent again',
          );
        }
      }
      receipt ??= await job.send();
    } catch (error) {
      if (isDependencyUnavailable(error) && !(error instanceof PartnerUnavailableError)) throw error;
      const message = (error as Error).message;
      if (error instanceof DeliveryRejectedError) {
        await this.finish(job, { outcome: 'failed', error: message });
        return;
      }
      if (!(error instanceof CircuitOpenError) && ctx.attempt < this.options.maxAttempts) {
        await this.ledger.release(job.id, message);
        throw new SendRetryError(message);
      }
      await this.park(job, message, undefined, true);
      return;
    }
    await this.finish(job, { outcome: 'delivered', partnerReference: receipt.partnerReference });
  }

  private async park(job: SendJob, reason: string, notBefore: Date | undefined, holdsLease: boolean) {
    const now = this.clock.now();
    const { rounds, expired } = await this.dataSource.transaction(async (manager) => {
      const parked = await this.retries.park(
        manager,
        {
          messageId: job.id,
          topic: job.topic,
          key: job.requestId,
          event: JSON.stringify(job.event),
          error: reason,
          notBefore,
        },
        now,
      );
      if (holdsLease) {
        const note = parked.expired ? `dead-lettered, partner unreachable: ${reason}` : reason;
        await this.ledger.release(job.id, note, manager);
      }
      return parked;
    });
    if (expired) {
      throw new PermanentHandlerError(
        'DELIVERY.PARTNER_UNREACHABLE',
        `${job.channel} partner ${job.destination} still unreachable after ${this.options.windowMs} ms (${rounds} rounds): ${reason}`,
      );
    }
    this.logger.info(
      { id: job.id, channel: job.channel, destination: job.destination, rounds, reason },
      'send parked',
    );
  }

  private async finish(
    job: SendJob,
    result: Pick<DeliveryOutcome, 'outcome' | 'partnerReference' | 'error'>,
  ): Promise<void> {
    const now = this.clock.now();
    const handled = await this.dataSource.transaction(async (manager) => {
      const done = await this.ledger.complete(manager, job.id, {
        status: result.outcome,
        partnerReference: result.partnerReference,
        error: result.error,
        at: now,
      });
      if (!done) return false;
      await this.retries.forget(manager, job.id);
      const outcome: DeliveryOutcome = {
        deliveryId: job.id,
        requestId: job.requestId,
        channel: job.channel,
        destination: job.destination,
        at: now.toISOString(),
        attempts: done.attempts,
        ...result,
      };
      const envelope = createEnvelope({
        id: this.ids.uuid(),
        type: EVENT_TYPES[TOPICS.deliveryOutcome],
        source: ADAPTERS_SOURCE,
        time: now,
        subject: job.requestId,
        correlationId: job.event.correlationid,
        data: outcome,
      });
      await enqueueOutbox(manager, [
        { topic: TOPICS.deliveryOutcome, key: job.requestId, value: JSON.stringify(envelope) },
      ]);
      return true;
    });
    if (handled) this.relay.nudge();
  }
}
