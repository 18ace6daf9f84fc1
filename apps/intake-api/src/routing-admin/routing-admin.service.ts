import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor, RoutingDecision } from '@ixr/domain';
import { outboundRequestBodySchema, toValidationIssues } from '@ixr/domain';
import {
  ALL_CIRCUITS_CLOSED,
  canonicalDocument,
  evaluate,
  loadRuleset,
  parseDirectory,
  partnerUrlProblem,
  sha256Hex,
  validateRuleset,
  type Directory,
  type PartnerAddressPolicy,
  type RulesetIssue,
} from '@ixr/routing';
import { RoutingConfigStore } from '@ixr/persistence';
import {
  AppError,
  Clock,
  IdempotencyConflictError,
  IdGenerator,
  NotFoundError,
  ValidationFailedError,
} from '@ixr/platform';
import { AuditRecorder } from '@ixr/exchange-log-store';
import { toDependencyError } from '../http/dependency-errors';

/** Where partner endpoints may point (PARTNER_ALLOWED_HOSTS and the mode): checked on every save. */
export const PARTNER_ADDRESS_POLICY = Symbol('PARTNER_ADDRESS_POLICY');

export class RulesetNotActivatableError extends AppError {
  readonly code = 'ROUTING.RULESET_INVALID';
}

export interface RulesetSummary {
  version: string;
  hash: string;
  status: string;
  createdBy: string;
  createdAt: string;
  activatedAt: string | null;
}

/**
 * The rule-set lifecycle (draft → validate → simulate → activate) and the directory, all stored
 * in PostgreSQL. Every change is recorded in the exchange log with who and why, in the same
 * transaction; activation swaps the active rule set atomically and the services pick it up on
 * their next refresh (seconds).
 */
