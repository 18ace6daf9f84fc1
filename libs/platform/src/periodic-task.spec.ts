import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs every interval, never twice at once, and goes on after a failure', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    let release: () => void = () => undefined;
    const task = new PeriodicTask(
      100,
      () => {
        runs += 1;
        if (runs === 1) return Promise.reject(new Error('first run fails'));
        return new Promise<void>((resolve) => (release = resolve));
      },
      (error) => errors.push(error),
    );
    task.start();
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toBe(1);
    expect(errors).toEqual([new Error('first run fails')]);
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
    // The second run is still going: the next ticks are skipped.
    await jest.advanceTimersByTimeAsync(300);
    expect(runs).toBe(2);
    release();
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toBe(3);
    const stopped = task.stop();
    release();
    await stopped;
    await jest.advanceTimersByTimeAsync(500);
    expect(runs).toBe(3);
  });

  it('runs at once when woken, and once more after a run that was going when woken', async () => {
    let runs = 0;
    const releases: (() => void)[] = [];
    const task = new PeriodicTask(
      60_000,
      () => {
        runs += 1;
        return new Promise<void>((resolve) => releases.push(resolve));
      },
      () => undefined,
    );
    task.start();
    task.wake();
    expect(runs).toBe(1);
    // Two wakes while the first run goes on (it may have read before the change): one more run.
    task.wake();
    task.wake();
    expect(runs).toBe(1);
    releases[0]();
    await jest.advanceTimersByTimeAsync(0);
    expect(runs).toBe(2);
    releases[1]();
    await jest.advanceTimersByTimeAsync(0);
    expect(runs).toBe(2);
    await task.stop();
    task.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(runs).toBe(2);
  });

  it('refuses an interval that is not above 0', () => {
    expect(
      () =>
        new PeriodicTask(
          0,
          () => Promise.resolve(),
          () => undefined,
        ),
    ).toThrow('a periodic task needs an interval above 0 ms, got 0');
  });
});
