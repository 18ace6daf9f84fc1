import type { EntityManager } from 'typeorm';
import {
  isSealed,
  sealPersonalData,
  TOPICS,
  type DeliveryOutcome,
  type EventEnvelope,
  type InboundRecorded,
} from '@ixr/messaging';
import { configureDataKeys, DataKeyVault, DEVELOPMENT_DATA_KEY_MASTER } from '@ixr/persistence';
import { storeInboundRecord, storeReplyOutcomes } from './pipeline-records';

const INBOUND_ID = '0b7c3f1e-7a52-4c1e-9d3e-5f0a1c2b3d4e';
const vault = new DataKeyVault(DEVELOPMENT_DATA_KEY_MASTER, true);
const { key, wrapped } = vault.fresh(INBOUND_ID);

/** A manager that holds one data key (or none: erased) and records every other statement. */
function manager(keyKept: boolean) {
  const statements: { sql: string; params: unknown[] }[] = [];
  const fake = {
    query: (sql: string, params: unknown[] = []) => {
      if (sql.includes('FROM data_keys')) return Promise.resolve(keyKept ? [{ wrapped }] : []);
      if (sql.includes('INSERT INTO data_keys')) throw new Error('the intake must not create a key here');
      statements.push({ sql, params });
      return Promise.resolve([]);
    },
  };
  return { manager: fake as unknown as EntityManager, statements };
}

function envelope<T>(data: T): EventEnvelope<T> {
  return {
    specversion: '1.0',
    id: 'event-1',
    type: 'ixr.inbound.recorded',
    source: 'ixr/router',
    time: '2026-12-03T10:00:00Z',
    subject: INBOUND_ID,
    correlationid: 'c',
    datacontenttype: 'application/json',
    data,
  };
}

async function sealedRequest(): Promise<EventEnvelope<InboundRecorded>> {
  const data: InboundRecorded = {
    inboundId: INBOUND_ID,
    channel: 'siena',
    partner: 'DE',
    originCountry: 'DE',
    receivedAt: '2026-12-03T09:59:00Z',
    message: {
      kind: 'request',
      messageId: 'pm-1',
      missionType: 'administrative',
      offence: { category: 'drug_trafficking', description: 'Shipments' },
      urgency: { urgent: false },
      accessibility: 'indirect',
      handlingCode: 'H1',
      language: 'en',
      informationSought: 'Known addresses',
      purpose: 'Case 7',
      subjects: [{ type: 'person', name: 'Jan Peeters' }],
    },
    attachedTo: INBOUND_ID,
    unit: 'FGP-ANTWERPEN',
    author: { person: 'partner:siena/DE', unit: 'siena/DE', role: 'partner' },
    handlingCode: 'H1',
    late: false,
    recordedAt: '2026-12-03T10:00:00Z',
  };
  const sealed = (await sealPersonalData(TOPICS.inboundRecorded, data, () =>
    Promise.resolve(key),
  )) as InboundRecorded;
  expect(isSealed((sealed.message as { purpose: unknown }).purpose)).toBe(true);
  return envelope(sealed);
}

describe('storeInboundRecord', () => {
  beforeAll(() => configureDataKeys(vault));

  it("stores a partner's request with its personal data opened by the request's key", async () => {
    const { manager: m, statements } = manager(true);
    await expect(storeInboundRecord(m, await sealedRequest())).resolves.toBe(INBOUND_ID);
    expect(statements).toHaveLength(1);
    expect(statements[0].sql).toContain('INSERT INTO requests');
    const body = JSON.parse(statements[0].params[4] as string) as { purpose: string; subjects: unknown };
    expect(body).toMatchObject({ purpose: 'Case 7', subjects: [{ type: 'person', name: 'Jan Peeters' }] });
    expect(statements[0].params[5]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stores a request whose key is gone (erased) without its personal data', async () => {
    const { manager: m, statements } = manager(false);
    await storeInboundRecord(m, await sealedRequest());
    const body = statements[0].params[4] as string;
    expect(body).not.toContain('ixr-sealed');
    expect(body).not.toContain('Jan Peeters');
    expect(statements[0].params[5]).toBe('erased');
  });
});

describe('storeReplyOutcomes', () => {
  const outcome = (data: Partial<DeliveryOutcome>) =>
    envelope<DeliveryOutcome>({
      deliveryId: '5f0a1c2b-7a52-4c1e-9d3e-0b7c3f1e3d4e',
      requestId: INBOUND_ID,
      channel: 'siena',
      destination: 'DE',
      at: '2026-12-03T10:00:00Z',
      attempts: 2,
      outcome: 'delivered',
      ...data,
    });

  it('ends pending replies with the outcome and its attempts', async () => {
    const { manager: m, statements } = manager(true);
    await storeReplyOutcomes(m, [outcome({}), outcome({})]);
    expect(statements).toHaveLength(1);
    expect(statements[0].sql).toContain("s.status = 'pending'");
    expect(statements[0].params[0]).toEqual(['5f0a1c2b-7a52-4c1e-9d3e-0b7c3f1e3d4e']);
    expect(statements[0].params[5]).toEqual([2]);
  });

  it('leaves cancelled deliveries and ids that name no reply alone', async () => {
    const { manager: m, statements } = manager(true);
    await storeReplyOutcomes(m, [outcome({ outcome: 'cancelled' }), outcome({ deliveryId: 'not-a-uuid' })]);
    expect(statements).toEqual([]);
  });
});