@Injectable()
export class RoutingAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: RoutingConfigStore,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Inject(PARTNER_ADDRESS_POLICY) private readonly partnerAddresses: PartnerAddressPolicy,
  ) {}

  async list(): Promise<RulesetSummary[]> {
    const rows: Record<string, string | Date | null>[] = await this.guard(() =>
      this.dataSource.query(
        `SELECT version, hash, status, created_by, created_at, activated_at FROM rulesets ORDER BY created_at, version`,
      ),
    );
    return rows.map((r) => ({
      version: String(r.version),
      hash: String(r.hash),
      status: String(r.status),
      createdBy: String(r.created_by),
      createdAt: (r.created_at as Date).toISOString(),
      activatedAt: r.activated_at ? (r.activated_at as Date).toISOString() : null,
    }));
  }

  async get(version: string) {
    const found = await this.guard(() => this.store.byVersion(version));
    if (!found) throw new NotFoundError(`no rule set ${version}`);
    return { version, hash: found.hash, status: found.status, document: found.ruleset };
  }

  /** Stores a draft after schema and meaning checks; errors name their path. */
  async createDraft(actor: Actor, document: unknown, justification: string) {
    const { directory } = await this.guard(() => this.store.active());
    const loaded = loadRuleset(document, directory);
    if (!loaded.ok) {
      throw new ValidationFailedError(
        'the rule set is invalid',
        loaded.errors.map((e) => ({
          path: e.path,
          message: 'code' in e ? `${e.code}: ${e.message}` : e.message,
        })),
      );
    }
    const { ruleset, hash, warnings } = loaded.value;
    await this.guard(() =>
      this.dataSource.transaction(async (manager) => {
        const inserted: unknown[] = await manager.query(
          `INSERT INTO rulesets (version, hash, document, status, created_by)
           VALUES ($1, $2, $3, 'draft', $4) ON CONFLICT (version) DO NOTHING RETURNING version`,
          [ruleset.version, hash, JSON.stringify(ruleset), actor.person],
        );
        if (inserted.length === 0) {
          throw new IdempotencyConflictError(
            `rule set version ${ruleset.version} exists already; versions are immutable`,
          );
        }
        await this.audit.record(manager, actor, {
          kind: 'ruleset_changed',
          justification,
          requestId: null,
          rulesetVersion: ruleset.version,
          details: { action: 'draft_created', hash },
        });
      }),
    );
    this.audit.nudge();
    return { version: ruleset.version, hash, status: 'draft', warnings: warnings.map(describeIssue) };
  }

  async validate(version: string) {
    const found = await this.get(version);
    const { directory } = await this.guard(() => this.store.active());
    const { valid, issues } = validateRuleset(found.document, directory);
    return { version, hash: found.hash, valid, issues: issues.map(describeIssue) };
  }

  /** Makes `version` the active rule set, retiring the previous one, in one transaction. */
  async activate(actor: Actor, version: string, justification: string) {
    const found = await this.get(version);
    const { directory } = await this.guard(() => this.store.active());
    const { valid, issues } = validateRuleset(found.document, directory);
    if (!valid) {
      throw new RulesetNotActivatableError(
        `rule set ${version} does not validate against the current directory`,
        issues
          .filter((i) => i.severity === 'error')
          .map((i) => ({ path: i.path, message: `${i.code}: ${i.message}` })),
      );
    }
    const now = this.clock.now();
    const previous = await this.guard(() =>
      this.dataSource.transaction(async (manager) => {
        await manager.query(`LOCK TABLE rulesets IN SHARE ROW EXCLUSIVE MODE`);
        const [current]: { version: string }[] = await manager.query(
          `SELECT version FROM rulesets WHERE status = 'active'`,
        );
        if (current?.version === version) return version;
        await manager.query(`UPDATE rulesets SET status = 'retired' WHERE status = 'active'`);
        await manager.query(
          `UPDATE rulesets SET status = 'active', activated_by = $2, activated_at = $3 WHERE version = $1`,
          [version, actor.person, now],
        );
        await this.audit.record(manager, actor, {
          kind: 'ruleset_changed',
          justification,
          requestId: null,
          rulesetVersion: version,
          details: { action: 'activated', hash: found.hash, previous: current?.version ?? null },
        });
        return current?.version ?? null;
      }),
    );
    this.audit.nudge();
    await this.store.refresh().catch(() => undefined);
    return { version, hash: found.hash, status: 'active', previous, activatedAt: now.toISOString() };
  }

  /** The decision a rule set would take, recording only the consultation (SPEC §2). */
  async simulate(
    actor: Actor,
    body: SimulateBody,
    justification: string,
  ): Promise<RoutingDecision & { rulesetHash: string }> {
    const parsed = outboundRequestBodySchema.safeParse(body.request);
    if (!parsed.success) {
      const details = toValidationIssues(parsed.error).map((d) => ({ ...d, path: `request.${d.path}` }));
      throw new ValidationFailedError('the simulated request is invalid', details);
    }
    const config = await this.guard(() => this.store.active());
    const chosen = body.rulesetVersion ? await this.get(body.rulesetVersion) : undefined;
    const ruleset = chosen?.document ?? config.ruleset;
    const hash = chosen?.hash ?? config.rulesetHash;
    const now = this.clock.now();
    const decision = evaluate(
      {
        requestId: `simulation-${this.ids.uuid()}`,
        direction: 'outbound',
        requestingUnit: body.requestingUnit ?? actor.unit,
        receivedAt: now.toISOString(),
        body: parsed.data,
      },
      ruleset,
      config.directory,
      ALL_CIRCUITS_CLOSED,
      now,
    );
    await this.guard(() =>
      this.dataSource.transaction((manager) =>
        this.audit.record(manager, actor, {
          kind: 'consulted',
          justification,
          requestId: null,
          rulesetVersion: ruleset.version,
          details: { action: 'routing_simulated', targetCountries: parsed.data.targetCountries },
        }),
      ),
    );
    this.audit.nudge();
    return { ...decision, rulesetHash: hash };
  }

  async directory(): Promise<Directory> {
    return (await this.guard(() => this.store.active())).directory;
  }

  /** Replaces the directory with a new version; the old versions stay for replay. */
  async replaceDirectory(actor: Actor, document: unknown, justification: string) {
    const parsed = parseDirectory(document);
    if (!parsed.ok) throw new ValidationFailedError('the directory is invalid', parsed.errors);
    const directory = parsed.value;
    // Only versions stored before endpoints moved into the directory may lack them (replay reads those).
    if (directory.partnerEndpoints === undefined) {
      throw new ValidationFailedError('the directory is invalid', [
        {
          path: 'partnerEndpoints',
          message: 'required: where the adapters reach each foreign partner, per channel and destination',
        },
      ]);
    }
    // Absolute endpoints as written; relative ones resolve against the adapters' base, checked there.
    const unsafe = directory.partnerEndpoints.flatMap((endpoint, i) => {
      if (endpoint.url.startsWith('/')) return [];
      const problem = partnerUrlProblem(
        endpoint.url.replaceAll('{destination}', 'XX'),
        this.partnerAddresses,
      );
      return problem === undefined
        ? []
        : [
            {
              path: `partnerEndpoints.${i}.url`,
              message: `endpoint ${endpoint.channel}/${endpoint.destination}: ${problem}`,
            },
          ];
    });
    if (unsafe.length > 0) throw new ValidationFailedError('the directory is invalid', unsafe);
    const hash = sha256Hex(canonicalDocument(directory));
    await this.guard(() =>
      this.dataSource.transaction(async (manager) => {
        const inserted: unknown[] = await manager.query(
          `INSERT INTO directory_versions (version, hash, document, changed_by, justification)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version) DO NOTHING RETURNING version`,
          [directory.version, hash, JSON.stringify(directory), actor.person, justification],
        );
        if (inserted.length === 0) {
          throw new IdempotencyConflictError(
            `directory version ${directory.version} exists already; give the edit a new version`,
          );
        }
        await this.audit.record(manager, actor, {
          kind: 'directory_changed',
          justification,
          requestId: null,
          details: { version: directory.version, hash },
        });
      }),
    );
    this.audit.nudge();
    await this.store.refresh().catch(() => undefined);
    return { version: directory.version, hash };
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toDependencyError(error);
    }
  }
}

export interface SimulateBody {
  request: unknown;
  rulesetVersion?: string;
  requestingUnit?: string;
}

function describeIssue(issue: RulesetIssue) {
  return {
    severity: issue.severity,
    code: issue.code,
    path: issue.path,
    ruleId: issue.ruleId,
    message: issue.message,
  };
}
