import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import {
  PermanentHandlerError,
  type EventEnvelope,
  type InboundReceived,
  type OutboxRelay,
  type OutgoingMessage,
  type PartnerAnswer,
  type PartnerCaseStep,
  type PartnerProvision,
  type PartnerRequest,
} from '@ixr/messaging';
import {
  enqueueOutbox,
  markProcessed,
  type ActiveRoutingConfig,
  type RoutingConfigStore,
} from '@ixr/persistence';
import type { Clock, IdGenerator } from '@ixr/platform';
import { deadlineMilestones, resolveInboundAnswer, routeInbound, type Directory } from '@ixr/routing';
import { handleInboundCaseStep } from './inbound-case-step';
import {
  asReceived,
  inboundLogMessage,
  inboundRecordedMessage,
  partnerActor,
  ROUTER_ACTOR,
} from './inbound-log';

const CONSUMER = 'router-inbound';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Inbound routes end in a unit's inbox; the router writes it itself. */
const INTERNAL_CHANNELS = new Set(['national_unit', 'national_spoc']);

/**
 * A foreign partner's message, accepted by its adapter (SPEC §4.4):
 * - a new request becomes a request of direction `inbound`, routed by the rule set to the contact
 *   point that covers its theme (and region) or to the SPOC duty desk, put in that unit's inbox,
 *   and given the same deadline clock as outbound requests; the channel and partner (a country,
 *   a PCCC, a liaison post or Europol) are kept so the reply goes back the way the request came;
 * - an answer is attached to the request it names (`inReplyTo`) and the requesting unit notified;
 *   an answer to an unknown request goes to the SPOC queue — never dropped. Late answers are kept.
 * Each step is logged in the transaction that makes it; handling an event twice changes nothing.
 */
