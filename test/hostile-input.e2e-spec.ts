import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { createEnvelope, EVENT_TYPES, TOPIC_PARTIES, TOPICS, type Topic } from '@ixr/messaging';
import { SERVICES } from '../scripts/dev/services';
import { api, requestBody, tokenFor } from './support/api';
import { hostileRequests, hostileTokens, type HostileRequest } from './support/hostile-requests';
import { TestStack, waitFor } from './support/stack';
import { testEnvironment } from './support/test-env';

/**
 * Whatever arrives — a malformed body, an oversized field, a forged token, a poisoned Kafka
 * message — gets a clear answer and changes nothing (issue 6). Over 300 hostile HTTP requests,
 * generated and hand-written, then malformed messages on every consumed topic.
 */
const TABLES = [
  'requests',
  'deliveries',
  'outbox',
  'exchange_log',
  'unit_inbox',
  'processed_events',
  'rulesets',
  'directory_versions',
];

async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size)
    results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return results;
}

/**
 * One HTTP exchange over node:http rather than fetch: a server that refuses an oversized body
 * answers 413 at once and closes the connection, and the test must read that answer.
 */
function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest(url, { method, headers }, (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.setTimeout(30_000, () => request.destroy(new Error('no answer within 30 s')));
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (body !== undefined && body.length > 1_000_000) {
      // Announce the whole length, send a first part, and wait: the limit is judged on the
      // Content-Length, and a client that streamed megabytes at a closed socket would lose the answer.
      request.setHeader('content-length', String(Buffer.byteLength(body)));
      request.write(Buffer.from(body).subarray(0, 64 * 1024));
      request.on('response', (response) => response.on('end', () => request.destroy()));
    } else {
      request.end(body);
    }
  });
}

