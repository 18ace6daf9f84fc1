import { DenialWindows } from './denial-window';

describe('DenialWindows', () => {
  const t0 = new Date('2026-03-01T10:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it('records the first refusal, counts the rest of the window, and summarises them once', () => {
    const windows = new DenialWindows<string>(60_000);
    expect(windows.offer('PZ-1|req-1', 'first', t0)).toEqual({ recordNow: true, closed: [] });
    for (let i = 1; i < 5000; i++) expect(windows.offer('PZ-1|req-1', 'again', at(i)).recordNow).toBe(false);
    expect(windows.closeExpired(at(59_999))).toEqual([]);
    expect(windows.closeExpired(at(60_000))).toEqual([
      { first: 'first', repeated: 4999, from: t0, to: at(4999) },
    ]);
    expect(windows.size).toBe(0);
    // A new window after it records again at once.
    expect(windows.offer('PZ-1|req-1', 'later', at(61_000)).recordNow).toBe(true);
  });

  it('keeps callers and resources apart, and a lone refusal makes no summary', () => {
    const windows = new DenialWindows<string>(1000);
    expect(windows.offer('PZ-1|a', 'x', t0).recordNow).toBe(true);
    expect(windows.offer('PZ-2|a', 'x', t0).recordNow).toBe(true);
    expect(windows.offer('PZ-1|b', 'x', t0).recordNow).toBe(true);
    expect(windows.closeAll()).toEqual([]);
  });

  it('bounds its memory: a caller beyond the limit closes the oldest window, whose count is kept', () => {
    const windows = new DenialWindows<string>(60_000, 2);
    windows.offer('a', 'a1', t0);
    windows.offer('a', 'a2', at(1));
    windows.offer('b', 'b1', at(2));
    const { recordNow, closed } = windows.offer('c', 'c1', at(3));
    expect(recordNow).toBe(true);
    expect(closed).toEqual([{ first: 'a1', repeated: 1, from: t0, to: at(1) }]);
    expect(windows.size).toBe(2);
  });
});
