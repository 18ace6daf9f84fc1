import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceDatabaseEnv } from '../scripts/dev/postgres';
import { testEnvironment } from './support/test-env';

/** The benchmark still runs end to end (a small N); it asserts no speed — speed is never a test. */
describe('benchmark smoke run', () => {
  it('measures the idle stack, drives requests through it and writes the results file with the agreed keys', () => {
    const root = join(__dirname, '..');
    const { brokers, databaseUrl, serviceDatabaseUrls } = testEnvironment();
    const run = spawnSync(
      process.execPath,
      [
        '-r',
        join(root, 'scripts', 'register-paths.js'),
        join(root, 'dist', 'bench', 'run.js'),
        '--smoke',
        '--no-record',
        '--requests',
        '60',
        '--idle',
        '2',
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          KAFKA_BROKERS: brokers,
          DATABASE_URL: databaseUrl,
          // The services' logins as the suite set them up (with their passwords on the embedded server).
          ...serviceDatabaseEnv(serviceDatabaseUrls),
        },
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    // On a failure its output says why (a service's last lines, the waiting counts …).
    const failed = run.status === 0 ? {} : { stdout: run.stdout.slice(-4000) };
    expect({ status: run.status, stderr: run.stderr.slice(-2000), ...failed }).toEqual({
      status: 0,
      stderr: '',
    });
    const result = JSON.parse(readFileSync(join(root, 'bench', 'results', 'latest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    for (const key of [
      'requestsPerSecond',
      'ceilingRequestsPerSecond',
      'ratio',
      'p99DeliveredMs',
      'maxRssMb',
    ]) {
      expect(typeof result[key]).toBe('number');
    }
    expect(result.requests).toBe(60);
    // --idle: the stack's CPU with no request, per service and in all, as a share of one core.
    const idle = result.idle as { seconds: number; percentOfOneCore: Record<string, unknown> };
    expect(idle.seconds).toBeGreaterThanOrEqual(2);
    expect(typeof idle.percentOfOneCore.total).toBe('number');
    expect(Object.keys(idle.percentOfOneCore.services as object).sort()).toEqual([
      'channel-adapters',
      'exchange-log',
      'intake-api',
      'partner-simulator',
      'router',
    ]);
  });
});
