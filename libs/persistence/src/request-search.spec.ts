import { randomUUID } from 'node:crypto';
import { buildRequestSearch, decodeCursor, encodeCursor, requestSearchQuerySchema } from './request-search';

const parse = (query: Record<string, string>) => requestSearchQuerySchema.parse(query);
const now = new Date('2026-12-03T10:00:00Z');

describe('buildRequestSearch', () => {
  it("restricts a unit's callers to what their unit may see, before any filter", () => {
    const sql = buildRequestSearch(
      parse({ unit: 'PZ-1111' }),
      { unit: 'PZ-5339', seesAll: false },
      undefined,
      now,
    );
    expect(sql.text).toMatch(/WHERE w\.visible_to @> ARRAY\[\$1\]::text\[\] AND w\.unit = \$2/);
    expect(sql.values.slice(0, 2)).toEqual(['PZ-5339', 'PZ-1111']);
  });

  it('adds no restriction for callers who see all', () => {
    const sql = buildRequestSearch(parse({}), { unit: 'CGI-SPOC', seesAll: true }, undefined, now);
    expect(sql.text).not.toContain('visible_to');
  });

  it('passes every value as a parameter, text search and cursor included', () => {
    const id = randomUUID();
    const q = "jansen'; DROP TABLE requests; --";
    const sql = buildRequestSearch(
      parse({ q, country: 'NL', urgent: 'true', limit: '10' }),
      { unit: 'PZ-5339', seesAll: false },
      ['2026-12-01 10:00:00+00', id],
      now,
    );
    expect(sql.text).not.toContain('jansen');
    expect(sql.values).toEqual(expect.arrayContaining([q, 'NL', true, '2026-12-01 10:00:00+00', id, 11]));
    expect(sql.text).toContain("websearch_to_tsquery('simple'");
    expect(sql.text).toContain('(w.deadline_key, w.request_id) >');
    expect(sql.text).toMatch(/ORDER BY w\.deadline_key, w\.request_id/);
  });
});

describe('cursors', () => {
  it('round-trip, and anything else is refused', () => {
    const id = randomUUID();
    expect(decodeCursor(encodeCursor('infinity', id))).toEqual(['infinity', id]);
    expect(decodeCursor(encodeCursor('2026-12-01 10:00:00.123+00', id))).toEqual([
      '2026-12-01 10:00:00.123+00',
      id,
    ]);
    expect(decodeCursor('not-a-cursor')).toBeUndefined();
    expect(decodeCursor(encodeCursor("now'); --", id))).toBeUndefined();
    expect(decodeCursor(encodeCursor('infinity', 'x'))).toBeUndefined();
  });
});
