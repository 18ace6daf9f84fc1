import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { isSealed, openForView, SEALED_PREFIX } from '@ixr/messaging';
import { DataKeyVault, DEVELOPMENT_DATA_KEY_MASTER, SERVICE_LOGINS } from '@ixr/persistence';
import { api, requestBody, tokenFor } from './support/api';
import { TestStack, waitFor } from './support/stack';

/**
 * The "done when" (SPEC §10): requests go out to the partner simulator and one comes in;
 * one outbound request is erased; once every service has handled the erasure, the whole database
 * (`pg_dump`) and every `ixr.*` topic read from the beginning hold none of its subject's name,
 * birth date or free text — not even with the master key, since its data key is gone — while the
 * requests not erased are still there (so the search can fail), and the log still verifies.
 */
const tag = randomUUID().slice(0, 8);
const erased = {
  name: `Ottoline Vandermeer-${tag}`,
  birth: '1968-02-29',
  description: `Arson of the harbour warehouse ${tag}`,
  sought: `Bank accounts held abroad ${tag}`,
  purpose: `Investigation Ghent ${tag}/11`,
  justification: `Suspected of arson ${tag}`,
};
const kept = { name: `Barnabas Kept-${tag}`, sought: `Vehicles registered ${tag}` };
const inbound = { name: `Hendrik Inbound-${tag}`, sought: `Known addresses ${tag}` };
const ERASED_SECRETS = Object.values(erased);
const ERASURE_CONSUMERS = ['router-erasure', 'adapters-erasure', 'exchange-log-erasure'];
const TOKEN = new RegExp(
  `${SEALED_PREFIX.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^:"\\s]+:[A-Za-z0-9_-]+`,
  'g',
);

/**
 * A pg_dump of the server's major version (pg_dump refuses a newer server): the one on the PATH,
 * or one under /usr/lib/postgresql/<major>/bin.
 */
function pgDumpFor(serverMajor: number): string {
  const candidates = ['pg_dump', `/usr/lib/postgresql/${serverMajor}/bin/pg_dump`];
  for (const candidate of candidates) {
    const version = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    const major = /(\d+)\.\d+/.exec(version.stdout ?? '')?.[1];
    if (version.status === 0 && Number(major) === serverMajor) return candidate;
  }
  throw new Error(
    `no pg_dump of version ${serverMajor} (the server's) in ${candidates.join(', ')}: install postgresql-client-${serverMajor} or point DATABASE_URL at a server of the installed version`,
  );
}

