import { configureDataKeys, InMemoryDataKeys } from '@ixr/persistence';
import type { DataSource } from 'typeorm';
import {
  derivePartnerKey,
  SIGNATURE_HEADER,
  signPartnerMessage,
  TIMESTAMP_HEADER,
  type OutboxRelay,
} from '@ixr/messaging';
import { defaultDirectory } from '@ixr/routing';
import { InboundReceiver, InboundRefusedError } from './inbound-receiver';
import { PartnerKeys } from './partner-keys';

const SEED = 'unit-test-partner-seed';
const NOW = new Date('2026-02-01T12:00:00Z');
const answer = {
  kind: 'answer',
  messageId: 'm-1',
  inReplyTo: 'r-1',
  handlingCode: 'H1',
  language: 'en',
  text: 'Found.',
};

/** A fake database whose inbound_messages insert succeeds once per message id, like the real key. */
const SENT_REQUEST = '11111111-1111-4111-8111-111111111111';

function setup() {
  const seen = new Set<string>();
  const inserted: string[] = [];
  const outbox: { topic: string; key: string; data: Record<string, unknown> }[] = [];
  let nudged = 0;
  const manager = {
    query: (sql: string, params: unknown[]) => {
      if (sql.startsWith('SELECT channel, destination FROM deliveries')) {
        // SENT_REQUEST went to siena/NL and the national SPOC; nothing else is known.
        return Promise.resolve(
          params[0] === SENT_REQUEST
            ? [
                { channel: 'siena', destination: 'NL' },
                { channel: 'national_spoc', destination: 'CGI-SPOC' },
              ]
            : [],
        );
      }
      if (sql.startsWith('INSERT INTO inbound_messages')) {
        inserted.push(params[2] as string);
        const key = (params as string[]).slice(0, 3).join('/');
        if (seen.has(key)) return Promise.resolve([]);
        seen.add(key);
        return Promise.resolve([{ inbound_id: params[3] }]);
      }
      if (sql.startsWith('INSERT INTO outbox'))
        outbox.push({
          topic: params[0] as string,
          key: params[1] as string,
          data: (JSON.parse(params[2] as string) as { data: Record<string, unknown> }).data,
        });
      return Promise.resolve([]);
    },
  };
  const dataSource = {
    transaction: (run: (m: typeof manager) => unknown) => run(manager),
  } as unknown as DataSource;
  let n = 0;
  const receiver = new InboundReceiver(
    dataSource,
    { nudge: () => nudged++ } as unknown as OutboxRelay,
    new PartnerKeys({ 'interpol/US': 'x'.repeat(32) }, SEED),
    {
      latestDirectory: () =>
        Promise.resolve({ directory: defaultDirectory(), directoryVersion: defaultDirectory().version }),
    },
    { now: () => NOW },
    { uuid: () => `00000000-0000-4000-8000-00000000000${n++}` },
    300,
  );
  return { receiver, outbox, inserted, nudges: () => nudged };
}

function signed(
  body: string,
  partner = { channel: 'siena', id: 'NL' },
  key = derivePartnerKey(SEED, partner),
) {
  const timestamp = String(Math.floor(NOW.getTime() / 1000));
  return {
    channel: partner.channel,
    partner: partner.id,
    headers: {
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: signPartnerMessage(key, partner, timestamp, body),
    },
    body: Buffer.from(body),
  };
}

async function refusal(run: Promise<unknown>): Promise<{ code: string; status: number }> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InboundRefusedError);
  const { code, status } = error as InboundRefusedError;
  return { code, status };
}

