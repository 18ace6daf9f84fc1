import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  crossServiceEnv,
  DEFAULT_PORTS,
  SERVICES,
  startServiceProcess,
  waitHealthy,
  type ServiceName,
  type ServiceProcess,
} from '../../scripts/dev/services';
import { serviceDatabaseEnv } from '../../scripts/dev/postgres';
import { testEnvironment } from './test-env';

/**
 * The whole system for one e2e suite: every service as a real process against the real broker and
 * database. Output is kept per service and shown only when a suite fails to start.
 */
export class TestStack {
  readonly services = new Map<ServiceName, ServiceProcess>();
  readonly extras: ServiceProcess[] = [];
  private readonly overrides = new Map<ServiceName, NodeJS.ProcessEnv>();
  readonly output: string[] = [];
  readonly env: NodeJS.ProcessEnv;
  db!: Client;

  constructor(extraEnv: NodeJS.ProcessEnv = {}) {
    const { databaseUrl, serviceDatabaseUrls, brokers } = testEnvironment();
    this.env = {
      // DATABASE_URL is the owner's, for the tests' own queries; each service uses its own login.
      DATABASE_URL: databaseUrl,
      ...serviceDatabaseEnv(serviceDatabaseUrls),
      KAFKA_BROKERS: brokers,
      LOG_LEVEL: 'warn',
      ...crossServiceEnv(),
      ...extraEnv,
    };
  }

  url(service: ServiceName, path: string): string {
    return `http://127.0.0.1:${DEFAULT_PORTS[service]}${path}`;
  }

  async start(): Promise<this> {
    this.db = new Client({ connectionString: this.env.DATABASE_URL });
    // A test that cuts the database off (fault injection) must not crash the runner with it.
    this.db.on('error', () => undefined);
    await this.db.connect();
    for (const name of SERVICES) this.launch(name);
    try {
      await Promise.all([...this.services.values()].map((s) => waitHealthy(s)));
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\n--- service output ---\n${this.output.slice(-60).join('\n')}`,
      );
    }
    return this;
  }

  async restart(name: ServiceName): Promise<void> {
    await this.services.get(name)?.stop();
    this.launch(name);
    await waitHealthy(this.services.get(name)!);
  }

  /** One more instance of a service, on its own port (e.g. a second router in the same consumer group). */
  async launchExtra(name: ServiceName, port: number): Promise<ServiceProcess> {
    const extra = startServiceProcess(
      name,
      this.env,
      (service, line) => {
        this.output.push(`[${service}@${port}] ${line}`);
        if (this.output.length > 20000) this.output.splice(0, 10000);
      },
      port,
    );
    this.extras.push(extra);
    await waitHealthy(extra);
    return extra;
  }

  /** Restarts a service with extra environment (kept for its later restarts; `{}` drops it). */
  async restartWith(name: ServiceName, env: NodeJS.ProcessEnv): Promise<void> {
    this.overrides.set(name, env);
    await this.restart(name);
  }

  async stop(): Promise<void> {
    for (const extra of this.extras) await extra.stop();
    for (const name of [...SERVICES].reverse()) await this.services.get(name)?.stop();
    await this.db?.end();
    // Kept for a look after a failure: .data/e2e-services.log
    appendFileSync(join(__dirname, '..', '..', '.data', 'e2e-services.log'), `${this.output.join('\n')}\n`);
  }

  private launch(name: ServiceName): void {
    this.services.set(
      name,
      startServiceProcess(name, { ...this.env, ...this.overrides.get(name) }, (service, line) => {
        this.output.push(`[${service}] ${line}`);
        if (this.output.length > 20000) this.output.splice(0, 10000);
      }),
    );
  }
}

/** Polls `probe` until it returns a value, or fails with the last state after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 30000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
  );
}