describe('erasure reaches every copy (SPEC §10)', () => {
  const stack = new TestStack();
  const vault = new DataKeyVault(DEVELOPMENT_DATA_KEY_MASTER, false);
  let intake: string;
  let erasedId: string;
  let keptId: string;
  let inboundId: string;

  /** Every sealed value in `text` opened where its key remains (the master key is the development one). */
  async function openedWherePossible(dumped: string): Promise<string> {
    // bytea columns (dead letters' payloads) are dumped as hex: read them as text too.
    const blobs = (dumped.match(/\\\\x[0-9a-f]+/g) ?? []).map((hex) =>
      Buffer.from(hex.slice(3), 'hex').toString('utf8'),
    );
    const text = [dumped, ...blobs].join('\n');
    const tokens = [...new Set(text.match(TOKEN) ?? [])];
    const db = {
      query: async (sql: string, params?: unknown[]): Promise<unknown> =>
        (await stack.db.query(sql, params)).rows,
    };
    const opened = await openForView(tokens, (keyId) => vault.find(db, keyId));
    return `${text}\n${JSON.stringify(opened.value)}`;
  }

  async function submit(body: ReturnType<typeof requestBody>): Promise<string> {
    const requester = await tokenFor('PZ-5339', ['requester']);
    const res = await api(intake, 'POST', '/v1/requests', { token: requester, body });
    expect(res.status).toBe(202);
    return res.body.id as string;
  }

  async function logged(id: string, kind: string): Promise<void> {
    await waitFor(
      async () =>
        (await stack.db.query(`SELECT 1 FROM exchange_log WHERE request_id = $1 AND kind = $2`, [id, kind]))
          .rowCount,
      `the ${kind} entry of ${id}`,
    );
  }

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    erasedId = await submit(
      requestBody({
        subjects: [{ type: 'person', name: erased.name, dateOfBirth: erased.birth }],
        offence: { category: 'other', description: erased.description },
        informationSought: erased.sought,
        purpose: erased.purpose,
        justification: erased.justification,
      }),
    );
    keptId = await submit(
      requestBody({ subjects: [{ type: 'person', name: kept.name }], informationSought: kept.sought }),
    );
    const sent = await api<{ ixr: { status: number; body: { reference: string } } }>(
      stack.url('partner-simulator', ''),
      'POST',
      '/simulator/partners/siena/NL/send',
      {
        body: {
          kind: 'request',
          missionType: 'judicial',
          offence: { category: 'drug_trafficking', description: `Shipments ${tag}` },
          region: 'antwerpen',
          urgency: { urgent: false },
          accessibility: 'indirect',
          handlingCode: 'H1',
          language: 'en',
          informationSought: inbound.sought,
          purpose: `Investigation Rotterdam ${tag}`,
          subjects: [{ type: 'person', name: inbound.name }],
        },
      },
    );
    expect(sent.status).toBe(200);
    expect(sent.body.ixr.status).toBe(202);
    inboundId = sent.body.ixr.body.reference;
    // Delivered to the partner simulator, both of them; the inbound one routed to its unit.
    await logged(erasedId, 'delivered');
    await logged(keptId, 'delivered');
    await logged(inboundId, 'routed');
  });
  afterAll(() => stack.stop());

  it('keeps personal data sealed on every topic even before an erasure', async () => {
    const messages = await readAllTopics();
    const clear = messages.join('\n');
    for (const secret of [...ERASED_SECRETS, kept.name, inbound.name, inbound.sought]) {
      expect(clear).not.toContain(secret);
    }
    // ... and sealed, not lost: with the keys, the names are there.
    const opened = await openedWherePossible(clear);
    for (const secret of [erased.name, kept.name, inbound.name]) expect(opened).toContain(secret);
  });

  it('erases one request: the database and the topics hold nothing of it, the others are still there', async () => {
    const dpo = await tokenFor('CGI-DPO', ['dpo']);
    const res = await api(intake, 'POST', `/v1/requests/${erasedId}/erasure`, {
      token: dpo,
      headers: { 'x-justification': `retention ended (case ${tag})` },
      body: { reason: 'no longer needed (Directive 2016/680 Art 16)' },
    });
    expect(res.status).toBe(200);

    // Every service has handled the erasure event (each in its own tables), and the log has its entry.
    const erasureEventId = await waitFor(async () => {
      const found = (await readAllTopics(['ixr.requests.erased'])).find((m) => m.includes(erasedId));
      return found && (JSON.parse(found) as { id: string }).id;
    }, 'the erasure event on ixr.requests.erased');
    await waitFor(async () => {
      const { rows } = await stack.db.query<{ consumer: string }>(
        `SELECT consumer FROM processed_events WHERE event_id = $1 AND consumer = ANY($2)`,
        [erasureEventId, ERASURE_CONSUMERS],
      );
      return rows.length === ERASURE_CONSUMERS.length;
    }, 'the erasure handled by the router, the adapters and the exchange log');
    await logged(erasedId, 'erased');
    expect((await stack.db.query(`SELECT 1 FROM data_keys WHERE key_id = $1`, [erasedId])).rowCount).toBe(0);

    const [{ server_version_num: version }] = (
      await stack.db.query<{ server_version_num: string }>('SHOW server_version_num')
    ).rows;
    const dump = spawnSync(
      pgDumpFor(Math.floor(Number(version) / 10000)),
      ['--data-only', stack.env.DATABASE_URL!],
      {
        encoding: 'utf8',
        maxBuffer: 1024 * 1024 * 1024,
      },
    );
    expect(dump.status).toBe(0);
    const database = await openedWherePossible(dump.stdout);
    const topics = await openedWherePossible((await readAllTopics()).join('\n'));
    for (const [where, text] of [
      ['database', database],
      ['topics', topics],
    ] as const) {
      for (const secret of ERASED_SECRETS) expect([where, text.includes(secret)]).toEqual([where, false]);
      // The same search finds the requests not erased: it would find the erased one too.
      for (const secret of [kept.name, kept.sought, inbound.name])
        expect([where, text.includes(secret)]).toEqual([where, true]);
    }
    // The erased request's entries are still in the log, their sealed values unchanged.
    const { rows } = await stack.db.query<{ entry: string }>(
      `SELECT entry FROM exchange_log WHERE request_id = $1 AND kind = 'received'`,
      [erasedId],
    );
    const received = JSON.parse(rows[0].entry) as { details: { body: { subjects: unknown } } };
    expect(isSealed(received.details.body.subjects)).toBe(true);
  });

  it('shows the erased entries as erased on the timeline; their proofs and the whole log still check', async () => {
    const auditor = await tokenFor('AIG-AUDIT', ['auditor']);
    const headers = { 'x-justification': `erasure check ${tag}` };
    const timeline = await api<{ entries: Record<string, unknown>[] }>(
      intake,
      'GET',
      `/v1/audit/requests/${erasedId}/timeline`,
      { token: auditor, headers },
    );
    expect(timeline.status).toBe(200);
    const received = timeline.body.entries.find((e) => e.kind === 'received')!;
    expect(received).toMatchObject({
      personalData: 'erased',
      justification: 'erased',
      details: { body: { subjects: 'erased', informationSought: 'erased', targetCountries: ['NL'] } },
    });
    expect(JSON.stringify(timeline.body)).not.toContain(erased.name);
    for (const entry of timeline.body.entries) {
      expect((entry.inclusion as { verified: boolean } | null)?.verified ?? true).toBe(true);
    }
    const other = await api<{ entries: Record<string, unknown>[] }>(
      intake,
      'GET',
      `/v1/audit/requests/${keptId}/timeline`,
      { token: auditor, headers },
    );
    expect(JSON.stringify(other.body)).toContain(kept.name);

    // The evidence bundle holds the entries as stored, and says which ones are erased.
    const personal = await waitFor(async () => {
      const bundle = await api<{ files: Record<string, string> }>(
        intake,
        'GET',
        `/v1/audit/export?requestId=${erasedId}`,
        { token: auditor, headers },
      );
      const file = bundle.status === 200 ? bundle.body.files['personal-data.json'] : undefined;
      if (file === undefined) return undefined;
      const listed = (JSON.parse(file) as { entries: { personalData: string }[] }).entries;
      return listed.some((e) => e.personalData === 'erased') ? bundle.body.files : undefined;
    }, 'an evidence bundle whose checkpoint covers the erased entries');
    expect(JSON.stringify(personal)).not.toContain(erased.name);

    const verify = spawnSync(
      process.execPath,
      [
        join(__dirname, '..', 'scripts', 'run-compiled.js'),
        'scripts/audit.js',
        'verify',
        '--justification',
        'after erasure',
      ],
      { env: { ...process.env, DATABASE_URL: stack.env.DATABASE_URL }, encoding: 'utf8' },
    );
    expect([verify.status, verify.stdout]).toEqual([0, expect.stringMatching(/^log intact: \d+ entries/)]);
  });

  it("erases a partner's incoming request: the data key the adapters made for it goes too", async () => {
    // Each service writes only its own keys: this one is the adapters', which sealed the message.
    const keys = () =>
      stack.db.query<{ writer: string }>('SELECT writer FROM data_keys WHERE key_id = $1', [inboundId]);
    expect((await keys()).rows).toEqual([{ writer: SERVICE_LOGINS.adapters }]);
    const dpo = await tokenFor('CGI-DPO', ['dpo']);
    const res = await api(intake, 'POST', `/v1/requests/${inboundId}/erasure`, {
      token: dpo,
      headers: { 'x-justification': `retention ended (incoming case ${tag})` },
      body: { reason: 'no longer needed (Directive 2016/680 Art 16)' },
    });
    expect(res.status).toBe(200);
    // The intake cannot delete it; the adapters do, on the erasure event.
    await waitFor(
      async () => (await keys()).rowCount === 0,
      "the adapters' key of the incoming request deleted",
    );
    const erasure = (await readAllTopics(['ixr.requests.erased'])).find((m) => m.includes(inboundId));
    const { rows } = await stack.db.query<{ consumer: string }>(
      `SELECT consumer FROM processed_events WHERE event_id = $1 AND consumer = 'adapters-erasure'`,
      [(JSON.parse(erasure!) as { id: string }).id],
    );
    expect(rows).toHaveLength(1);
  });
});

/** Every message of the given topics (default: every `ixr.*` topic), from the beginning to the end. */
async function readAllTopics(only?: string[]): Promise<string[]> {
  const kafka = new Kafka({
    clientId: 'ixr-e2e-erasure',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const topics = only ?? (await admin.listTopics()).filter((t) => t.startsWith('ixr.'));
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (Number(p.high) > Number(p.low)) ends.set(`${topic}/${p.partition}`, Number(p.high));
    }
  }
  await admin.disconnect();
  const messages: string[] = [];
  if (ends.size === 0) return messages;
  const consumer = kafka.consumer({ groupId: `ixr-e2e-erasure-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`topics not read to their end: ${[...ends.keys()].join(', ')}`)),
        60_000,
      );
      consumer
        .run({
          eachMessage: ({ topic, partition, message }) => {
            messages.push(message.value?.toString('utf8') ?? '');
            const at = `${topic}/${partition}`;
            if (ends.has(at) && Number(message.offset) + 1 >= ends.get(at)!) ends.delete(at);
            if (ends.size === 0) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
