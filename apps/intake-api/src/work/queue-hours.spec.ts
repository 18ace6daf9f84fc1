import { hoursUntil } from './request-list.service';

describe('dueWithinHours of a queue item (SPEC §7)', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  it('is the hours left, one decimal, negative once overdue, null without a deadline', () => {
    expect(hoursUntil('2026-12-03T20:00:00Z', now)).toBe(8);
    expect(hoursUntil('2026-12-03T12:30:00Z', now)).toBe(0.5);
    expect(hoursUntil('2026-12-03T10:42:00Z', now)).toBe(-1.3);
    expect(hoursUntil(null, now)).toBeNull();
  });
});
