import { diff } from './decision-replay';

describe('replay diff', () => {
  it('finds nothing between equal decisions, whatever the key order', () => {
    expect(diff({ a: 1, b: { c: [1, { d: 'x' }] } }, { b: { c: [1, { d: 'x' }] }, a: 1 })).toEqual([]);
  });

  it('names each differing path with both values', () => {
    const recorded = { routes: [{ channel: 'siena', destination: 'NL' }], europolCopy: { copy: true } };
    const replayed = {
      routes: [{ channel: 'interpol', destination: 'NL' }, { channel: 'national_spoc' }],
      europolCopy: {},
    };
    expect(diff(recorded, replayed)).toEqual([
      { path: '$.europolCopy.copy', recorded: true, replayed: undefined },
      { path: '$.routes[0].channel', recorded: 'siena', replayed: 'interpol' },
      { path: '$.routes[1]', recorded: undefined, replayed: { channel: 'national_spoc' } },
    ]);
  });

  it('treats an array and an object as different, and caps the list', () => {
    expect(diff({ a: [] }, { a: {} })).toEqual([{ path: '$.a', recorded: [], replayed: {} }]);
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(diff(many, {})).toHaveLength(20);
  });
});
