import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createEnvelope, EVENT_TYPES, TOPICS } from '@ixr/messaging';
import { DEFAULT_PORTS } from '../../scripts/dev/services';
import { api, requestBody, tokenFor } from '../support/api';
import { TestStack, waitFor } from '../support/stack';
import { testEnvironment } from '../support/test-env';
import {
  checkScenario,
  faultPool,
  metric,
  mixedBody,
  partnerMode,
  post,
  submitMany,
  verifyLogChain,
  type ScenarioCheck,
  type Submitted,
} from './support/fault-harness';
import { blockDatabase, kafkaScript } from './support/fault-injectors';

// A scenario waits out its fault (30 s for the partner, a broker restart) and then the backlog.
jest.setTimeout(420_000);

/** Requests per scenario: a few hundred by default, less on a slow machine (FAULT_REQUESTS). */
const COUNT = Number(process.env.FAULT_REQUESTS ?? 200);

interface Row {
  scenario: string;
  requests: number;
  lost: number;
  duplicated: number;
  note: string;
}

/**
 * The fault-injection suite (issue 5): each scenario submits a few hundred requests while a fault
 * strikes, then checks that every request reached its final state, that each partner received each
 * delivery exactly once (the simulator's counts), and that the log is complete and verifies.
 * The table of results goes to .data/fault-results.md (and the README).
 */