export class HandleInboundUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly store: RoutingConfigStore,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly logger: Logger,
    private readonly options: { spocUnit: string },
  ) {}

  async execute(event: EventEnvelope<InboundReceived>): Promise<void> {
    const config = await this.store.active();
    const directory: Directory = { ...config.directory, spocUnit: this.options.spocUnit };
    const { message } = event.data;
    const handled =
      message.kind === 'request' || message.kind === 'provision'
        ? await this.request(event, message, directory, config)
        : message.kind === 'answer'
          ? await this.answer(event, message, directory)
          : await this.caseStep(event, message);
    if (handled) this.relay.nudge();
  }

  private async request(
    event: EventEnvelope<InboundReceived>,
    message: PartnerRequest | PartnerProvision,
    directory: Directory,
    config: Pick<ActiveRoutingConfig, 'ruleset' | 'rulesetHash' | 'directoryVersion'>,
  ): Promise<boolean> {
    const { ruleset, rulesetHash, directoryVersion } = config;
    const { inboundId, channel, originCountry, receivedAt } = event.data;
    const sender = senderOf(event.data);
    const now = this.clock.now();
    const routed = routeInbound(
      {
        requestId: inboundId,
        originCountry,
        partner: sender,
        channel,
        receivedAt,
        offenceCategory: message.offence.category,
        region: message.region,
        urgency: message.urgency,
        accessibility: message.accessibility,
        handlingCode: message.handlingCode,
        kind: message.kind,
      },
      directory,
      ruleset,
      now,
    );
    if (routed.kind !== 'request') throw new Error('a partner request was routed as an answer');
    const { decision } = routed;
    const outside = decision.routes.filter((r) => !INTERNAL_CHANNELS.has(r.channel));
    if (outside.length > 0) {
      throw new PermanentHandlerError(
        'ROUTING.INBOUND_CHANNEL',
        `rule set ${decision.rulesetVersion} routes inbound request ${inboundId} to ${outside.map((r) => r.channel).join(', ')}: inbound requests go to national units only`,
      );
    }
    const assigned = decision.routes.find((r) => r.role === 'primary')?.destination ?? directory.spocDutyDesk;
    const partner = partnerActor(channel, sender);
    const at = now.toISOString();

    return this.dataSource.transaction(async (manager) => {
      if (!(await markProcessed(manager, CONSUMER, event.id))) return false;
      // The router's own record (the intake stores the request from the event below): its deadline
      // for the monitor, and how the partner's later steps on it find it.
      const inserted: unknown[] = await manager.query(
        `INSERT INTO routed_requests (request_id, direction, routed_at, deadline_at, deadline_basis,
           requesting_unit, handling_unit, origin_partner, partner_message_id, handling_code)
         VALUES ($1, 'inbound', $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT DO NOTHING RETURNING request_id`,
        [
          inboundId,
          now,
          decision.deadline.at,
          decision.deadline.basis,
          partner.unit,
          assigned,
          sender,
          message.messageId,
          message.handlingCode,
        ],
      );
      if (inserted.length === 0) return false;
      const log: OutgoingMessage[] = [
        inboundRecordedMessage(
          {
            ...asReceived(event.data, sender),
            attachedTo: inboundId,
            unit: assigned,
            author: partner,
            handlingCode: message.handlingCode,
            late: false,
            decision,
            recordedAt: at,
          },
          this.ids,
          event.correlationid,
        ),
        inboundLogMessage(
          {
            kind: 'received',
            actor: partner,
            // The purpose is the partner's free text: it travels sealed inside `request` (SPEC §10).
            justification: `${message.kind} of ${channel}/${sender} (partner message ${message.messageId})`,
            requestId: inboundId,
            recipients: [directory.spocUnit],
            channel,
            rulesetVersion: null,
            at: receivedAt,
            details: {
              direction: 'inbound',
              partner: sender,
              originCountry: originCountry ?? null,
              partnerMessageId: message.messageId,
              request: message,
            },
          },
          this.ids,
          event.correlationid,
        ),
        inboundLogMessage(
          {
            kind: 'routed',
            actor: ROUTER_ACTOR,
            justification: `inbound routing under rule set ${decision.rulesetVersion} (SPEC §4.4)`,
            requestId: inboundId,
            recipients: decision.routes.map((r) => `${r.channel}:${r.destination}`),
            channel: null,
            rulesetVersion: decision.rulesetVersion,
            at,
            // What replay re-runs it with (`npm run audit -- replay`): the rule set, the directory
            // version, and the partner's message in the `received` entry above.
            details: {
              direction: 'inbound',
              decision,
              rulesetHash,
              directoryVersion,
              replyVia: routed.replyVia,
            },
          },
          this.ids,
          event.correlationid,
        ),
      ];
      for (const route of decision.routes) {
        const deliveryId = this.ids.uuid();
        await this.deliverToInbox(manager, { deliveryId, requestId: inboundId, route, now });
        log.push(
          inboundLogMessage(
            {
              kind: 'delivered',
              actor: ROUTER_ACTOR,
              justification: `${route.role} route by rule ${route.ruleId}: ${route.reason}`,
              requestId: inboundId,
              recipients: [route.destination],
              channel: route.channel,
              rulesetVersion: decision.rulesetVersion,
              at,
              details: { direction: 'inbound', deliveryId, role: route.role, ruleId: route.ruleId },
            },
            this.ids,
            event.correlationid,
          ),
        );
      }
      const milestones = deadlineMilestones(decision.deadline, receivedAt);
      if (milestones.length > 0) {
        await manager.query(
          `INSERT INTO deadline_milestones (request_id, milestone, due_at)
           SELECT $1, m, d FROM unnest($2::text[], $3::timestamptz[]) AS t(m, d) ON CONFLICT DO NOTHING`,
          [inboundId, milestones.map((m) => m.milestone), milestones.map((m) => m.at)],
        );
      }
      await enqueueOutbox(manager, log);
      this.logger.info(
        { requestId: inboundId, channel, partner: sender, originCountry, unit: assigned },
        'inbound request routed',
      );
      return true;
    });
  }

  private async deliverToInbox(
    manager: EntityManager,
    input: {
      deliveryId: string;
      requestId: string;
      route: { channel: string; destination: string; role: string; ruleId: string };
      now: Date;
    },
  ): Promise<void> {
    const { deliveryId, requestId, route, now } = input;
    await manager.query(
      `INSERT INTO deliveries (id, request_id, channel, destination, role, rule_id, status, attempts,
         partner_reference, last_error, dispatched_at, completed_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'delivered', 1, $7, NULL, $8, $8)`,
      [
        deliveryId,
        requestId,
        route.channel,
        route.destination,
        route.role,
        route.ruleId,
        `inbox:${route.destination}:${deliveryId}`,
        now,
      ],
    );
    await manager.query(
      `INSERT INTO unit_inbox (delivery_id, unit, request_id, channel, role, received_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [deliveryId, route.destination, requestId, route.channel, route.role, now],
    );
  }

  private async answer(
    event: EventEnvelope<InboundReceived>,
    message: PartnerAnswer,
    directory: Directory,
  ): Promise<boolean> {
    const { inboundId, channel, receivedAt } = event.data;
    const sender = senderOf(event.data);
    const now = this.clock.now();
    const partner = partnerActor(channel, sender);
    return this.dataSource.transaction(async (manager) => {
      if (!(await markProcessed(manager, CONSUMER, event.id))) return false;
      // Our request (the intake stored it before announcing it); its deadline is the router's own.
      const [target]: { id: string; requesting_unit: string; deadline_at: Date | null }[] = UUID.test(
        message.inReplyTo,
      )
        ? await manager.query(
            `SELECT r.id, r.requesting_unit, rr.deadline_at
               FROM requests r LEFT JOIN routed_requests rr ON rr.request_id = r.id
              WHERE r.id = $1 AND r.direction = 'outbound'`,
            [message.inReplyTo],
          )
        : [];
      const disposition = resolveInboundAnswer(
        { inReplyTo: message.inReplyTo },
        target !== undefined,
        directory,
      );
      const requestId = disposition.action === 'attach' ? disposition.requestId : null;
      const unit = target?.requesting_unit ?? directory.spocUnit;
      // Kept even when late: the deadline is the partner's, the answer is still evidence.
      const late = target?.deadline_at ? now.getTime() > target.deadline_at.getTime() : false;
      if (requestId) {
        // The requesting unit is told: the answer appears in its inbox.
        await manager.query(
          `INSERT INTO unit_inbox (delivery_id, unit, request_id, channel, role, received_at)
           VALUES ($1, $2, $3, $4, 'answer', $5) ON CONFLICT DO NOTHING`,
          [inboundId, unit, requestId, channel, now],
        );
      }
      await enqueueOutbox(manager, [
        inboundRecordedMessage(
          {
            ...asReceived(event.data, sender),
            ...(requestId !== null && { attachedTo: requestId }),
            unit,
            author: partner,
            handlingCode: message.handlingCode,
            late,
            recordedAt: now.toISOString(),
          },
          this.ids,
          event.correlationid,
        ),
        inboundLogMessage(
          {
            kind: 'received',
            actor: partner,
            justification:
              disposition.action === 'attach'
                ? `answer of ${channel}/${sender} to request ${disposition.requestId}${late ? ' (after its deadline)' : ''}`
                : disposition.reason,
            requestId,
            recipients: [unit],
            channel,
            rulesetVersion: null,
            at: receivedAt,
            details: {
              direction: 'inbound',
              kind: 'answer',
              replyId: inboundId,
              inReplyTo: message.inReplyTo,
              partnerMessageId: message.messageId,
              disposition: disposition.action,
              late,
            },
          },
          this.ids,
          event.correlationid,
        ),
      ]);
      this.logger.info(
        { replyId: inboundId, inReplyTo: message.inReplyTo, disposition: disposition.action, late },
        'inbound answer handled',
      );
      return true;
    });
  }

  /** A refusal, clarification, delay notice or withdrawal on an existing request (SPEC §8). */
  private async caseStep(event: EventEnvelope<InboundReceived>, message: PartnerCaseStep): Promise<boolean> {
    const sender = senderOf(event.data);
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      if (!(await markProcessed(manager, CONSUMER, event.id))) return false;
      const step = await handleInboundCaseStep(manager, event.data, message, sender, {
        now,
        spocUnit: this.options.spocUnit,
        ids: this.ids,
        correlationId: event.correlationid,
      });
      await enqueueOutbox(manager, step.messages);
      this.logger.info(
        { replyId: event.data.inboundId, requestId: step.requestId, ...step.summary },
        'inbound case step handled',
      );
      return true;
    });
  }
}

/** Who sent the message: its partner, or, in events from before non-country partners, its country. */
function senderOf(data: InboundReceived): string {
  const sender = data.partner ?? data.originCountry;
  if (sender === undefined)
    throw new PermanentHandlerError('INBOUND.NO_PARTNER', 'the message names no partner');
  return sender;
}
