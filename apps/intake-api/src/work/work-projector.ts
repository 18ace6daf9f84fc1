import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import {
  TOPICS,
  type AuditRecorded,
  type DeadlineReached,
  type EventEnvelope,
  type Topic,
  type TopicEvent,
} from '@ixr/messaging';
import { markProcessed, markProcessedMany } from '@ixr/persistence';
import { storeInboundRecord, storeReplyOutcomes, storeRoutings } from './pipeline-records';
import { addInboxItems, appendFeed, type NewInboxItem } from './work-feed.writer';
import { refreshWorkRequest, refreshWorkRequests } from './work-request.projection';

const CONSUMER = 'intake-work';

export type TopicHandler = [string, (event: EventEnvelope) => Promise<void>, { batch: true }?];

/**
 * A handler of a topic's events a batch at a time (`{ batch: true }` of the transport); its payload
 * type is the topic's, from the schema registry.
 */
export function consumeBatches<T extends Topic>(
  topic: T,
  handle: (events: TopicEvent<T>[]) => Promise<void>,
): TopicHandler {
  return [topic, (events) => handle(events as unknown as TopicEvent<T>[]), { batch: true }];
}

/** A handler of one topic's events (validated against the topic's schema by the transport first). */
function consume<T extends Topic>(topic: T, handle: (event: TopicEvent<T>) => Promise<void>): TopicHandler {
  return [topic, (event) => handle(event as TopicEvent<T>)];
}

const MILESTONE_SHARE: Record<DeadlineReached['milestone'], string> = {
  warning_50: '50 %',
  warning_75: '75 %',
  warning_90: '90 %',
  breach: '100 %',
};

/**
 * The intake's side of the pipeline's events (SPEC §7): it stores in `requests` and `replies`, which
 * it alone writes, what the router and the adapters announce (decisions, partners' messages, the
 * outcomes of our messages), and keeps the list's read model and the units' inboxes current. Each
 * event is handled once: its processed-event record, the rows it changes and the feed entries that
 * announce them commit together, so a restart neither loses nor repeats an item.
 */
