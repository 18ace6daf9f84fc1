import { randomBytes } from 'node:crypto';
import { sampleRequestBody } from '@ixr/domain';
import { TOPICS } from './topics';
import { TOPIC_SCHEMAS } from './schemas';
import {
  ERASED,
  isSealed,
  openForView,
  openPersonalData,
  PersonalDataErasedError,
  sealPersonalData,
  withStandIns,
} from './personal-data';

const requestId = '7d1f2c3a-1b2c-4d5e-8f90-123456789abc';
const body = {
  ...sampleRequestBody(),
  subjects: [{ type: 'person' as const, name: 'Ottoline Vandermeer', dateOfBirth: '1968-02-29' }],
  informationSought: 'Bank accounts of the subject',
};
const received = {
  requestId,
  actor: { person: 'p', unit: 'PZ-5339', role: 'requester' },
  receivedAt: '2026-03-01T10:00:00.000Z',
  body,
};

describe('personal data in events (SPEC §10)', () => {
  const key = randomBytes(32);
  const keyFor = jest.fn((_id: string) => Promise.resolve(key));

  it('seals subjects and free text under the request key; facts stay clear', async () => {
    const sealed = (await sealPersonalData(TOPICS.requestReceived, received, keyFor)) as typeof received;
    const text = JSON.stringify(sealed);
    for (const secret of ['Ottoline', '1968-02-29', 'Bank accounts', body.purpose, body.justification]) {
      expect(text).not.toContain(secret);
    }
    expect(isSealed(sealed.body.subjects)).toBe(true);
    expect(sealed.body.targetCountries).toEqual(body.targetCountries);
    expect(sealed.body.offence.category).toBe(body.offence.category);
    expect(keyFor).toHaveBeenCalledWith(requestId);
    // Sealing twice changes nothing: a re-driven or re-parked event keeps its sealed values.
    expect(await sealPersonalData(TOPICS.requestReceived, sealed, keyFor)).toBe(sealed);
  });

  it('opens with the key, and refuses (erased) without it', async () => {
    const sealed = await sealPersonalData(TOPICS.requestReceived, received, keyFor);
    expect(await openPersonalData(TOPICS.requestReceived, sealed, keyFor)).toEqual(received);
    await expect(
      openPersonalData(TOPICS.requestReceived, sealed, () => Promise.resolve(null)),
    ).rejects.toThrow(PersonalDataErasedError);
    // Another key does not open it (AES-GCM authenticates).
    await expect(
      openPersonalData(TOPICS.requestReceived, sealed, () => Promise.resolve(randomBytes(32))),
    ).rejects.toThrow();
  });

  it('validates a sealed event against its schema with stand-ins, and gives it back sealed', async () => {
    const sealed = (await sealPersonalData(TOPICS.requestReceived, received, keyFor)) as typeof received;
    expect(TOPIC_SCHEMAS[TOPICS.requestReceived].safeParse(sealed).success).toBe(false);
    const { checkable, restore } = withStandIns(TOPICS.requestReceived, sealed);
    const parsed = TOPIC_SCHEMAS[TOPICS.requestReceived].parse(checkable);
    expect(restore(parsed)).toEqual(sealed);
  });

  it('copies nothing of an event without sealed fields, however deep (hostile input stays the handler’s to refuse)', () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}1${']'.repeat(20_000)}`) as unknown;
    const audit = { kind: 'consulted', requestId: null, details: { deep } };
    expect(withStandIns(TOPICS.auditRecorded, audit).checkable).toBe(audit);
    const withRequest = { ...audit, requestId };
    expect(withStandIns(TOPICS.auditRecorded, withRequest).checkable).toBe(withRequest);
  });

  it('shows a view clear where the key remains and `erased` where it is gone', async () => {
    const sealed = await sealPersonalData(TOPICS.requestReceived, received, keyFor);
    const entry = { kind: 'received', details: { body: (sealed as typeof received).body } };
    expect(await openForView(entry, keyFor)).toEqual({
      value: { kind: 'received', details: { body } },
      erased: false,
    });
    const gone = await openForView(entry, () => Promise.resolve(null));
    expect(gone.erased).toBe(true);
    expect((gone.value as typeof entry).details.body.subjects).toBe(ERASED);
    expect(JSON.stringify(gone.value)).not.toContain('Ottoline');
  });

  it('seals a partner message under the key of the request it names, or its own', async () => {
    const seen: string[] = [];
    const record = (id: string) => {
      seen.push(id);
      return Promise.resolve(key);
    };
    const answer = {
      inboundId: 'c0ffee00-0000-4000-8000-000000000001',
      channel: 'siena',
      partner: 'NL',
      receivedAt: '2026-03-01T10:00:00.000Z',
      message: {
        kind: 'answer',
        messageId: 'm1',
        inReplyTo: requestId,
        handlingCode: 'H1',
        language: 'en',
        text: 'He lives at Dam 1',
      },
    };
    const sealed = JSON.stringify(await sealPersonalData(TOPICS.inboundReceived, answer, record));
    expect(sealed).not.toContain('Dam 1');
    const withdrawal = {
      ...answer,
      message: {
        ...answer.message,
        kind: 'withdrawal',
        inReplyTo: 'NL-REQ-7',
        text: undefined,
        reason: 'solved',
      },
    };
    await sealPersonalData(TOPICS.inboundReceived, withdrawal, record);
    // ... unless the adapter placed it: the request IXR made of the partner's own request.
    const placed = { ...withdrawal, requestId: 'c0ffee00-0000-4000-8000-000000000002' };
    await sealPersonalData(TOPICS.inboundReceived, placed, record);
    expect(seen).toEqual([requestId, answer.inboundId, placed.requestId]);
  });
});
