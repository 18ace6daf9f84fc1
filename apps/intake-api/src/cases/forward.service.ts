import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor, Channel, HandlingCode, RoutingDecision } from '@ixr/domain';
import type { CaseMessageQueued } from '@ixr/messaging';
import { RoutingConfigStore } from '@ixr/persistence';
import { AppError, Clock, IdGenerator, NotFoundError, ValidationFailedError } from '@ixr/platform';
import { guardDissemination, isRestricted, languageIssues } from '@ixr/routing';
import { AuditRecorder } from '@ixr/exchange-log-store';
import { toDependencyError } from '../http/dependency-errors';
import { queueCaseMessage } from './case-message.outbox';
import type { CaseStepAccepted } from './case-steps.service';

/** An onward transfer the handling code or the originator's missing consent forbids (422). */
export class OnwardTransferRefusedError extends AppError {
  readonly code = 'ONWARD.CONSENT_REQUIRED';
}

/** Nothing was received on the request yet: nothing to pass on (409). */
export class NothingToForwardError extends AppError {
  readonly code = 'ONWARD.NOTHING_RECEIVED';
}

export interface ForwardBody {
  countries: string[];
  consentReference?: string;
}

interface Received {
  partner: string;
  channel: Channel;
  handlingCode: HandlingCode;
  text: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RANK: Record<HandlingCode, number> = { H0: 0, H1: 1, H2: 2, H3: 3 };

/**
 * Onward transfer of information received from a partner (SPEC §8; Directive 2023/977 Art 12,
 * handling codes of DOMAIN.md): a SPOC operator passes what a partner provided — its answers to
 * one of our requests, or its own request — to other states. Information from another state goes
 * on only with its consent, and H2/H3 information never without it: without a consent reference
 * the transfer is refused (422) with the reason naming the handling code (the rule of
 * libs/routing's dissemination guard). The consent reference is recorded with each message and in
 * the log; each goes out over SIENA (EU and Schengen states) or Interpol, once logged.
 */
@Injectable()
export class ForwardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly routingConfig: RoutingConfigStore,
  ) {}

  async forward(requestId: string, actor: Actor, body: ForwardBody): Promise<CaseStepAccepted> {
    if (!UUID.test(requestId)) throw new NotFoundError(`no request ${requestId}`);
    const { directory } = await this.routingConfig.active();
    try {
      const result = await this.dataSource.transaction(async (manager) => {
        const [request]: {
          id: string;
          direction: string;
          origin_channel: Channel | null;
          origin_partner: string | null;
          body: { handlingCode?: HandlingCode; language?: string; informationSought?: string };
        }[] = await manager.query(
          `SELECT id, direction, origin_channel, origin_partner, body FROM requests WHERE id = $1 FOR UPDATE`,
          [requestId],
        );
        if (!request) throw new NotFoundError(`no request ${requestId}`);
        const received: Received[] =
          request.direction === 'inbound'
            ? [
                {
                  partner: request.origin_partner!,
                  channel: request.origin_channel!,
                  handlingCode: request.body.handlingCode ?? 'H0',
                  text: request.body.informationSought ?? '',
                },
              ]
            : (
                await manager.query<
                  { partner: string; channel: Channel; handling_code: HandlingCode; text: string }[]
                >(
                  `SELECT partner, channel, handling_code, text FROM replies
                    WHERE request_id = $1 AND direction = 'inbound' AND kind = 'answer' ORDER BY created_at`,
                  [requestId],
                )
              ).map((r) => ({
                partner: r.partner,
                channel: r.channel,
                handlingCode: r.handling_code,
                text: r.text,
              }));
        if (received.length === 0) {
          throw new NothingToForwardError(
            `nothing was received on request ${requestId} yet: nothing to pass on`,
          );
        }
        const handlingCode = received.reduce<HandlingCode>(
          (worst, r) => (RANK[r.handlingCode] > RANK[worst] ? r.handlingCode : worst),
          'H0',
        );
        const originators = [...new Set(received.map((r) => r.partner))];
        const language = request.body.language ?? 'en';
        this.checkTargets(body.countries, originators, directory, language);
        const targets = body.countries.map((country) => ({
          channel: channelFor(directory.countries[country]),
          destination: country,
        }));
        if (body.consentReference === undefined) this.refuse(targets, received, handlingCode, requestId);
        const now = this.clock.now();
        const messages = [];
        for (const target of targets) {
          const message: CaseMessageQueued = {
            replyId: this.ids.uuid(),
            kind: 'onward_transfer',
            requestId,
            channel: target.channel,
            destination: target.destination,
            inReplyTo: requestId,
            handlingCode,
            language,
            text: received
              .map((r) => r.text)
              .join('\n\n')
              .slice(0, 4000),
            consentReference: body.consentReference,
            author: actor,
            at: now.toISOString(),
          };
          await queueCaseMessage(manager, this.ids.uuid(), message);
          messages.push({ id: message.replyId, channel: target.channel, destination: target.destination });
        }
        return {
          requestId,
          kind: 'onward_transfer' as const,
          status: 'forwarded',
          messages,
          createdAt: now.toISOString(),
        };
      });
      this.audit.nudge();
      return result;
    } catch (error) {
      throw toDependencyError(error);
    }
  }

  private checkTargets(
    countries: readonly string[],
    originators: readonly string[],
    directory: Awaited<ReturnType<RoutingConfigStore['active']>>['directory'],
    language: string,
  ): void {
    const issues = countries.flatMap((country, i) => {
      const path = `countries.${i}`;
      if (!(country in directory.countries)) return [{ path, message: `${country} is not in the directory` }];
      if (originators.includes(country)) {
        return [
          { path, message: `${country} provided the information: sending it back is not an onward transfer` },
        ];
      }
      return languageIssues(directory, [country], language, path);
    });
    if (issues.length > 0)
      throw new ValidationFailedError('some countries cannot receive this information', issues);
  }

  /** Without the originator's consent: refused, with the reason naming the handling code. */
  private refuse(
    targets: { channel: Channel; destination: string }[],
    received: readonly Received[],
    handlingCode: HandlingCode,
    requestId: string,
  ): never {
    const origin = received.find((r) => r.handlingCode === handlingCode)!;
    if (isRestricted(handlingCode)) {
      const decision: RoutingDecision = {
        requestId,
        rulesetVersion: 'onward-transfer',
        decidedAt: new Date(0).toISOString(),
        routes: targets.map((t) => ({ ...t, role: 'primary', ruleId: 'ONWARD', reason: 'onward transfer' })),
        europolCopy: { copy: false, reason: 'not applicable' },
        deadline: { at: null, basis: 'none' },
      };
      const guarded = guardDissemination(
        decision,
        { partner: origin.partner, channel: origin.channel, handlingCode, requestId },
        [],
      );
      throw new OnwardTransferRefusedError(
        `handling code ${handlingCode}: ${guarded.withheld.map((w) => w.reason).join(' ')} Give consentReference once ${origin.partner} consents.`,
      );
    }
    throw new OnwardTransferRefusedError(
      `handling code ${handlingCode}: the information comes from ${origin.partner}, another state; it goes to ` +
        `${targets.map((t) => t.destination).join(', ')} only with ${origin.partner}'s consent (Directive 2023/977 Art 12). ` +
        'Give consentReference.',
    );
  }
}

/** SIENA between EU and Schengen states (Art 13), Interpol for the others. */
function channelFor(entry: { euMember: boolean; schengenAssociated: boolean } | undefined): Channel {
  return entry && (entry.euMember || entry.schengenAssociated) ? 'siena' : 'interpol';
}