export class WorkProjector {
  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly options: { spocUnit: string },
  ) {}

  /** The topics it follows, and the handler of each (`consume` is what the AsyncAPI test looks for). */
  handlers(): TopicHandler[] {
    return [
      consumeBatches(TOPICS.requestReceived, (e) => this.onReceived(e)),
      consumeBatches(TOPICS.requestRouted, (e) => this.onRouted(e)),
      consumeBatches(TOPICS.deliveryOutcome, (e) => this.onOutcome(e)),
      consume(TOPICS.auditRecorded, (e) => this.onAudit(e)),
      consume(TOPICS.deadlineReached, (e) => this.onDeadline(e)),
      consume(TOPICS.inboundRecorded, (e) => this.onInboundRecorded(e)),
    ];
  }

  onReceived(events: TopicEvent<typeof TOPICS.requestReceived>[]): Promise<void> {
    return this.refreshAll(
      events.map((e) => ({
        event: e,
        requestId: e.data.requestId,
        at: new Date(e.data.receivedAt),
        level: e.data.actor.level,
      })),
    );
  }

  /** The router's decision: stored with the request (once), then the list follows. */
  onRouted(events: TopicEvent<typeof TOPICS.requestRouted>[]): Promise<void> {
    return this.refreshAll(
      events.map((e) => ({ event: e, requestId: e.data.requestId, at: new Date(e.time) })),
      (manager, fresh) =>
        storeRoutings(
          manager,
          events.filter((e) => fresh.has(e.id)),
        ),
    );
  }

  /** A send's outcome: a message on a request (a reply) is ended with it; a delivery is the router's. */
  onOutcome(events: TopicEvent<typeof TOPICS.deliveryOutcome>[]): Promise<void> {
    return this.refreshAll(
      events.map((e) => ({
        event: e,
        requestId: e.data.requestId,
        at: new Date(e.data.at),
        outcome: { deliveryId: e.data.deliveryId, status: e.data.outcome },
      })),
      (manager, fresh) =>
        storeReplyOutcomes(
          manager,
          events.filter((e) => fresh.has(e.id)),
        ),
    );
  }

  /** A partner's message as the router placed it: stored as a request or a reply, then the list follows. */
  async onInboundRecorded(event: TopicEvent<typeof TOPICS.inboundRecorded>): Promise<void> {
    await this.once(event, async (m) => {
      const requestId = await storeInboundRecord(m, event);
      if (requestId) await refreshWorkRequest(m, requestId, new Date(event.data.recordedAt));
    });
  }

  /**
   * The pipeline's high-volume events, a Kafka batch at a time: one transaction records them
   * handled and brings each request's row up to date once, in a fixed number of statements. Requests are locked in id order and
   * the feed last, so concurrent batches (and single events) never wait on each other in a circle.
   * A batch that fails is taken again one event at a time by the transport.
   */
  private async refreshAll(
    items: {
      event: EventEnvelope;
      requestId: string;
      at: Date;
      level?: string;
      /** A delivery's announced outcome, which the router may not have recorded yet. */
      outcome?: { deliveryId: string; status: string };
    }[],
    /** What the events not handled before store, before the list is brought up to date. */
    store?: (manager: EntityManager, fresh: Set<string>) => Promise<void>,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const fresh = await markProcessedMany(
        manager,
        CONSUMER,
        items.map((i) => i.event.id),
      );
      await store?.(manager, fresh);
      const changes = await refreshWorkRequests(
        manager,
        items
          .filter((item) => fresh.has(item.event.id))
          .map((item) => ({
            requestId: item.requestId,
            at: item.at,
            level: item.level,
            outcomes: item.outcome ? new Map([[item.outcome.deliveryId, item.outcome.status]]) : undefined,
          })),
        { deferFeed: true },
      );
      const feed = changes.flatMap((change) => (change.feed ? [change.feed] : []));
      await appendFeed(manager, feed);
    });
  }

  /** Inbound steps arrive as exchange-log records: a request routed to a unit, a partner's answer. */
  async onAudit(event: TopicEvent<typeof TOPICS.auditRecorded>): Promise<void> {
    const item = inboxItemOfAudit(event);
    if (!item) return; // consultations, exports, changes…: nothing for an inbox
    await this.once(event, async (m) => {
      await refreshWorkRequest(m, item.requestId, item.at);
      await addInboxItems(m, [item]);
    });
  }

  /**
   * A warning (50/75/90 %) or the breach: outbound, to the requesting unit (to chase the partner);
   * inbound, to the unit handling it (to answer in time); both to the SPOC.
   */
  async onDeadline(event: TopicEvent<typeof TOPICS.deadlineReached>): Promise<void> {
    const { requestId, milestone, deadlineAt, deadlineBasis } = event.data;
    await this.once(event, async (m) => {
      const change = await refreshWorkRequest(m, requestId, new Date(event.data.dueAt));
      const handling = change ? [change.unit] : event.data.notify;
      const units = [...new Set([...handling, this.options.spocUnit])];
      const inbound = change?.direction === 'inbound';
      const summary =
        milestone === 'breach'
          ? `Deadline passed (${deadlineBasis}, due ${deadlineAt}): escalated`
          : `${MILESTONE_SHARE[milestone]} of the time allowed has passed (${deadlineBasis}, due ${deadlineAt}): ${inbound ? 'answer in time' : 'chase the partner'}`;
      await addInboxItems(
        m,
        units.map((unit) => ({
          unit,
          kind: milestone === 'breach' ? 'escalation' : 'deadline_warning',
          requestId,
          at: new Date(event.data.dueAt),
          summary,
          source: `${requestId}/${milestone}`,
        })),
      );
    });
  }

  private async once(
    event: EventEnvelope,
    work: (manager: EntityManager) => Promise<unknown>,
  ): Promise<void> {
    const handled = await this.dataSource.transaction(async (manager) => {
      if (!(await markProcessed(manager, CONSUMER, event.id))) return false;
      await work(manager);
      return true;
    });
    if (!handled) this.logger.debug({ eventId: event.id, type: event.type }, 'event handled before');
  }
}

/** The inbox item an exchange-log record means, if any. */
export function inboxItemOfAudit(event: EventEnvelope<AuditRecorded>): NewInboxItem | undefined {
  const { kind, details, requestId, recipients, at } = event.data;
  const unit = recipients[0];
  if (!requestId || !unit) return undefined;
  if (kind === 'delivered' && details.direction === 'inbound') {
    return {
      unit,
      kind: 'inbound_request',
      requestId,
      at: new Date(at),
      summary: `Foreign request to handle, routed to ${unit} by rule ${String(details.ruleId)}`,
      source: event.id,
    };
  }
  if (kind === 'received' && details.kind === 'answer' && details.disposition === 'attach') {
    return {
      unit,
      kind: 'answer',
      requestId,
      at: new Date(at),
      summary: `Answer from ${event.data.actor.unit}${details.late === true ? ' (after the deadline)' : ''}`,
      source: event.id,
    };
  }
  return undefined;
}
