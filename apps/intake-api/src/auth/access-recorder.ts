import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { Actor } from '@ixr/domain';
import { PeriodicTask } from '@ixr/platform';
import { AuditRecorder } from '@ixr/exchange-log-store';
import { APP_LOGGER } from '../http/app-logger';
import { toDependencyError } from '../http/dependency-errors';
import { DenialWindows, type RepeatedDenials } from './denial-window';

/** How long repeated refusals of one caller on one resource are gathered into one entry. */
export const DENIAL_WINDOW_MS = Symbol('DENIAL_WINDOW_MS');

interface Denial {
  actor: Actor;
  facts: AccessFacts;
}

export interface AccessFacts {
  requestId: string | null;
  justification: string;
  details: Record<string, unknown>;
}

/**
 * Records reads and refusals in the exchange log (Directive 2016/680 Art 25: consultation logs
 * with justification, time and who). A consultation is recorded before the data leaves: if it
 * cannot be recorded, the caller gets 503 and no data. A refusal is recorded on a best-effort
 * basis: the refusal itself never depends on the log being reachable. Repeated refusals of one
 * caller on one resource within DENIAL_WINDOW_MS make one entry at once and one with their count
 * when the window closes (DenialWindows): a caller cannot flood the log, or another unit's request.
 */
@Injectable()
export class AccessRecorder implements OnModuleDestroy {
  private readonly windows: DenialWindows<Denial>;
  private readonly summaries: PeriodicTask;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Optional() @Inject(DENIAL_WINDOW_MS) windowMs: number = 60_000,
  ) {
    this.windows = new DenialWindows(windowMs);
    this.summaries = new PeriodicTask(
      Math.max(100, Math.min(windowMs / 4, 5000)),
      () => this.summarise(this.windows.closeExpired(new Date())),
      (error) => this.logger.warn({ err: error }, 'could not summarise access denials'),
    );
    this.summaries.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.summaries.stop();
    await this.summarise(this.windows.closeAll());
  }

  async consulted(actor: Actor, facts: AccessFacts): Promise<void> {
    try {
      await this.dataSource.transaction((manager) =>
        this.audit.record(manager, actor, { kind: 'consulted', ...facts }),
      );
    } catch (error) {
      throw toDependencyError(error);
    }
    this.audit.nudge();
  }

  async denied(actor: Actor, facts: AccessFacts): Promise<void> {
    // One caller (person, unit and the roles they came with), one resource (the request, and what
    // was tried on it).
    const action = typeof facts.details.action === 'string' ? facts.details.action : '';
    const resource = `${facts.requestId ?? ''}\u0000${action}`;
    const { recordNow, closed } = this.windows.offer(
      `${actor.person}\u0000${actor.unit}\u0000${actor.role}\u0000${resource}`,
      { actor, facts },
      new Date(),
    );
    await this.summarise(closed);
    if (recordNow) await this.record(actor, facts);
  }

  /** One entry per closed window: the refusals after the first, with their count and span. */
  private async summarise(closed: readonly RepeatedDenials<Denial>[]): Promise<void> {
    for (const { first, repeated, from, to } of closed) {
      await this.record(first.actor, {
        ...first.facts,
        details: { ...first.facts.details, repeated, from: from.toISOString(), to: to.toISOString() },
      });
    }
  }

  private async record(actor: Actor, facts: AccessFacts): Promise<void> {
    try {
      await this.dataSource.transaction((manager) =>
        this.audit.record(manager, actor, { kind: 'denied', ...facts }),
      );
      this.audit.nudge();
    } catch (error) {
      this.logger.error(
        { err: error, unit: actor.unit, requestId: facts.requestId },
        'a refusal could not be recorded in the exchange log',
      );
    }
  }
}
