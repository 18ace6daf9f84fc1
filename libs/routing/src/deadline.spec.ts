import fc from 'fast-check';
import { deadlineFromAction, deadlineMilestones, deadlineProgress, type Deadline } from './deadline';
import { instant } from './testing/routing.fixtures';

const RECEIVED = '2025-03-14T22:00:00.000Z';
const eightHours: Deadline = { at: '2025-03-15T06:00:00.000Z', basis: 'urgent_direct_8h' };

describe('deadlineFromAction', () => {
  it.each([
    [{ hours: 8 }, 'urgent_direct_8h', '2025-03-15T06:00:00.000Z'],
    [{ days: 3 }, 'urgent_indirect_3d', '2025-03-17T22:00:00.000Z'],
    [{ days: 7 }, 'standard_7d', '2025-03-21T22:00:00.000Z'],
  ] as const)('%j → %s at %s (plain UTC: weekends count)', (after, basis, at) => {
    expect(deadlineFromAction({ type: 'deadline', basis, after }, RECEIVED)).toEqual({ at, basis });
  });

  it('crosses the daylight-saving change of Europe/Brussels without shifting (UTC arithmetic)', () => {
    const before = '2025-03-28T12:00:00.000Z';
    expect(
      deadlineFromAction({ type: 'deadline', basis: 'urgent_indirect_3d', after: { days: 3 } }, before).at,
    ).toBe('2025-03-31T12:00:00.000Z');
  });

  it('basis none has no instant', () => {
    expect(deadlineFromAction({ type: 'deadline', basis: 'none', after: null }, RECEIVED)).toEqual({
      at: null,
      basis: 'none',
    });
  });
});

describe('deadlineMilestones and deadlineProgress', () => {
  it('places the warnings at 50/75/90 % and the breach on the deadline', () => {
    expect(deadlineMilestones(eightHours, RECEIVED)).toEqual([
      { milestone: 'warning_50', at: '2025-03-15T02:00:00.000Z' },
      { milestone: 'warning_75', at: '2025-03-15T04:00:00.000Z' },
      { milestone: 'warning_90', at: '2025-03-15T05:12:00.000Z' },
      { milestone: 'breach', at: '2025-03-15T06:00:00.000Z' },
    ]);
  });

  it.each([
    ['just after receipt', '2025-03-14T22:00:01.000Z', [], 'warning_50'],
    ['one ms before half time', '2025-03-15T01:59:59.999Z', [], 'warning_50'],
    ['exactly half time', '2025-03-15T02:00:00.000Z', ['warning_50'], 'warning_75'],
    ['at 80 %', '2025-03-15T04:24:00.000Z', ['warning_50', 'warning_75'], 'warning_90'],
    ['at 90 %', '2025-03-15T05:12:00.000Z', ['warning_50', 'warning_75', 'warning_90'], 'breach'],
    [
      'on the deadline',
      '2025-03-15T06:00:00.000Z',
      ['warning_50', 'warning_75', 'warning_90', 'breach'],
      null,
    ],
    ['long after', '2025-04-01T00:00:00.000Z', ['warning_50', 'warning_75', 'warning_90', 'breach'], null],
  ] as const)('%s', (_name, now, due, next) => {
    const progress = deadlineProgress(eightHours, RECEIVED, now);
    expect(progress.due).toEqual(due);
    expect(progress.next?.milestone ?? null).toBe(next);
  });

  it('reports the elapsed share', () => {
    expect(deadlineProgress(eightHours, RECEIVED, '2025-03-15T04:00:00.000Z').elapsed).toBe(0.75);
  });

  it('has nothing to say without a deadline', () => {
    expect(deadlineProgress({ at: null, basis: 'none' }, RECEIVED, '2030-01-01T00:00:00Z')).toEqual({
      elapsed: null,
      due: [],
      next: null,
    });
    expect(deadlineMilestones({ at: null, basis: 'none' }, RECEIVED)).toEqual([]);
  });

  it('due milestones only grow with time, and next is always the first not yet due', () => {
    fc.assert(
      fc.property(
        instant,
        fc.constantFrom(8, 72, 168),
        fc.nat({ max: 400 * 3_600_000 }),
        fc.nat({ max: 3_600_000 }),
        (received, h, t, dt) => {
          const deadline: Deadline = {
            at: new Date(Date.parse(received) + h * 3_600_000).toISOString(),
            basis: 'standard_7d',
          };
          const at = (ms: number) => new Date(Date.parse(received) + ms).toISOString();
          const earlier = deadlineProgress(deadline, received, at(t));
          const later = deadlineProgress(deadline, received, at(t + dt));
          expect(later.due.slice(0, earlier.due.length)).toEqual(earlier.due);
          const all = deadlineMilestones(deadline, received);
          expect(earlier.next).toEqual(all[earlier.due.length] ?? null);
        },
      ),
    );
  });
});