describe('InboundReceiver', () => {
  // Personal data in the events is sealed (SPEC §10): under keys kept in memory here.
  const dataKeys = new InMemoryDataKeys();
  beforeAll(() => configureDataKeys(dataKeys));

  it('accepts a signed answer once, keyed by the request it answers, and refuses its replay', async () => {
    const { receiver, outbox, nudges } = setup();
    const input = signed(JSON.stringify(answer));
    await expect(receiver.receive(input)).resolves.toEqual({ reference: expect.any(String) });
    expect(outbox).toEqual([
      {
        topic: 'ixr.inbound.received',
        key: 'r-1',
        data: expect.objectContaining({ channel: 'siena', partner: 'NL', originCountry: 'NL' }),
      },
    ]);
    expect(nudges()).toBe(1);
    expect(await refusal(receiver.receive(input))).toEqual({ code: 'INBOUND.REPLAYED', status: 409 });
    expect(outbox).toHaveLength(1);
  });

  it('refuses unknown partners and national channels', async () => {
    const { receiver } = setup();
    const body = JSON.stringify(answer);
    expect(await refusal(receiver.receive({ ...signed(body), channel: 'national_unit' }))).toEqual({
      code: 'INBOUND.UNKNOWN_PARTNER',
      status: 401,
    });
    expect(await refusal(receiver.receive({ ...signed(body), partner: 'nl' }))).toMatchObject({
      status: 401,
    });
  });

  it('uses a partner’s configured key rather than the seed', async () => {
    const { receiver } = setup();
    const body = JSON.stringify(answer);
    const us = { channel: 'interpol', id: 'US' };
    await expect(receiver.receive(signed(body, us, 'x'.repeat(32)))).resolves.toBeDefined();
    expect(
      await refusal(receiver.receive(signed(JSON.stringify({ ...answer, messageId: 'm-2' }), us))),
    ).toEqual({
      code: 'INBOUND.SIGNATURE_MISMATCH',
      status: 401,
    });
  });

  it('refuses what is unsigned or not a partner message, storing nothing', async () => {
    const { receiver, outbox } = setup();
    const body = JSON.stringify(answer);
    expect(await refusal(receiver.receive({ ...signed(body), headers: {} }))).toEqual({
      code: 'INBOUND.SIGNATURE_MISSING',
      status: 401,
    });
    expect(await refusal(receiver.receive(signed('{"kind":"answer"}')))).toEqual({
      code: 'INBOUND.INVALID_MESSAGE',
      status: 400,
    });
    expect(await refusal(receiver.receive(signed('not json')))).toEqual({
      code: 'INBOUND.INVALID_MESSAGE',
      status: 400,
    });
    expect(outbox).toEqual([]);
  });

  describe('partners that are not countries', () => {
    const request = (overrides: Record<string, unknown> = {}) =>
      JSON.stringify({
        kind: 'request',
        messageId: `q-${Math.random()}`,
        missionType: 'administrative',
        offence: { category: 'motor_vehicle_crime', description: 'Stolen vans crossing at Kerkrade' },
        urgency: { urgent: false },
        accessibility: 'direct',
        handlingCode: 'H0',
        language: 'nl',
        informationSought: 'Holder of a Belgian plate',
        purpose: 'Border patrol check',
        subjects: [{ type: 'vehicle', registration: '1-ABC-123', country: 'BE' }],
        ...overrides,
      });

    it('accepts a PCCC, a liaison post and Europol, each with its own key, and says for which state', async () => {
      const { receiver, outbox } = setup();
      const heerlen = { channel: 'pccc', id: 'PCCC-HEERLEN' };
      await receiver.receive(signed(request({ originCountry: 'DE' }), heerlen));
      const tournai = { channel: 'pccc', id: 'PCCC-TOURNAI' };
      await receiver.receive(signed(request(), tournai));
      const washington = { channel: 'liaison_officer', id: 'LO-WASHINGTON' };
      await receiver.receive(signed(request({ originCountry: 'CA' }), washington));
      const europol = { channel: 'europol', id: 'EUROPOL' };
      await receiver.receive(signed(request(), europol));
      await receiver.receive(signed(JSON.stringify({ ...answer, messageId: 'm-9' }), europol));
      expect(outbox.map((o) => [o.data.channel, o.data.partner, o.data.originCountry])).toEqual([
        ['pccc', 'PCCC-HEERLEN', 'DE'],
        ['pccc', 'PCCC-TOURNAI', 'FR'],
        ['liaison_officer', 'LO-WASHINGTON', 'CA'],
        ['europol', 'EUROPOL', undefined],
        ['europol', 'EUROPOL', undefined],
      ]);
    });

    it('refuses partners the directory does not know on that channel, after checking their signature', async () => {
      const { receiver, outbox } = setup();
      for (const partner of [
        { channel: 'pccc', id: 'PCCC-VIENNA' },
        { channel: 'pccc', id: 'FR' },
        { channel: 'liaison_officer', id: 'LO-PARIS' },
        { channel: 'europol', id: 'NL' },
        { channel: 'siena', id: 'PCCC-HEERLEN' },
        { channel: 'siena', id: 'BE' },
      ]) {
        expect([partner, await refusal(receiver.receive(signed(request(), partner)))]).toEqual([
          partner,
          { code: 'INBOUND.UNKNOWN_PARTNER', status: 401 },
        ]);
      }
      expect(outbox).toEqual([]);
    });

    it('asks a partner that speaks for several states to name one it speaks for', async () => {
      const { receiver, outbox } = setup();
      const heerlen = { channel: 'pccc', id: 'PCCC-HEERLEN' };
      const unnamed = await receiver.receive(signed(request(), heerlen)).catch((e: unknown) => e);
      expect(unnamed).toMatchObject({
        code: 'INBOUND.INVALID_MESSAGE',
        status: 400,
        details: [{ path: 'originCountry', message: expect.stringMatching(/speaks for DE, NL/) }],
      });
      expect(await refusal(receiver.receive(signed(request({ originCountry: 'FR' }), heerlen)))).toEqual({
        code: 'INBOUND.INVALID_MESSAGE',
        status: 400,
      });
      const europol = { channel: 'europol', id: 'EUROPOL' };
      expect(await refusal(receiver.receive(signed(request({ originCountry: 'US' }), europol)))).toEqual({
        code: 'INBOUND.INVALID_MESSAGE',
        status: 400,
      });
      expect(outbox).toEqual([]);
    });
  });

  it('takes an answer only from the channel and partner the request went to; refuses and logs any other', async () => {
    const { receiver, outbox, inserted } = setup();
    const body = (messageId: string) => JSON.stringify({ ...answer, messageId, inReplyTo: SENT_REQUEST });
    expect(await refusal(receiver.receive(signed(body('m-de'), { channel: 'siena', id: 'DE' })))).toEqual({
      code: 'INBOUND.NOT_ADDRESSEE',
      status: 403,
    });
    expect(await refusal(receiver.receive(signed(body('m-ip'), { channel: 'interpol', id: 'NL' })))).toEqual({
      code: 'INBOUND.NOT_ADDRESSEE',
      status: 403,
    });
    expect(inserted).toEqual([]);
    expect(
      outbox.map((m) => [m.topic, m.data.kind, m.data.requestId, (m.data.actor as { unit: string }).unit]),
    ).toEqual([
      ['ixr.audit.recorded', 'denied', SENT_REQUEST, 'siena/DE'],
      ['ixr.audit.recorded', 'denied', SENT_REQUEST, 'interpol/NL'],
    ]);
    await receiver.receive(signed(body('m-nl')));
    expect(inserted).toEqual(['m-nl']);
    expect(outbox.at(-1)?.topic).toBe('ixr.inbound.received');
  });
});
