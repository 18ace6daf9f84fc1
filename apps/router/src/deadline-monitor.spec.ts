import pino from 'pino';
import type { DataSource } from 'typeorm';
import type { OutboxRelay } from '@ixr/messaging';
import { WAKEUP_CHANNELS, type DatabaseWakeups } from '@ixr/persistence';
import { Clock, IdGenerator } from '@ixr/platform';
import { DeadlineMonitor } from './deadline-monitor';

describe('DeadlineMonitor timer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A monitor over milestones whose earliest due time the test sets; claims are counted. */
  function monitor(intervalMs = 30_000) {
    const state = { next: null as Date | null, reads: 0, claims: 0 };
    const dataSource = {
      query: () => {
        state.reads += 1;
        return Promise.resolve([{ next: state.next }]);
      },
    } as unknown as DataSource;
    const listeners = new Map<string, (payload?: string) => void>();
    const wakeups = { on: (channel: string, wake: () => void) => listeners.set(channel, wake) };
    const instance = new DeadlineMonitor(
      dataSource,
      { nudge: () => undefined } as unknown as OutboxRelay,
      new Clock(),
      new IdGenerator(),
      pino({ level: 'silent' }),
      { intervalMs, spocUnit: 'SPOC', wakeups: wakeups as unknown as DatabaseWakeups },
    );
    jest.spyOn(instance, 'tick').mockImplementation(() => {
      state.claims += 1;
      state.next = null;
      return Promise.resolve(1);
    });
    const notify = (payload?: string) => listeners.get(WAKEUP_CHANNELS.deadlines)!(payload);
    return { instance, state, notify, inMs: (ms: number) => new Date(Date.now() + ms) };
  }

  it('claims nothing while no milestone is due, and reads once per safety interval', async () => {
    const { instance, state, inMs } = monitor(30_000);
    state.next = inMs(3_600_000); // an hour away: capped by the interval
    instance.start();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(state.claims).toBe(0);
    expect(state.reads).toBe(3);
    await instance.stop();
  });

  it('announces a milestone when it falls due, and at once when notified due (moved by hand)', async () => {
    const { instance, state, notify, inMs } = monitor();
    state.next = inMs(5000);
    instance.start();
    await jest.advanceTimersByTimeAsync(4999);
    expect(state.claims).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(state.claims).toBe(1);
    state.next = new Date(Date.now() - 1000);
    notify(String(state.next.getTime()));
    await jest.advanceTimersByTimeAsync(0);
    expect(state.claims).toBe(2);
    // A wake-up without a time (after a reconnection): looks at once.
    const reads = state.reads;
    notify();
    await jest.advanceTimersByTimeAsync(0);
    expect(state.reads).toBe(reads + 1);
    expect(state.claims).toBe(2);
    await instance.stop();
  });
});
