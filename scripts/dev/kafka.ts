import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths';

/**
 * KAFKA_BROKERS when set (an existing cluster); otherwise the project's single-node KRaft broker,
 * started by scripts/kafka.sh (idempotent: an already running broker is reused).
 */
export function ensureKafka(): { brokers: string; startedHere: boolean } {
  if (process.env.KAFKA_BROKERS) return { brokers: process.env.KAFKA_BROKERS, startedHere: false };
  const script = join(repoRoot(), 'scripts', 'kafka.sh');
  const alreadyRunning = spawnSync('bash', [script, 'status'], { stdio: 'ignore' }).status === 0;
  if (!alreadyRunning) {
    const result = spawnSync('bash', [script, 'start'], { stdio: 'inherit' });
    if (result.status !== 0) throw new Error('the local Kafka broker did not start (see the lines above)');
  }
  return { brokers: `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`, startedHere: !alreadyRunning };
}

export function stopKafka(): void {
  spawnSync('bash', [join(repoRoot(), 'scripts', 'kafka.sh'), 'stop'], { stdio: 'inherit' });
}
