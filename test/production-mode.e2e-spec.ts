import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { DEV_SECRET, signDevToken } from '@ixr/auth';
import { generateSigningKey } from '@ixr/exchange-log';
import { DEV_PARTNER_KEY_SEED, derivePartnerKey } from '@ixr/messaging';
import { startServiceProcess, waitHealthy, type ServiceName } from '../scripts/dev/services';
import { serviceDatabaseEnv } from '../scripts/dev/postgres';
import { testEnvironment } from './support/test-env';

/**
 * Production mode (SPEC §6): with NODE_ENV=production each service refuses its development
 * defaults, in one line naming the setting (never its value) and a non-zero exit code; outside it,
 * each default is announced once.
 */
describe('production mode', () => {
  const { serviceDatabaseUrls, brokers } = testEnvironment();
  const base: NodeJS.ProcessEnv = {
    ...serviceDatabaseEnv(serviceDatabaseUrls),
    KAFKA_BROKERS: brokers,
    LOG_LEVEL: 'warn',
    // The test runner's own environment must not lend a secret to the services.
    JWT_SECRET: undefined,
    PARTNER_KEYS: undefined,
    PARTNER_KEY_SEED: undefined,
    LOG_SIGNING_KEY: undefined,
    LOG_SIGNING_KEY_FILE: undefined,
    LOG_VERIFIER_KEY: undefined,
    LOG_VERIFIER_KEY_FILE: undefined,
    AUDIT_SIGNING_KEY: undefined,
    AUDIT_SIGNING_KEY_FILE: undefined,
    DATA_KEY_MASTER: undefined,
    DATA_KEY_MASTER_FILE: undefined,
  };
  const production = { ...base, NODE_ENV: 'production' };
  const logKey = generateSigningKey('ixr.test/exchange-log');
  const auditKey = generateSigningKey('ixr.test/audit-export');
  const realSecret = 'a-production-secret-of-at-least-32-characters';
  const dataKeyMaster = randomBytes(32).toString('base64');

  async function run(
    name: ServiceName,
    env: NodeJS.ProcessEnv,
  ): Promise<{ code: number | null; lines: string[] }> {
    const lines: string[] = [];
    const service = startServiceProcess(name, env, (_, line) => lines.push(line));
    const timer = setTimeout(() => void service.kill(), 30000);
    const code = await service.exited;
    clearTimeout(timer);
    return { code, lines };
  }

  const refusals: Array<[ServiceName, NodeJS.ProcessEnv, string]> = [
    ['intake-api', {}, 'JWT_SECRET or JWT_JWKS_URL'],
    ['intake-api', { JWT_SECRET: DEV_SECRET }, 'JWT_SECRET or JWT_JWKS_URL'],
    ['intake-api', { JWT_SECRET: realSecret }, 'DATA_KEY_MASTER or DATA_KEY_MASTER_FILE'],
    [
      'intake-api',
      { JWT_SECRET: realSecret, DATA_KEY_MASTER: dataKeyMaster },
      'LOG_VERIFIER_KEY or LOG_VERIFIER_KEY_FILE',
    ],
    [
      'intake-api',
      { JWT_SECRET: realSecret, DATA_KEY_MASTER: dataKeyMaster, LOG_VERIFIER_KEY: logKey.verifierKey },
      'AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE',
    ],
    ['channel-adapters', {}, 'PARTNER_KEYS or PARTNER_KEY_SEED'],
    ['channel-adapters', { PARTNER_KEY_SEED: DEV_PARTNER_KEY_SEED }, 'PARTNER_KEY_SEED'],
    [
      'channel-adapters',
      {
        PARTNER_KEYS: JSON.stringify({
          'europol/EUROPOL': derivePartnerKey(DEV_PARTNER_KEY_SEED, { channel: 'europol', id: 'EUROPOL' }),
        }),
      },
      'PARTNER_KEYS',
    ],
    [
      'channel-adapters',
      { PARTNER_KEY_SEED: randomBytes(32).toString('base64') },
      'DATA_KEY_MASTER or DATA_KEY_MASTER_FILE',
    ],
    ['exchange-log', {}, 'LOG_SIGNING_KEY or LOG_SIGNING_KEY_FILE'],
    ['exchange-log', { LOG_SIGNING_KEY: logKey.signerKey }, 'DATA_KEY_MASTER or DATA_KEY_MASTER_FILE'],
    ['router', { ROUTER_DATABASE_URL: undefined, DATABASE_URL: undefined }, 'ROUTER_DATABASE_URL'],
    ['router', {}, 'DATA_KEY_MASTER or DATA_KEY_MASTER_FILE'],
  ];

  // Titled by the settings given, never their values (the keys are secrets, even a test's).
  const refusalCases = refusals.map(([name, extra, setting]) => ({
    name,
    given:
      Object.entries(extra)
        .map(([key, value]) => (value === undefined ? `${key} unset` : `${key} set`))
        .join(', ') || 'no other setting',
    extra,
    setting,
  }));
  it.each(refusalCases)(
    '$name ($given) refuses to start, naming $setting',
    async ({ name, extra, setting }) => {
      const { code, lines } = await run(name, { ...production, ...extra });
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      const refusal = lines.filter((l) => l.includes('production mode'));
      expect(refusal).toHaveLength(1);
      expect(refusal[0]).toContain(`${setting}:`);
      expect(lines.join('\n')).not.toContain(DEV_SECRET);
    },
  );

  it('a malformed secret is named, never printed', async () => {
    const secret = 'short-secret-value';
    const { code, lines } = await run('intake-api', { ...production, JWT_SECRET: secret });
    expect(code).not.toBe(0);
    expect(lines.join('\n')).toContain('JWT_SECRET');
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('a production intake with its secrets starts, refuses a token signed with the development secret, and serves metrics on its admin port only', async () => {
    const intake = startServiceProcess(
      'intake-api',
      {
        ...production,
        JWT_SECRET: realSecret,
        DATA_KEY_MASTER: dataKeyMaster,
        LOG_VERIFIER_KEY: logKey.verifierKey,
        AUDIT_SIGNING_KEY: auditKey.signerKey,
        ADMIN_PORT: '3090',
      },
      () => undefined,
    );
    try {
      await waitHealthy(intake);
      const claims = {
        sub: 'mallory',
        unit: 'CGI-ADMIN',
        level: 'federal' as const,
        roles: ['admin' as const],
      };
      const forged = await signDevToken(claims, { secret: DEV_SECRET });
      const genuine = await signDevToken(claims, { secret: realSecret });
      const call = (token: string) =>
        fetch(`http://127.0.0.1:${intake.port}/v1/directory`, {
          headers: { authorization: `Bearer ${token}` },
        });
      expect((await call(forged)).status).toBe(401);
      expect((await call(genuine)).status).toBe(200);
      // Partner endpoints: loopback, the metadata address and cleartext are refused on save.
      const current = (await (await call(genuine)).json()) as {
        version: string;
        partnerEndpoints: unknown[];
      };
      for (const url of [
        'https://127.0.0.1:8443/siena/{destination}',
        'https://169.254.169.254/latest/meta-data',
        'http://siena.europa.example/{destination}',
      ]) {
        const saved = await fetch(`http://127.0.0.1:${intake.port}/v1/directory`, {
          method: 'PUT',
          headers: {
            authorization: `Bearer ${genuine}`,
            'content-type': 'application/json',
            'x-justification': 'endpoint check',
          },
          body: JSON.stringify({
            ...current,
            version: `${current.version}-unsafe`,
            partnerEndpoints: [
              { channel: 'siena', destination: 'NL', url },
              ...current.partnerEndpoints.slice(1),
            ],
          }),
        });
        expect(saved.status).toBe(400);
        expect(await saved.text()).toContain('partnerEndpoints.0.url');
      }
      // Metrics and the detailed health: on the admin port, not on the service port.
      expect((await fetch(`http://127.0.0.1:${intake.port}/metrics`)).status).toBe(401);
      expect(await (await fetch(`http://127.0.0.1:${intake.port}/health`)).json()).not.toHaveProperty(
        'checks',
      );
      expect((await fetch('http://127.0.0.1:3090/metrics')).status).toBe(200);
      expect(await (await fetch('http://127.0.0.1:3090/health')).json()).toHaveProperty('checks.postgres');
    } finally {
      await intake.stop();
    }
  });

  it('outside production each development default is announced once; slow headers are cut at the header timeout', async () => {
    const lines: string[] = [];
    const intake = startServiceProcess(
      'intake-api',
      { ...base, NODE_ENV: 'development', HTTP_HEADERS_TIMEOUT_MS: '1500' },
      (_, line) => lines.push(line),
    );
    try {
      await waitHealthy(intake);
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = connect(intake.port, '127.0.0.1', () =>
          socket.write('GET /health HTTP/1.1\r\nX-Slow: '),
        );
        const drip = setInterval(() => socket.writable && socket.write('a'), 200);
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(drip);
          resolve(text);
        });
        setTimeout(() => reject(new Error('the slow connection was never closed')), 20_000).unref();
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await intake.stop();
    }
    for (const setting of ['JWT_SECRET or JWT_JWKS_URL', 'LOG_VERIFIER_KEY or', 'AUDIT_SIGNING_KEY or']) {
      expect(
        lines.filter((l) => l.includes('development default') && l.includes(`set ${setting}`)),
      ).toHaveLength(1);
    }
  });
});
