import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * Runs scripts/kafka.sh with this process's environment (KAFKA_PORT, …): the test's own broker. A
 * loaded machine can take minutes to start a JVM broker, hence the long bound and the second try.
 */
export async function kafkaScript(command: 'start' | 'stop'): Promise<void> {
  const run = () =>
    new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn('bash', [join(__dirname, '..', '..', '..', 'scripts', 'kafka.sh'), command], {
        env: { ...process.env, KAFKA_START_TIMEOUT: process.env.KAFKA_START_TIMEOUT ?? '300' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, output }));
    });
  let result = await run();
  if (result.code !== 0 && command === 'start') result = await run();
  if (result.code !== 0) {
    throw new Error(`scripts/kafka.sh ${command} exited with ${result.code}:\n${result.output.slice(-2000)}`);
  }
}

/**
 * Cuts the test database off as an outage would, without touching the shared PostgreSQL server or
 * anyone else's database: no new connection is accepted (ALLOW_CONNECTIONS false, which binds
 * superusers too, unlike CONNECTION LIMIT) and every open one is terminated. The services see what
 * they see when the server goes down: their connections drop mid-query and reconnecting fails.
 * `restore` must run whatever happens (the caller's finally).
 */
export async function blockDatabase(databaseUrl: string): Promise<{ restore: () => Promise<void> }> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  client.on('error', () => undefined);
  await client.connect();
  const quoted = `"${name.replace(/"/g, '""')}"`;
  await client.query(`ALTER DATABASE ${quoted} ALLOW_CONNECTIONS false`);
  await client.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [name],
  );
  let restored = false;
  return {
    restore: async () => {
      if (restored) return;
      restored = true;
      await client.query(`ALTER DATABASE ${quoted} ALLOW_CONNECTIONS true`);
      await client.end();
    },
  };
}
