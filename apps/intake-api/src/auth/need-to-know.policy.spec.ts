import { isRoutedTo, readAccess } from './need-to-know.policy';

const request = { requestingUnit: 'PZ-5339' };
const deliveries = [
  { channel: 'siena', destination: 'NL' },
  { channel: 'national_spoc', destination: 'CGI-SPOC' },
  { channel: 'national_unit', destination: 'DJSOC-CYBER' },
];

describe('need-to-know', () => {
  it('lets the requesting unit read its request', () => {
    expect(readAccess({ unit: 'PZ-5339', role: 'requester' }, request, deliveries)).toEqual({
      allowed: true,
      basis: 'requesting_unit',
    });
  });

  it('lets a unit read what was routed to it over a national channel, and nothing else', () => {
    expect(readAccess({ unit: 'DJSOC-CYBER', role: 'requester' }, request, deliveries)).toEqual({
      allowed: true,
      basis: 'contact_point',
    });
    expect(readAccess({ unit: 'CGI-SPOC', role: 'requester' }, request, deliveries)).toEqual({
      allowed: true,
      basis: 'contact_point',
    });
    // A foreign destination with a unit-like name is not a national recipient.
    expect(isRoutedTo('NL', deliveries)).toBe(false);
    expect(readAccess({ unit: 'PZ-9999', role: 'requester' }, request, deliveries)).toEqual({
      allowed: false,
      reason: 'request belongs to another unit and was not routed to PZ-9999',
    });
  });

  it('lets the contact point a partner request was assigned to read it', () => {
    const inbound = { requestingUnit: 'partner:NL', assignedUnit: 'FGP-ANTWERPEN' };
    expect(readAccess({ unit: 'FGP-ANTWERPEN', role: 'requester' }, inbound, []).allowed).toBe(true);
    expect(readAccess({ unit: 'FGP-GENT', role: 'requester' }, inbound, []).allowed).toBe(false);
  });

  it('lets SPOC operators and auditors read every request', () => {
    expect(readAccess({ unit: 'X', role: 'spoc_operator' }, request, [])).toEqual({
      allowed: true,
      basis: 'spoc_operator',
    });
    expect(readAccess({ unit: 'X', role: 'auditor' }, request, [])).toEqual({
      allowed: true,
      basis: 'auditor',
    });
  });

  it('does not widen access for admins or adapters', () => {
    expect(readAccess({ unit: 'PZ-9999', role: 'admin' }, request, deliveries).allowed).toBe(false);
    expect(readAccess({ unit: 'PZ-9999', role: 'adapter' }, request, deliveries).allowed).toBe(false);
  });
});
