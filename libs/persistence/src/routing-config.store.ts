import { WAKEUP_CHANNELS, type DatabaseWakeups } from './database-wakeups';
import type { DataSource } from 'typeorm';
import { PeriodicTask } from '@ixr/platform';
import { parseDirectory, parseRuleset, type Directory, type Ruleset } from '@ixr/routing';

export interface ActiveRoutingConfig {
  ruleset: Ruleset;
  rulesetHash: string;
  directory: Directory;
  directoryVersion: string;
}

/**
 * The active rule set and the current directory, read from PostgreSQL and cached; `refresh`
 * (called on a timer by the services) picks up an activation or a directory edit within seconds,
 * without a restart. A row that no longer parses is refused loudly and the previous config kept.
 */
export class RoutingConfigStore {
  private current?: ActiveRoutingConfig;
  private checking?: Promise<ActiveRoutingConfig>;
  private nextCheck?: Promise<ActiveRoutingConfig>;
  /** When the last successful read of the directory version started (ms since the epoch). */
  private checkedAt = 0;

  constructor(private readonly dataSource: DataSource) {}

  /** The config in force; loads it on first use. */
  async active(): Promise<ActiveRoutingConfig> {
    return this.current ?? this.refresh();
  }

  /** The last loaded config, without I/O (undefined before the first load). */
  cached(): ActiveRoutingConfig | undefined {
    return this.current;
  }

  async refresh(): Promise<ActiveRoutingConfig> {
    const [rulesetRow]: { version: string; hash: string; document: unknown }[] = await this.dataSource.query(
      `SELECT version, hash, document FROM rulesets WHERE status = 'active'`,
    );
    if (!rulesetRow) throw new Error('no active rule set in the database (run the migrations)');
    const [directoryRow]: { version: string; document: unknown }[] = await this.dataSource.query(
      `SELECT version, document FROM directory_versions ORDER BY id DESC LIMIT 1`,
    );
    if (!directoryRow) throw new Error('no directory in the database (run the migrations)');
    if (
      this.current &&
      this.current.rulesetHash === rulesetRow.hash &&
      this.current.directoryVersion === directoryRow.version
    ) {
      return this.current;
    }
    const ruleset = parseRuleset(rulesetRow.document);
    if (!ruleset.ok)
      throw new Error(`active rule set ${rulesetRow.version} does not parse: ${describe(ruleset.errors)}`);
    const directory = parseDirectory(directoryRow.document);
    if (!directory.ok)
      throw new Error(`directory ${directoryRow.version} does not parse: ${describe(directory.errors)}`);
    this.current = {
      ruleset: ruleset.value,
      rulesetHash: rulesetRow.hash,
      directory: directory.value,
      directoryVersion: directoryRow.version,
    };
    return this.current;
  }

  /**
   * The config with the directory as it is in the database now: one indexed read of the latest
   * directory version, and a reload only when it changed. For what must follow a directory edit on
   * its next use (the partner endpoints). Concurrent callers share the reads: a caller joins a read
   * that has not started yet, or queues one behind the read in flight, never one that started before
   * it arrived — so it always sees every edit committed before its call. With `maxAgeMs`, a read
   * that started at most that long ago is reused: edits take effect within `maxAgeMs`.
   */
  latestDirectory(maxAgeMs = 0): Promise<ActiveRoutingConfig> {
    // A read that started less than maxAgeMs ago is fresh enough: under load, partner calls would
    // otherwise queue one directory read each behind the other.
    if (maxAgeMs > 0 && this.current && Date.now() - this.checkedAt < maxAgeMs) {
      return Promise.resolve(this.current);
    }
    if (this.nextCheck) return this.nextCheck;
    if (!this.checking) return this.startCheck();
    const next = this.checking
      .catch(() => undefined)
      .then(() => {
        this.nextCheck = undefined;
        return this.startCheck();
      });
    this.nextCheck = next;
    return next;
  }

  private startCheck(): Promise<ActiveRoutingConfig> {
    const check = this.checkDirectoryVersion().finally(() => {
      if (this.checking === check) this.checking = undefined;
    });
    this.checking = check;
    return check;
  }

  private async checkDirectoryVersion(): Promise<ActiveRoutingConfig> {
    const startedAt = Date.now();
    const [row]: { version: string }[] = await this.dataSource.query(
      `SELECT version FROM directory_versions ORDER BY id DESC LIMIT 1`,
    );
    const config =
      this.current && row?.version === this.current.directoryVersion ? this.current : await this.refresh();
    this.checkedAt = startedAt;
    return config;
  }

  /**
   * Re-reads the config when the database announces a change of rule sets or directory versions
   * (`wakeups`), and every `intervalMs` as a safety net; failures keep the last good config.
   */
  startRefreshing(
    intervalMs: number,
    onError: (error: unknown) => void,
    wakeups?: DatabaseWakeups,
  ): () => void {
    const task = new PeriodicTask(intervalMs, () => this.refresh(), onError);
    task.start();
    wakeups?.on(WAKEUP_CHANNELS.routingConfig, () => task.wake());
    return () => void task.stop();
  }

  /** A rule set by version (any status), for simulation and replay. */
  async byVersion(version: string): Promise<{ ruleset: Ruleset; hash: string; status: string } | undefined> {
    const [row]: { hash: string; document: unknown; status: string }[] = await this.dataSource.query(
      `SELECT hash, document, status FROM rulesets WHERE version = $1`,
      [version],
    );
    if (!row) return undefined;
    const parsed = parseRuleset(row.document);
    if (!parsed.ok) throw new Error(`rule set ${version} does not parse: ${describe(parsed.errors)}`);
    return { ruleset: parsed.value, hash: row.hash, status: row.status };
  }
}

function describe(errors: readonly { path: string; message: string }[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}
