import type { DataSource } from 'typeorm';
import {
  derivePartnerKey,
  SIGNATURE_HEADER,
  signPartnerMessage,
  TIMESTAMP_HEADER,
  type OutboxRelay,
} from '@ixr/messaging';
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
function setup() {
  const seen = new Set<string>();
  const outbox: { topic: string; key: string }[] = [];
  let nudged = 0;
  const manager = {
    query: (sql: string, params: unknown[]) => {
      if (sql.startsWith('INSERT INTO inbound_messages')) {
        const key = (params as string[]).slice(0, 3).join('/');
        if (seen.has(key)) return Promise.resolve([]);
        seen.add(key);
        return Promise.resolve([{ inbound_id: params[3] }]);
      }
      if (sql.startsWith('INSERT INTO outbox'))
        outbox.push({ topic: params[0] as string, key: params[1] as string });
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
    { now: () => NOW },
    { uuid: () => `00000000-0000-4000-8000-00000000000${n++}` },
    300,
  );
  return { receiver, outbox, nudges: () => nudged };
}

function signed(
  body: string,
  partner = { channel: 'siena', country: 'NL' },
  key = derivePartnerKey(SEED, partner),
) {
  const timestamp = String(Math.floor(NOW.getTime() / 1000));
  return {
    channel: partner.channel,
    country: partner.country,
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
  it('accepts a signed answer once, keyed by the request it answers, and refuses its replay', async () => {
    const { receiver, outbox, nudges } = setup();
    const input = signed(JSON.stringify(answer));
    await expect(receiver.receive(input)).resolves.toEqual({ reference: expect.any(String) });
    expect(outbox).toEqual([{ topic: 'ixr.inbound.received', key: 'r-1' }]);
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
    expect(await refusal(receiver.receive({ ...signed(body), country: 'nl' }))).toMatchObject({
      status: 401,
    });
  });

  it('uses a partner’s configured key rather than the seed', async () => {
    const { receiver } = setup();
    const body = JSON.stringify(answer);
    const us = { channel: 'interpol', country: 'US' };
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
});
