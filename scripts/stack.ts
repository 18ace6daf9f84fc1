import { ensureKafka, stopKafka } from './dev/kafka';
import { ensurePostgres, serviceDatabaseEnv } from './dev/postgres';
import {
  crossServiceEnv,
  DEFAULT_PORTS,
  formatLogLine,
  SERVICES,
  startServiceProcess,
  waitHealthy,
  type ServiceProcess,
} from './dev/services';
import { prepare } from './migrate';

/**
 * `npm start`: brings up Kafka (or uses KAFKA_BROKERS), PostgreSQL (DATABASE_URL, or the embedded
 * server), applies migrations, creates topics, starts every service with its output prefixed, and
 * on Ctrl-C stops them all — services drain first, then the infrastructure this command started.
 */
async function main(): Promise<void> {
  const say = (line: string): void => void process.stdout.write(`[stack] ${line}\n`);
  const kafka = ensureKafka();
  const postgres = await ensurePostgres(say);
  await prepare(postgres.url, postgres.serviceUrls, kafka.brokers.split(','), say);

  // Each service connects as its own login, never as the owner.
  const env = {
    ...serviceDatabaseEnv(postgres.serviceUrls),
    KAFKA_BROKERS: kafka.brokers,
    ...crossServiceEnv(),
  };
  const width = Math.max(...SERVICES.map((s) => s.length));
  const print = (name: string, line: string): void =>
    void process.stdout.write(`[${name.padEnd(width)}] ${formatLogLine(line)}\n`);
  const running: ServiceProcess[] = [];
  let stopping = false;

  const stopAll = async (code: number): Promise<never> => {
    // npm forwards a second signal after Ctrl-C: the orderly stop (bounded per service) goes on.
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    say('stopping services (in-flight work drains first)…');
    // Reverse start order: the intake stops taking requests before the consumers stop.
    for (const service of [...running].reverse()) await service.stop();
    await postgres.stop();
    if (kafka.startedHere && process.env.IXR_KEEP_KAFKA !== '1') stopKafka();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  for (const name of SERVICES) {
    const service = startServiceProcess(name, env, print);
    running.push(service);
    void service.exited.then((code) => {
      if (!stopping) {
        say(`${name} exited with code ${code}; stopping everything`);
        void stopAll(1);
      }
    });
  }
  await Promise.all(running.map((s) => waitHealthy(s)));
  say(`IXR is up. Intake API: http://127.0.0.1:${DEFAULT_PORTS['intake-api']}  (Ctrl-C stops everything)`);
  say(`operator console: http://127.0.0.1:${DEFAULT_PORTS['intake-api']}/console/`);
  say('a token: npm run token -- --unit PZ-5339 --roles requester');
}

main().catch((error: unknown) => {
  process.stderr.write(`[stack] failed: ${(error as Error).message}\n`);
  process.exit(1);
});