describe('fault injection: nothing lost, nothing duplicated', () => {
  const { databaseUrl, brokers } = testEnvironment();
  const stack = new TestStack({
    PARTNER_TIMEOUT_MS: '2000',
    CIRCUIT_RESET_MS: '3000',
    DELIVERY_RETRY_BASE_MS: '500',
    DELIVERY_RETRY_MAX_MS: '4000',
  });
  const pool = faultPool(databaseUrl);
  const rows: Row[] = [];
  let intake: string;
  let simulator: string;
  let token: string;

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    simulator = stack.url('partner-simulator', '');
    token = await tokenFor('PZ-5339', ['requester']);
  });

  afterAll(async () => {
    await stack.stop();
    await pool.end();
    const table = [
      '| scenario | requests | lost | duplicated | notes |',
      '|---|---:|---:|---:|---|',
      ...rows.map((r) => `| ${r.scenario} | ${r.requests} | ${r.lost} | ${r.duplicated} | ${r.note} |`),
    ].join('\n');
    mkdirSync(join(__dirname, '..', '..', '.data'), { recursive: true });
    writeFileSync(join(__dirname, '..', '..', '.data', 'fault-results.md'), `${table}\n`);
    process.stdout.write(`\nfault-injection results (${new Date().toISOString()}):\n${table}\n`);
  });

  /** Checks a scenario's requests, records its row, and fails on any loss, duplicate or broken log. */
  async function conclude(scenario: string, submitted: Submitted[], note: string): Promise<ScenarioCheck> {
    const check = await checkScenario({ pool, simulator, submitted });
    const chain = await verifyLogChain(pool);
    rows.push({ scenario, requests: check.requests, lost: check.lost, duplicated: check.duplicated, note });
    expect(check.problems).toEqual([]);
    expect(check).toMatchObject({ requests: submitted.length, lost: 0, duplicated: 0 });
    expect(chain.firstBadSeq).toBeUndefined();
    return check;
  }

  async function healthy(): Promise<void> {
    for (const name of ['intake-api', 'router', 'channel-adapters', 'exchange-log'] as const) {
      await waitFor(async () => (await fetch(stack.url(name, '/health'))).ok, `${name} healthy`, 90_000);
    }
  }

  it('kill -9 of the router mid-stream', async () => {
    let fault: Promise<void> | undefined;
    const submitted = await submitMany({
      intake,
      token,
      count: COUNT,
      keyPrefix: `router-kill-${randomUUID()}`,
      spacingMs: 20,
      onAccepted: (n) => {
        if (n !== Math.floor(COUNT / 3)) return;
        fault = (async () => {
          await stack.services.get('router')!.kill();
          await stack.restart('router');
        })();
      },
    });
    await fault;
    await conclude(
      'kill -9 of the router mid-stream',
      submitted,
      'killed after a third was accepted, restarted',
    );
  });

  it('kill -9 of an adapter mid-delivery', async () => {
    // Slow partners keep deliveries in flight, so the kill cuts calls whose outcome is unknown.
    // A slow partner (1.5 s, within the 2 s timeout) keeps calls in flight when the kill lands.
    await partnerMode(simulator, 'siena', 'DE', { mode: 'ok', latencyMs: 1500 });
    let fault: Promise<void> | undefined;
    const submitted = await submitMany({
      intake,
      token,
      count: COUNT,
      keyPrefix: `adapter-kill-${randomUUID()}`,
      onAccepted: (n) => {
        if (n !== Math.floor(COUNT / 2)) return;
        fault = (async () => {
          await waitFor(async () => {
            const stats = (await (await fetch(`${simulator}/simulator/stats`)).json()) as {
              inFlight: number;
            };
            return stats.inFlight >= 2;
          }, 'partner calls in flight');
          await stack.services.get('channel-adapters')!.kill();
          await stack.restart('channel-adapters');
        })();
      },
    });
    await fault;
    await fetch(`${simulator}/simulator/partners`, { method: 'DELETE' });
    await conclude('kill -9 of an adapter mid-delivery', submitted, await unknownFates(submitted));
  });

  /** Sends whose outcome the crash left unknown, settled by asking the partner instead of sending again. */
  async function unknownFates(submitted: Submitted[]): Promise<string> {
    const { rows: r } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM deliveries d JOIN delivery_sends s ON s.id = d.id
        WHERE d.request_id = ANY($1) AND s.attempts > 1 AND d.channel NOT IN ('national_spoc', 'national_unit')`,
      [submitted.map((s) => s.id)],
    );
    const found = stack.output.filter((line) =>
      line.includes('had reached the partner: not sent again'),
    ).length;
    return `killed with partner calls in flight; ${r[0]?.n ?? 0} sends retried after the crash, ${found} of them found already at the partner and not sent again`;
  }

  const externalBroker = Boolean(process.env.KAFKA_BROKERS);
  (externalBroker ? it.skip : it)('broker restart', async () => {
    const keyPrefix = `broker-${randomUUID()}`;
    const third = Math.floor(COUNT / 3);
    const before = await submitMany({ intake, token, count: third, keyPrefix: `${keyPrefix}-a` });
    await kafkaScript('stop');
    let during: Submitted[] = [];
    try {
      // The intake keeps answering 202: the requests wait in the outbox.
      during = await submitMany({ intake, token, count: third, keyPrefix: `${keyPrefix}-b` });
      expect(during.every((s) => s.retries === 0)).toBe(true);
    } finally {
      await kafkaScript('start');
    }
    const after = await submitMany({ intake, token, count: COUNT - 2 * third, keyPrefix: `${keyPrefix}-c` });
    await healthy();
    await conclude(
      'broker restart',
      [...before, ...during, ...after],
      `${during.length} accepted (202) while the broker was down`,
    );
  });

  it('PostgreSQL unavailable for ten seconds', async () => {
    const keyPrefix = `postgres-${randomUUID()}`;
    const third = Math.floor(COUNT / 3);
    const before = await submitMany({ intake, token, count: third, keyPrefix: `${keyPrefix}-a` });
    const outage = await blockDatabase(databaseUrl);
    const restored = new Promise<void>((resolve, reject) => {
      setTimeout(() => void outage.restore().then(resolve, reject), 10_000);
    });
    let during: Submitted[] = [];
    try {
      // Submissions during the outage get 503 (nothing stored) and are retried with the same key.
      during = await submitMany({ intake, token, count: third, keyPrefix: `${keyPrefix}-b`, concurrency: 4 });
    } finally {
      await restored.catch(() => outage.restore());
    }
    const after = await submitMany({ intake, token, count: COUNT - 2 * third, keyPrefix: `${keyPrefix}-c` });
    const refused = during.reduce((sum, s) => sum + s.retries, 0);
    expect(refused).toBeGreaterThan(0);
    await healthy();
    await conclude(
      'PostgreSQL unavailable for ten seconds',
      [...before, ...during, ...after],
      `${refused} submissions answered 503 and retried with their key; none stored twice`,
    );
  });

  it('a partner down for thirty seconds', async () => {
    // NL's SIENA partner drops every connection for 30 s while requests keep coming (for ~35 s).
    await partnerMode(simulator, 'siena', 'NL', { mode: 'refuse' });
    const back = new Promise<void>((resolve) =>
      setTimeout(() => void partnerMode(simulator, 'siena', 'NL', { mode: 'ok' }).then(resolve), 30_000),
    );
    const submitted = await submitMany({
      intake,
      token,
      count: COUNT,
      keyPrefix: `partner-${randomUUID()}`,
      concurrency: 4,
      spacingMs: Math.round((35_000 * 4) / COUNT),
    });
    await back;
    const check = await conclude(
      'a partner down for thirty seconds',
      submitted,
      'SIENA NL dropping connections; circuit opened, new NL requests took the fallback',
    );
    expect(check.fallbacks).toBeGreaterThan(0);
    rows[rows.length - 1].note += ` (${check.fallbacks} fallback routes, interpol NL), then closed`;
  });

  it('a poison message', async () => {
    const kafka = new Kafka({
      clientId: 'ixr-fault-poison',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const unknownDelivery = randomUUID();
    const poison = [
      { topic: TOPICS.requestReceived, key: 'poison-1', value: '{ this is not json' },
      {
        topic: TOPICS.requestReceived,
        key: 'poison-2',
        value: JSON.stringify(
          createEnvelope({
            id: randomUUID(),
            type: EVENT_TYPES[TOPICS.requestReceived],
            source: 'test/poison',
            time: new Date(),
            subject: 'poison-2',
            data: { requestId: 'poison-2', body: { targetCountries: 'NL' } },
          }),
        ),
      },
      {
        topic: TOPICS.deliveryDispatched,
        key: 'poison-3',
        value: Buffer.from([0xff, 0xfe, 0x00]).toString('latin1'),
      },
      {
        topic: TOPICS.deliveryDispatched,
        key: unknownDelivery,
        value: JSON.stringify(
          createEnvelope({
            id: randomUUID(),
            type: EVENT_TYPES[TOPICS.deliveryDispatched],
            source: 'test/poison',
            time: new Date(),
            subject: unknownDelivery,
            data: {
              deliveryId: unknownDelivery,
              logSeq: 0,
              requestId: unknownDelivery,
              channel: 'siena',
              destination: 'NL',
              role: 'primary',
              ruleId: 'OUT-EU-SIENA',
              rulesetVersion: 'x',
              handlingCode: 'H1',
              urgent: false,
              deadlineAt: null,
              body: requestBody(),
            },
          }),
        ),
      },
    ];
    let sent: Promise<unknown> | undefined;
    const submitted = await submitMany({
      intake,
      token,
      count: COUNT,
      keyPrefix: `poison-${randomUUID()}`,
      onAccepted: (n) => {
        if (n === Math.floor(COUNT / 2)) {
          sent = Promise.all(
            poison.map((p) => producer.send({ topic: p.topic, messages: [{ key: p.key, value: p.value }] })),
          );
        }
      },
    });
    await sent;
    await producer.disconnect();
    const operator = await tokenFor('CGI-SPOC', ['spoc_operator'], 'federal');
    // Each poison message is a dead letter with its reason, once per consumer it reached.
    const letters = await waitFor(async () => {
      const res = await api<{
        deadLetters: { key: string; topic: string; failedIn: string; error: { code: string } }[];
      }>(intake, 'GET', '/v1/dead-letters?limit=500', { token: operator });
      const mine = (res.body.deadLetters ?? []).filter(
        (d) => d.key?.startsWith('poison') || d.key === unknownDelivery,
      );
      return mine.length >= 6 ? mine : undefined;
    }, 'the poison messages dead-lettered');
    const codes = letters.map((d) => `${d.topic} ${d.failedIn} ${d.error.code}`).sort();
    expect(codes).toEqual(
      expect.arrayContaining([
        'ixr.deliveries.dispatched ixr/channel-adapters DELIVERY.UNKNOWN',
        'ixr.deliveries.dispatched ixr/channel-adapters MESSAGING.INVALID_MESSAGE',
        'ixr.requests.received ixr/router MESSAGING.INVALID_MESSAGE',
        'ixr.requests.received ixr/exchange-log MESSAGING.INVALID_MESSAGE',
      ]),
    );
    await healthy();
    await conclude(
      'a poison message',
      submitted,
      `${poison.length} poison messages on 2 topics → ${letters.length} dead letters with reasons; services stayed up`,
    );
  });

  it('the same Idempotency-Key twice, with the same body and with a different body', async () => {
    const keyPrefix = `idem-${randomUUID()}`;
    const submitted: Submitted[] = [];
    let splits = 0;
    let conflicts = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < COUNT; i = next++) {
        const key = `${keyPrefix}-${i}`;
        const body = mixedBody(i);
        const [a, b] = await Promise.all([post(intake, token, key, body), post(intake, token, key, body)]);
        expect([a.status, b.status]).toEqual([202, 202]);
        if (a.id !== b.id) splits++;
        submitted.push({ key, id: a.id!, retries: 0 });
        const other = await post(intake, token, key, mixedBody(i + 1));
        if (other.status === 409) conflicts++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(splits).toBe(0);
    expect(conflicts).toBe(COUNT);
    const check = await conclude(
      'the same Idempotency-Key twice (same body, then a different body)',
      submitted,
      `${COUNT} pairs sent concurrently → one request each; ${conflicts} different bodies → 409`,
    );
    rows[rows.length - 1].duplicated = check.duplicated + splits;
  });

  it('two router instances in one consumer group while one joins and leaves', async () => {
    const port = DEFAULT_PORTS.router + 10;
    let joining: Promise<void> | undefined;
    let leaving: Promise<void> | undefined;
    let secondHandled = 0;
    let second: Awaited<ReturnType<TestStack['launchExtra']>> | undefined;
    const submitted = await submitMany({
      intake,
      token,
      count: COUNT,
      keyPrefix: `routers-${randomUUID()}`,
      concurrency: 4,
      spacingMs: Math.round((30_000 * 4) / COUNT),
      onAccepted: (n) => {
        if (n === Math.floor(COUNT / 5)) {
          joining = stack.launchExtra('router', port).then((s) => void (second = s));
        }
        if (n === Math.floor((4 * COUNT) / 5)) {
          leaving = (async () => {
            await joining;
            secondHandled =
              (await metric(`http://127.0.0.1:${port}/metrics`, 'ixr_messages_handled_total', {
                topic: TOPICS.requestReceived,
                outcome: 'handled',
              })) ?? 0;
            await second!.stop();
          })();
        }
      },
    });
    await joining;
    await leaving;
    expect(secondHandled).toBeGreaterThan(0);
    await conclude(
      'two router instances in one consumer group, one joins and leaves',
      submitted,
      `second router joined at ${Math.floor(COUNT / 5)}, routed ${secondHandled}, left (SIGTERM) at ${Math.floor((4 * COUNT) / 5)}`,
    );
  });
});
