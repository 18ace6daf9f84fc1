import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { Actor } from '@ixr/domain';
import { AuditRecorder } from '../audit/audit-recorder';
import { APP_LOGGER } from '../http/app-logger';
import { toDependencyError } from '../http/dependency-errors';

export interface AccessFacts {
  requestId: string | null;
  justification: string;
  details: Record<string, unknown>;
}

/**
 * Records reads and refusals in the exchange log (Directive 2016/680 Art 25: consultation logs
 * with justification, time and who). A consultation is recorded before the data leaves: if it
 * cannot be recorded, the caller gets 503 and no data. A refusal is recorded on a best-effort
 * basis: the refusal itself never depends on the log being reachable.
 */
@Injectable()
export class AccessRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

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
