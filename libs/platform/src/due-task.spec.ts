import { DueTask } from './due-task';

describe('DueTask', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A task whose runs are counted and whose next due time the test sets. */
  function dueTask(maxWaitMs = 30_000) {
    const state = { runs: 0, next: undefined as Date | undefined, errors: [] as unknown[] };
    const task = new DueTask(
      { maxWaitMs },
      () => {
        state.runs += 1;
        return Promise.resolve(state.next);
      },
      (error) => state.errors.push(error),
    );
    return { task, state, inMs: (ms: number) => new Date(Date.now() + ms) };
  }

  it('runs at start, then sleeps until the next due time', async () => {
    const { task, state, inMs } = dueTask();
    state.next = inMs(5000);
    task.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(state.runs).toBe(1);
    state.next = undefined;
    await jest.advanceTimersByTimeAsync(4999);
    expect(state.runs).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(state.runs).toBe(2);
    await task.stop();
  });

  it('with nothing due, runs only once per longest wait', async () => {
    const { task, state } = dueTask(30_000);
    task.start();
    await jest.advanceTimersByTimeAsync(29_999);
    expect(state.runs).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(state.runs).toBe(2);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(state.runs).toBe(4);
    await task.stop();
  });

  it('caps a distant due time by the longest wait', async () => {
    const { task, state, inMs } = dueTask(30_000);
    state.next = inMs(3_600_000);
    task.start();
    await jest.advanceTimersByTimeAsync(29_999);
    expect(state.runs).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(state.runs).toBe(2);
    await task.stop();
  });

  it('a due time already past is looked at again after the shortest wait, not in a busy loop', async () => {
    const { task, state } = dueTask();
    state.next = new Date(Date.now() - 1000);
    task.start();
    await jest.advanceTimersByTimeAsync(249);
    expect(state.runs).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(state.runs).toBe(2);
    await task.stop();
  });

  it('a wake for an earlier time moves the timer; a later one changes nothing', async () => {
    const { task, state, inMs } = dueTask();
    task.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(state.runs).toBe(1);
    // Armed for 30 s: a row due in 2 s moves it, without a run now.
    task.wake(inMs(2000));
    expect(state.runs).toBe(1);
    task.wake(inMs(10_000));
    await jest.advanceTimersByTimeAsync(1999);
    expect(state.runs).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(state.runs).toBe(2);
    // Woken for a time already come (or for no time): runs at once.
    task.wake(new Date(Date.now() - 1));
    await jest.advanceTimersByTimeAsync(0);
    expect(state.runs).toBe(3);
    task.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(state.runs).toBe(4);
    await task.stop();
  });

  it('a wake during a run moves the timer that run arms', async () => {
    let runs = 0;
    const releases: ((next: Date | undefined) => void)[] = [];
    const task = new DueTask(
      { maxWaitMs: 30_000 },
      () => {
        runs += 1;
        return new Promise<Date | undefined>((resolve) => releases.push(resolve));
      },
      () => undefined,
    );
    task.start();
    expect(runs).toBe(1);
    task.wake(new Date(Date.now() + 3000));
    task.wake(new Date(Date.now() + 5000));
    releases[0](undefined); // it read nothing due
    await jest.advanceTimersByTimeAsync(2999);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
    // A wake for now during a run: one more run right after it.
    task.wake();
    task.wake();
    releases[1](undefined);
    await jest.advanceTimersByTimeAsync(0);
    expect(runs).toBe(3);
    releases[2](undefined);
    await jest.advanceTimersByTimeAsync(0);
    expect(runs).toBe(3);
    await task.stop();
  });

  it('retries a failed run after the failure wait, and stops for good', async () => {
    let runs = 0;
    const errors: unknown[] = [];
    const task = new DueTask(
      { maxWaitMs: 30_000, afterFailureMs: 1000 },
      () => {
        runs += 1;
        return Promise.reject(new Error('database away'));
      },
      (error) => errors.push(error),
    );
    task.start();
    await jest.advanceTimersByTimeAsync(999);
    expect(runs).toBe(1);
    expect(errors).toEqual([new Error('database away')]);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
    await task.stop();
    task.wake();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(2);
  });

  it('ignores a wake before start and refuses a longest wait not above 0', async () => {
    const { task, state } = dueTask();
    task.wake();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(state.runs).toBe(0);
    expect(
      () =>
        new DueTask(
          { maxWaitMs: 0 },
          () => Promise.resolve(undefined),
          () => undefined,
        ),
    ).toThrow('a due task needs a longest wait above 0 ms, got 0');
  });
});