describe('hostile input', () => {
  const stack = new TestStack();
  const { brokers } = testEnvironment();
  const kafka = new Kafka({
    clientId: 'ixr-hostile-test',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  let intake: string;
  let requester: string;
  let spoc: string;

  async function snapshot(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      const { rows } = await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      counts[table] = Number(rows[0].n);
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of Object.values(TOPICS)) {
        const offsets = await admin.fetchTopicOffsets(topic);
        counts[`topic ${topic}`] = offsets.reduce((sum, p) => sum + Number(p.high), 0);
      }
    } finally {
      await admin.disconnect();
    }
    return counts;
  }

  /**
   * A snapshot once the system is idle: the suites before this one may leave events in flight
   * (an outbox row, a log append), so wait until two snapshots a second apart agree.
   */
  async function quiescentSnapshot(): Promise<Record<string, number>> {
    const deadline = Date.now() + 60_000;
    let previous = await snapshot();
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const current = await snapshot();
      if (JSON.stringify(current) === JSON.stringify(previous) && current.outbox === 0) return current;
      previous = current;
    }
    throw new Error(`the system did not settle within 60 s: ${JSON.stringify(previous)}`);
  }

  async function allHealthy(): Promise<Record<string, number>> {
    const statuses: Record<string, number> = {};
    for (const service of SERVICES) statuses[service] = (await fetch(stack.url(service, '/health'))).status;
    return statuses;
  }

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    requester = await tokenFor('PZ-5339', ['requester']);
    spoc = await tokenFor('CGI-SPOC', ['spoc_operator'], 'federal');
  });
  afterAll(() => stack.stop());

  async function send(item: HostileRequest): Promise<string | undefined> {
    const headers: Record<string, string> = { ...item.headers };
    if (item.auth !== 'own') headers.authorization = `Bearer ${item.auth === 'spoc' ? spoc : requester}`;
    let status: number;
    let text: string;
    try {
      ({ status, text } = await rawRequest(`${intake}${item.path}`, item.method, headers, item.body));
    } catch (error) {
      return `${item.family} / ${item.name}: no answer (${(error as Error).message})`;
    }
    let error: { code?: string; message?: string; details?: unknown } | undefined;
    try {
      error = (JSON.parse(text) as { error?: typeof error }).error;
    } catch {
      error = undefined;
    }
    const said = `${error?.code} ${error?.message} ${JSON.stringify(error?.details)}`.toLowerCase();
    const problems: string[] = [];
    if (!item.status.includes(status)) problems.push(`status ${status}, expected ${item.status.join('|')}`);
    if (!error?.code || !error.message) problems.push('no { error: { code, message } } body');
    for (const word of item.mentions)
      if (!said.includes(word.toLowerCase())) problems.push(`does not mention "${word}"`);
    return problems.length
      ? `${item.family} / ${item.name}: ${problems.join('; ')} — ${text.slice(0, 300)}`
      : undefined;
  }

  it('answers 300+ hostile requests with a 4xx naming the problem, and changes nothing', async () => {
    const cases = [...hostileRequests(), ...(await hostileTokens(requester))];
    expect(cases.length).toBeGreaterThanOrEqual(300);
    const families = new Set(cases.map((c) => c.family));
    expect([...families].sort()).toEqual(
      [
        'content type',
        'control characters',
        'deep nesting',
        'extra field',
        'headers',
        'huge string',
        'injection-looking text',
        'invalid UTF-8',
        'malformed JSON',
        'missing field',
        'prototype keys',
        'routes',
        'simulation',
        'tokens',
        'unsafe text',
        'wrong type',
      ].sort(),
    );
    const before = await quiescentSnapshot();
    const started = Date.now();
    const failures = (await inBatches(cases, 10, send)).filter(Boolean);
    const elapsed = Date.now() - started;
    expect(failures).toEqual([]);
    process.stdout.write(`[hostile] ${cases.length} hostile requests answered in ${elapsed} ms\n`);

    expect(await snapshot()).toEqual(before);
    expect(await allHealthy()).toEqual(Object.fromEntries(SERVICES.map((s) => [s, 200])));
  });

  describe('malformed Kafka messages', () => {
    let producer: Producer;
    let consumer: Consumer;
    const deadLetters: { source: string; data: Record<string, unknown> }[] = [];

    beforeAll(async () => {
      producer = kafka.producer();
      await producer.connect();
      consumer = kafka.consumer({ groupId: `ixr-hostile-dlq-${randomUUID()}`, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: TOPICS.deadLetter, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const envelope = JSON.parse(message.value!.toString('utf8')) as {
            source: string;
            data: Record<string, unknown>;
          };
          deadLetters.push({ source: envelope.source, data: envelope.data });
        },
      });
    });
    afterAll(async () => {
      await consumer.disconnect();
      await producer.disconnect();
    });

    /**
     * Consumers of each topic hit here, by the source they write on their dead letters: the
     * registry's map of who reads what (TOPIC_PARTIES), so a new consumer is expected at once.
     */
    const CONSUMERS: Partial<Record<Topic, string[]>> = Object.fromEntries(
      [
        TOPICS.requestReceived,
        TOPICS.requestRouted,
        TOPICS.deliveryDispatched,
        TOPICS.deliveryOutcome,
        TOPICS.auditRecorded,
        TOPICS.deadlineReached,
      ].map((topic) => [topic, TOPIC_PARTIES[topic].receive.map((service) => `ixr/${service}`)]),
    );

    function malformed(topic: Topic): { name: string; value: Buffer | string | null }[] {
      const envelope = (data: unknown, type: string = EVENT_TYPES[topic]) =>
        JSON.stringify(
          createEnvelope({
            id: randomUUID(),
            type,
            source: 'hostile',
            time: new Date(),
            subject: randomUUID(),
            data,
          }),
        );
      const otherType =
        topic === TOPICS.requestReceived
          ? EVENT_TYPES[TOPICS.deliveryOutcome]
          : EVENT_TYPES[TOPICS.requestReceived];
      return [
        { name: 'not JSON', value: 'not json {' },
        { name: 'empty value', value: '' },
        { name: 'tombstone (null value)', value: null },
        { name: 'invalid UTF-8', value: Buffer.from([0xff, 0xfe, 0x7b, 0xc3, 0x28]) },
        { name: 'JSON array', value: '[]' },
        { name: 'envelope without fields', value: '{"specversion":"1.0"}' },
        { name: 'event type of another topic', value: envelope({}, otherType) },
        { name: 'data of the wrong shape', value: envelope({ requestId: 42 }) },
        { name: '__proto__ in data', value: envelope(JSON.parse('{"__proto__":{"polluted":true}}')) },
        { name: 'bad time', value: envelope({}).replace(/"time":"[^"]+"/, '"time":"yesterday"') },
        { name: 'huge field', value: envelope({ blob: 'x'.repeat(400_000) }) },
        { name: 'deep nesting', value: `${'['.repeat(50_000)}${']'.repeat(50_000)}` },
      ];
    }

    it('dead-letters each with a reason, and no consumer crashes', async () => {
      const before = await quiescentSnapshot();
      const outputBefore = stack.output.length;
      const sent: { topic: Topic; name: string; partition: number; offset: string; sources: string[] }[] = [];
      for (const [topic, sources] of Object.entries(CONSUMERS) as [Topic, string[]][]) {
        for (const { name, value } of malformed(topic)) {
          const [meta] = await producer.send({ topic, messages: [{ key: `hostile-${sent.length}`, value }] });
          sent.push({ topic, name, partition: meta.partition, offset: meta.baseOffset!, sources });
        }
      }
      // A well-formed audit event whose details nest too deep to hash: the handler fails, retries, then dead-letters.
      const audit = JSON.stringify(
        createEnvelope({
          id: randomUUID(),
          type: EVENT_TYPES[TOPICS.auditRecorded],
          source: 'hostile',
          time: new Date(),
          subject: 'audit/consulted',
          data: {
            kind: 'consulted',
            actor: { person: 'x', unit: 'PZ-1', role: 'auditor' },
            justification: 'hostile',
            requestId: null,
            recipients: [],
            channel: null,
            rulesetVersion: null,
            at: new Date().toISOString(),
            details: { deep: '§' },
          },
        }),
      ).replace('"§"', `${'['.repeat(100_000)}1${']'.repeat(100_000)}`);
      const [meta] = await producer.send({
        topic: TOPICS.auditRecorded,
        messages: [{ key: 'hostile-deep', value: audit }],
      });
      sent.push({
        topic: TOPICS.auditRecorded,
        name: 'details too deep to hash',
        partition: meta.partition,
        offset: meta.baseOffset!,
        sources: ['ixr/exchange-log'],
      });

      const expected = sent.flatMap((s) => s.sources.map((source) => ({ ...s, source })));
      const found = await waitFor(
        async () => {
          const matches = expected.map((e) =>
            deadLetters.find(
              (d) =>
                d.source === e.source &&
                d.data.originalTopic === e.topic &&
                d.data.partition === e.partition &&
                d.data.offset === e.offset,
            ),
          );
          const missing = expected.filter((_, i) => !matches[i]);
          if (missing.length > 0) {
            throw new Error(
              `missing ${missing.map((m) => `${m.topic} / ${m.name} / ${m.source}`).join('; ')}`,
            );
          }
          return matches;
        },
        `${expected.length} dead letters`,
        120_000,
      );
      expect(expected.length).toBeGreaterThanOrEqual(80);
      found.forEach((letter, i) => {
        const what = `${expected[i].topic} / ${expected[i].name} / ${expected[i].source}`;
        expect({
          what,
          code: typeof letter!.data.errorCode,
          reason: String(letter!.data.errorMessage).length > 5,
        }).toEqual({
          what,
          code: 'string',
          reason: true,
        });
      });
      const invalid = found.filter((l) => l!.data.errorCode === 'MESSAGING.INVALID_MESSAGE').length;
      expect(invalid).toBe(expected.length - 1);
      const newOutput = stack.output.slice(outputBefore).join('\n');
      expect(newOutput).not.toContain('kafka consumer crashed');
      expect(await allHealthy()).toEqual(Object.fromEntries(SERVICES.map((s) => [s, 200])));
      // Nothing stored; the only new messages are the ones sent and their dead letters.
      const after = await quiescentSnapshot();
      const grown = { ...before };
      for (const s of sent) grown[`topic ${s.topic}`] += 1;
      grown[`topic ${TOPICS.deadLetter}`] += expected.length;
      expect(after).toEqual(grown);
    });

    it('still carries a valid request end to end afterwards', async () => {
      const submitted = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
        token: requester,
        body: requestBody(),
      });
      expect(submitted.status).toBe(202);
      await waitFor(
        async () => {
          const res = await api<{ status: string }>(intake, 'GET', `/v1/requests/${submitted.body.id}`, {
            token: requester,
          });
          return res.body.status === 'delivered';
        },
        'the request delivered',
        60_000,
      );
    });
  });
});
