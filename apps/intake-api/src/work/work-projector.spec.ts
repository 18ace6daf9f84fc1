import type { AuditRecorded, EventEnvelope } from '@ixr/messaging';
import { inboxItemOfAudit } from './work-projector';

function audit(data: Partial<AuditRecorded>): EventEnvelope<AuditRecorded> {
  return {
    id: 'event-1',
    type: 'ixr.audit.recorded',
    source: 'ixr/router',
    time: '2026-12-03T10:00:00Z',
    subject: 'r',
    correlationid: 'c',
    datacontenttype: 'application/json',
    data: {
      kind: 'consulted',
      actor: { person: 'p', unit: 'siena/NL', role: 'partner' },
      justification: 'j',
      requestId: '7d2c0e55-4d8e-4a4f-9e59-1d0f1b9b1a01',
      recipients: ['PZ-5339'],
      channel: 'siena',
      rulesetVersion: null,
      at: '2026-12-03T10:00:00Z',
      details: {},
      ...data,
    },
  } as EventEnvelope<AuditRecorded>;
}

describe('inboxItemOfAudit', () => {
  it("puts an attached answer in the requesting unit's inbox", () => {
    const item = inboxItemOfAudit(
      audit({ kind: 'received', details: { kind: 'answer', disposition: 'attach' } }),
    );
    expect(item).toMatchObject({ unit: 'PZ-5339', kind: 'answer', source: 'event-1' });
    expect(item?.summary).toBe('Answer from siena/NL');
  });

  it('puts an inbound request in the inbox of the unit it was delivered to', () => {
    const item = inboxItemOfAudit(
      audit({
        kind: 'delivered',
        recipients: ['FGP-ANTWERPEN'],
        details: { direction: 'inbound', ruleId: 'IN-X' },
      }),
    );
    expect(item).toMatchObject({ unit: 'FGP-ANTWERPEN', kind: 'inbound_request' });
  });

  it('ignores consultations, unmatched answers and records about no request', () => {
    expect(inboxItemOfAudit(audit({ kind: 'consulted' }))).toBeUndefined();
    expect(
      inboxItemOfAudit(audit({ kind: 'received', details: { kind: 'answer', disposition: 'unmatched' } })),
    ).toBeUndefined();
    expect(
      inboxItemOfAudit(audit({ kind: 'delivered', requestId: null, details: { direction: 'inbound' } })),
    ).toBeUndefined();
  });
});
