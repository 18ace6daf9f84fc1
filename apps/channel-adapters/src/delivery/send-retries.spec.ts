import pino from 'pino';
import type { DataSource } from 'typeorm';
import type { OutboxRelay } from '@ixr/messaging';
import { WAKEUP_CHANNELS, type DatabaseWakeups } from '@ixr/persistence';
import { retryDelay, SendRetryScheduler } from './send-retries';

describe('retryDelay', () => {
  const policy = { baseDelayMs: 1000, maxDelayMs: 8000, windowMs: 60_000 };

  it('doubles per round up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((r) => retryDelay(policy, r, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ]);
  });

  it('keeps half of the delay fixed and jitters the other half', () => {
    expect(retryDelay(policy, 3, () => 0)).toBe(2000);
    expect(retryDelay(policy, 3, () => 0.5)).toBe(3000);
  });
});

describe('SendRetryScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A scheduler over a table whose earliest due time the test sets; claims are counted. */
  function scheduler(intervalMs = 30_000) {
    const state = { next: null as Date | null, reads: 0, claims: 0 };
    const dataSource = {
      query: () => {
        state.reads += 1;
        return Promise.resolve([{ next: state.next }]);
      },
    } as unknown as DataSource;
    const listeners = new Map<string, (payload?: string) => void>();
    const wakeups = { on: (channel: string, wake: () => void) => listeners.set(channel, wake) };
    const instance = new SendRetryScheduler(
      dataSource,
      { nudge: () => undefined } as unknown as OutboxRelay,
      pino({ level: 'silent' }),
      intervalMs,
      wakeups as unknown as DatabaseWakeups,
    );
    jest.spyOn(instance, 'tick').mockImplementation(() => {
      state.claims += 1;
      state.next = null; // published: nothing parked any more
      return Promise.resolve(1);
    });
    const notify = (payload?: string) => listeners.get(WAKEUP_CHANNELS.sendRetries)!(payload);
    return { instance, state, notify, inMs: (ms: number) => new Date(Date.now() + ms) };
  }

  it('claims nothing while nothing is due, and reads once per safety interval', async () => {
    const { instance, state } = scheduler(30_000);
    instance.start();
    await jest.advanceTimersByTimeAsync(90_000);
    expect(state.claims).toBe(0);
    expect(state.reads).toBe(4); // at start, then every 30 s
    await instance.stop();
  });

  it('claims when the earliest parked send is due, not before', async () => {
    const { instance, state, inMs } = scheduler();
    state.next = inMs(8000);
    instance.start();
    await jest.advanceTimersByTimeAsync(7999);
    expect(state.claims).toBe(0);
    expect(state.reads).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(state.claims).toBe(1);
    await instance.stop();
  });

  it('a send parked for sooner (its notification) moves the timer', async () => {
    const { instance, state, notify, inMs } = scheduler();
    instance.start();
    await jest.advanceTimersByTimeAsync(0);
    const due = inMs(2000);
    state.next = due;
    notify(String(due.getTime()));
    await jest.advanceTimersByTimeAsync(1999);
    expect(state.claims).toBe(0);
    expect(state.reads).toBe(1); // moving the timer reads nothing
    await jest.advanceTimersByTimeAsync(1);
    expect(state.claims).toBe(1);
    await instance.stop();
  });
});
