import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Channel } from '@ixr/domain';
import {
  BatchItemErrors,
  handleInGroups,
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
import type { SendLedger, SendResult } from './send-ledger';
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
  /**
   * Sends claimed, made (side by side) and completed together. Each group's calls start as soon as
   * it is claimed, so that every call runs inside its lease however long the batch.
   */
  groupSize: number;
}

/** What became of a claimed send's partner calls. */
type CallResult = { receipt: DeliveryReceipt } | { error: unknown };

/** A send that ended (delivered, or refused for good) and is recorded in the group's transaction. */
interface Ended {
  job: SendJob;
  result: SendResult;
}

/**
 * Sends a message to a partner at most once and records its outcome exactly once:
 * claim (a committed lease, the attempt counted) → ask the partner first if an earlier attempt's
 * fate is unknown → send → complete and queue the outcome event in one transaction.
 * A refusal (4xx) is final. A partner that is away gets a few quick retries, then the message is
 * parked and comes back later; past the window it is dead-lettered for an operator to re-drive.
 *
 * A batch goes in groups: one statement claims a group, its calls run side by side (each through
 * its circuit breaker), one transaction completes all that ended; a send that failed is released
 * or parked on its own and reported (BatchItemErrors) so the transport retries it alone, never
 * the sends of the batch that succeeded.
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

  /** One send; throws what the transport must act on (retry, dead letter, outage). */
  async run(job: SendJob, ctx: KafkaEventContext): Promise<void> {
    try {
      await this.runBatch([job], ctx);
    } catch (error) {
      if (error instanceof BatchItemErrors && error.errors.has(0)) throw error.errors.get(0);
      throw error;
    }
  }

  /**
   * Many sends. Throws BatchItemErrors naming the sends the transport must act on; any other error
   * (the database away while claiming or completing) concerns the whole batch, and is safe to
   * retry: what was completed is found done, what was sent and not completed is found leased.
   */
  runBatch(jobs: readonly SendJob[], ctx: KafkaEventContext): Promise<void> {
    return handleInGroups(jobs, this.options.groupSize, ctx.heartbeat, (group) => this.runGroup(group, ctx));
  }

  private async runGroup(jobs: readonly SendJob[], ctx: KafkaEventContext): Promise<Map<number, unknown>> {
    const errors = new Map<number, unknown>();
    const claims = await this.ledger.claimMany([...new Set(jobs.map((j) => j.id))], this.options.leaseMs);
    const seen = new Set<string>();
    const claimed: { index: number; job: SendJob; attempts: number }[] = [];
    const busy: { index: number; job: SendJob; until: Date }[] = [];
    const doneAlready: string[] = [];
    const withdrawn: Ended[] = [];
    jobs.forEach((job, index) => {
      // The same message twice in one batch (a redelivery next to a retry round) is sent once.
      if (seen.has(job.id)) return;
      seen.add(job.id);
      const claim = claims.get(job.id) ?? { kind: 'unknown' };
      switch (claim.kind) {
        case 'unknown':
          errors.set(
            index,
            new PermanentHandlerError('DELIVERY.UNKNOWN', `${job.id} is not in the database`),
          );
          return;
        case 'done':
          doneAlready.push(job.id);
          return;
        case 'busy':
          busy.push({ index, job, until: claim.until });
          return;
        case 'claimed':
          claimed.push({ index, job, attempts: claim.attempts });
          return;
        case 'withdrawn':
          withdrawn.push({ job, result: { id: job.id, status: 'cancelled', error: 'request withdrawn' } });
          return;
      }
    });

    const calls = await Promise.all(claimed.map((c) => this.call(c.job, c.attempts)));
    const ended: Ended[] = [...withdrawn];
    const unsent: { index: number; job: SendJob; error: unknown }[] = [];
    claimed.forEach(({ index, job }, i) => {
      const call = calls[i];
      if ('receipt' in call) {
        ended.push({
          job,
          result: { id: job.id, status: 'delivered', partnerReference: call.receipt.partnerReference },
        });
      } else if (call.error instanceof DeliveryRejectedError) {
        ended.push({ job, result: { id: job.id, status: 'failed', error: call.error.message } });
      } else unsent.push({ index, job, error: call.error });
    });
    await this.finish(ended, doneAlready);

    for (const { index, job, error } of unsent) {
      await this.afterFailedCall(job, error, ctx).catch((e: unknown) => errors.set(index, e));
    }
    for (const { index, job, until } of busy) {
      await this.park(job, 'another handler is sending it', until, false).catch((e: unknown) =>
        errors.set(index, e),
      );
    }
    return errors;
  }

  /** The partner calls of one claimed send: ask first if an earlier call's fate is unknown, then send. */
  private async call(job: SendJob, attempts: number): Promise<CallResult> {
    try {
      let receipt: DeliveryReceipt | undefined;
      if (attempts > 1 && job.lookup) {
        receipt = await job.lookup();
        if (receipt) {
          this.logger.warn(
            { id: job.id, channel: job.channel, destination: job.destination, attempts },
            'an earlier call of unknown outcome had reached the partner: not sent again',
          );
        }
      }
      receipt ??= await job.send();
      return { receipt };
    } catch (error) {
      return { error };
    }
  }

  /** Throws what the transport must do with a send whose call failed (nothing when it is parked). */
  private async afterFailedCall(job: SendJob, error: unknown, ctx: KafkaEventContext): Promise<void> {
    // Our own dependency away mid-call: the lease stays; the transport waits and the retry finds it.
    if (isDependencyUnavailable(error) && !(error instanceof PartnerUnavailableError)) throw error;
    const message = (error as Error).message;
    if (!(error instanceof CircuitOpenError) && ctx.attempt < this.options.maxAttempts) {
      await this.ledger.release(job.id, message);
      throw new SendRetryError(message);
    }
    await this.park(job, message, undefined, true);
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

  /**
   * Records the sends that ended, in one transaction: their outcome (once: a send ended already is
   * not announced again), their parked copies gone, their outcome events queued. Sends found done
   * at claim time only lose their parked copies.
   */
  private async finish(ended: readonly Ended[], doneAlready: readonly string[]): Promise<void> {
    if (ended.length === 0) {
      if (doneAlready.length > 0) await this.retries.forgetMany(this.dataSource, doneAlready);
      return;
    }
    const now = this.clock.now();
    const announced = await this.dataSource.transaction(async (manager) => {
      const attempts = await this.ledger.completeMany(
        manager,
        ended.map((e) => e.result),
        now,
      );
      await this.retries.forgetMany(manager, [...ended.map((e) => e.job.id), ...doneAlready]);
      const events = ended
        .filter((e) => attempts.has(e.job.id))
        .map((e) => this.outcomeMessage(e, attempts.get(e.job.id)!, now));
      await enqueueOutbox(manager, events);
      return events.length;
    });
    if (announced > 0) this.relay.nudge();
  }

  private outcomeMessage({ job, result }: Ended, attempts: number, now: Date) {
    return this.outcomeOf(
      {
        deliveryId: job.id,
        requestId: job.requestId,
        channel: job.channel,
        destination: job.destination,
        at: now.toISOString(),
        attempts,
        outcome: result.status,
        partnerReference: result.partnerReference,
        error: result.error,
      },
      now,
      job.event.correlationid,
    );
  }

  private outcomeOf(outcome: DeliveryOutcome, now: Date, correlationId: string) {
    const envelope = createEnvelope({
      id: this.ids.uuid(),
      type: EVENT_TYPES[TOPICS.deliveryOutcome],
      source: ADAPTERS_SOURCE,
      time: now,
      subject: outcome.requestId,
      correlationId,
      data: outcome,
    });
    return { topic: TOPICS.deliveryOutcome, key: outcome.requestId, value: JSON.stringify(envelope) };
  }

  /**
   * A request was withdrawn (SPEC §8): its deliveries not yet made are cancelled now, with their
   * outcome, so they are never sent afterwards (one in flight finishes; a later claim of any that
   * appears still finds the withdrawal and cancels it). Returns how many were cancelled.
   */
  async cancelWithdrawn(requestId: string, correlationId: string): Promise<number> {
    const now = this.clock.now();
    const cancelled = await this.dataSource.transaction(async (manager) => {
      const rows = await this.ledger.cancelPending(manager, requestId, now);
      if (rows.length === 0) return 0;
      await this.retries.forgetMany(
        manager,
        rows.map((r) => r.id),
      );
      await enqueueOutbox(
        manager,
        rows.map((r) =>
          this.outcomeOf(
            {
              deliveryId: r.id,
              requestId,
              channel: r.channel as Channel,
              destination: r.destination,
              at: now.toISOString(),
              attempts: Math.max(r.attempts, 1),
              outcome: 'cancelled',
              error: 'request withdrawn',
            },
            now,
            correlationId,
          ),
        ),
      );
      return rows.length;
    });
    if (cancelled > 0) {
      this.relay.nudge();
      this.logger.info({ requestId, cancelled }, 'deliveries of a withdrawn request cancelled');
    }
    return cancelled;
  }
}
