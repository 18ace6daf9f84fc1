import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DataKeyVault } from '@ixr/persistence';
import type { Actor } from '@ixr/domain';
import type { BundleScope } from '@ixr/exchange-log';
import { Clock, NotFoundError, ValidationFailedError } from '@ixr/platform';
import { toDependencyError } from '../http/dependency-errors';
import {
  AUDIT_SETTINGS,
  AuditRecorder,
  exportEvidence,
  ExportTooLargeError,
  LogReader,
  NothingToExportError,
  replayDecisions,
  requestTimeline,
  resolveLogTrust,
  verifyLog,
  type AuditFacts,
  type AuditSettings,
  type LogVerification,
  type ReplayReport,
  type Timeline,
  type TimelinePage,
} from '@ixr/exchange-log-store';

export interface ExportBody {
  manifest: unknown;
  /** Every file of the bundle, by path, as UTF-8 text: write them out to verify offline. */
  files: Record<string, string>;
}

/**
 * The audit API's reads of the exchange log (SPEC §2). Each read is itself recorded in the log
 * — `consulted`, or `exported` for a bundle — with the auditor and their justification, before
 * its answer leaves: a read that cannot be recorded is not answered.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly recorder: AuditRecorder,
    private readonly clock: Clock,
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
    private readonly dataKeys: DataKeyVault,
  ) {}

  async verify(actor: Actor, justification: string): Promise<LogVerification> {
    const reader = new LogReader(this.dataSource);
    const report = await this.guard(async () =>
      verifyLog(reader, await resolveLogTrust(reader, this.settings.origin, this.settings.configuredLogKeys)),
    );
    await this.record(actor, {
      kind: 'consulted',
      justification,
      requestId: null,
      details: {
        action: 'log_verified',
        ok: report.ok,
        entries: report.entries,
        firstBadSeq: report.firstBadSeq ?? null,
      },
    });
    return report;
  }

  async timeline(
    actor: Actor,
    justification: string,
    requestId: string,
    page: TimelinePage,
  ): Promise<Timeline> {
    const reader = new LogReader(this.dataSource);
    const timeline = await this.guard(async () =>
      requestTimeline(
        reader,
        await resolveLogTrust(reader, this.settings.origin, this.settings.configuredLogKeys),
        requestId,
        page,
        (keyId) => this.dataKeys.find(this.dataSource, keyId),
      ),
    );
    await this.record(actor, {
      kind: 'consulted',
      justification,
      requestId,
      details: { action: 'timeline_read', entries: timeline.entries.length, after: page.after },
    });
    if (timeline.entries.length === 0 && page.after < 0)
      throw new NotFoundError(`the exchange log has no entry for request ${requestId}`);
    return timeline;
  }

  async replay(
    actor: Actor,
    justification: string,
    requestId?: string,
  ): Promise<ReplayReport & { ok: boolean }> {
    const report = await this.guard(() =>
      replayDecisions(new LogReader(this.dataSource), { requestId, spocUnit: this.settings.spocUnit }),
    );
    await this.record(actor, {
      kind: 'consulted',
      justification,
      requestId: requestId ?? null,
      details: {
        action: 'decisions_replayed',
        replayed: report.replayed,
        differing: report.differing.length,
        unreplayable: report.unreplayable.length,
      },
    });
    return { ok: report.differing.length === 0 && report.unreplayable.length === 0, ...report };
  }

  async export(actor: Actor, justification: string, scope: BundleScope): Promise<ExportBody> {
    const reader = new LogReader(this.dataSource);
    const bundle = await this.guard(async () => {
      try {
        return await exportEvidence(
          reader,
          await resolveLogTrust(reader, this.settings.origin, this.settings.configuredLogKeys),
          this.settings.exporter,
          {
            scope,
            actor,
            justification,
            now: this.clock.now(),
            maxEntries: this.settings.exportMaxEntries,
            keyFor: (keyId) => this.dataKeys.find(this.dataSource, keyId),
          },
        );
      } catch (error) {
        if (error instanceof ExportTooLargeError)
          throw new ValidationFailedError(error.message, [{ path: 'query:from', message: error.message }]);
        if (error instanceof NothingToExportError) throw new NotFoundError(error.message);
        throw error;
      }
    });
    await this.record(actor, {
      kind: 'exported',
      justification,
      requestId: 'requestId' in scope ? scope.requestId : null,
      details: {
        action: 'evidence_exported',
        scope,
        entries: bundle.entries,
        checkpointSize: bundle.checkpointSize,
        manifestSha256: bundle.manifestSha256,
      },
    });
    const files: Record<string, string> = {};
    for (const [path, bytes] of bundle.files) files[path] = bytes.toString('utf8');
    return { manifest: JSON.parse(files['manifest.json']) as unknown, files };
  }

  private async record(actor: Actor, facts: AuditFacts): Promise<void> {
    await this.guard(() =>
      this.dataSource.transaction((manager) => this.recorder.record(manager, actor, facts)),
    );
    this.recorder.nudge();
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toDependencyError(error);
    }
  }
}
