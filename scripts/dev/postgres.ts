import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  loginOf,
  OWNING_SERVICES,
  SERVICE_DATABASE_URL_VARIABLES,
  SERVICE_LOGINS,
  type OwningService,
  type ServiceLogin,
} from '@ixr/persistence';
import { repoRoot } from './paths';

export interface RunningPostgres {
  /** The owner's connection: migrations, tests' checks, tools. */
  url: string;
  /** Each service's connection, as its own login (README "Database logins"). */
  serviceUrls: ServiceUrls;
  /** Stops the embedded server if this call started it; a no-op otherwise. */
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when set (an existing server); otherwise the embedded-postgres server with its data
 * under .data/postgres, reused when already running, else started in a detached process of its own.
 */
export async function ensurePostgres(log: (line: string) => void): Promise<RunningPostgres> {
  if (process.env.DATABASE_URL) {
    log(`using PostgreSQL at ${redact(process.env.DATABASE_URL)}`);
    await ensureDatabase(process.env.DATABASE_URL);
    const url = process.env.DATABASE_URL;
    return { url, serviceUrls: serviceDatabaseUrls(url), stop: () => Promise.resolve() };
  }
  const port = Number(process.env.EMBEDDED_PG_PORT ?? 5433);
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/ixr`;
  if (await answers(url)) {
    log(`using the embedded PostgreSQL already running on 127.0.0.1:${port}`);
    await ensureDatabase(url);
    return {
      url,
      serviceUrls: serviceDatabaseUrls(url, true),
      stop: () => Promise.resolve(),
    };
  }
  const root = repoRoot();
  const entry = join(root, 'dist', 'scripts', 'dev', 'embedded-postgres-server.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);
  mkdirSync(join(root, '.data'), { recursive: true });
  const logFile = openSync(join(root, '.data', 'postgres.log'), 'a');
  log(`starting embedded PostgreSQL on 127.0.0.1:${port} (log: .data/postgres.log)`);
  const child = spawn(process.execPath, ['-r', join(root, 'scripts', 'register-paths.js'), entry], {
    detached: true,
    stdio: ['ignore', logFile, logFile],
    env: { ...process.env, EMBEDDED_PG_PORT: String(port) },
  });
  child.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60000;
  while (!(await answers(url))) {
    if (child.exitCode !== null)
      throw new Error('embedded PostgreSQL exited at start; see .data/postgres.log');
    if (Date.now() > deadline)
      throw new Error('embedded PostgreSQL did not answer within 60 s; see .data/postgres.log');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await ensureDatabase(url);
  return {
    url,
    serviceUrls: serviceDatabaseUrls(url, true),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export type ServiceUrls = Record<OwningService, string>;

/**
 * Each service's connection: its variable (INTAKE_DATABASE_URL, ROUTER_DATABASE_URL, …) when set,
 * else the owner's server and database as the service's own login (ixr_intake, ixr_router, …),
 * without a password (a server that trusts local connections needs none) or, for the embedded
 * server, which asks for one, with a development password: the login's name.
 */
export function serviceDatabaseUrls(ownerUrl: string, developmentPasswords = false): ServiceUrls {
  const urls = {} as ServiceUrls;
  for (const service of OWNING_SERVICES) {
    const user = SERVICE_LOGINS[service];
    urls[service] =
      process.env[SERVICE_DATABASE_URL_VARIABLES[service]] ??
      withLogin(ownerUrl, { user, password: developmentPasswords ? user : '' });
  }
  return urls;
}

/** The same connections on another database of the server (the tests' and the benchmark's). */
export function onDatabase(urls: ServiceUrls, databaseUrl: string): ServiceUrls {
  const moved = {} as ServiceUrls;
  for (const service of OWNING_SERVICES) moved[service] = withLogin(databaseUrl, loginOf(urls[service]));
  return moved;
}

/** The environment that hands each service its connection (one environment holds all four). */
export function serviceDatabaseEnv(urls: ServiceUrls): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const service of OWNING_SERVICES) env[SERVICE_DATABASE_URL_VARIABLES[service]] = urls[service];
  return env;
}

/** The same server and database as another login: the services' URL for a database of its own. */
export function withLogin(url: string, login: ServiceLogin): string {
  const target = new URL(url);
  target.username = encodeURIComponent(login.user);
  target.password = encodeURIComponent(login.password);
  return target.toString();
}

async function answers(url: string): Promise<boolean> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database named in the URL if it does not exist yet. */
export function ensureDatabase(url: string): Promise<void> {
  return withAdminConnection(url, async (client, name) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  });
}

/** Drops and re-creates a database: the clean slate of a test run. */
export function recreateDatabase(url: string): Promise<void> {
  return withAdminConnection(url, async (client, name) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  });
}

/** Runs `work` on the server's `postgres` database, with the URL's database name checked for SQL use. */
async function withAdminConnection(
  url: string,
  work: (client: Client, name: string) => Promise<void>,
): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(`database name "${name}" must be lower-case letters, digits and _`);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await work(client, name);
  } finally {
    await client.end();
  }
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
