import type { Logger } from 'pino';
import { CheckpointScheduler } from './checkpoint.scheduler';
import { LogIntegrityError } from './log-integrity';
import type { LogWriter } from './log-writer';

function logger() {
  const calls = { debug: [] as unknown[][], error: [] as unknown[][] };
  const log = {
    debug: (...args: unknown[]) => calls.debug.push(args),
    error: (...args: unknown[]) => calls.error.push(args),
  } as unknown as Logger;
  return { log, calls };
}

describe('CheckpointScheduler', () => {
  it('signs what is unsigned when it stops, and says so at debug level', async () => {
    const sizes = [7, undefined];
    const writer = { checkpointNow: jest.fn(async () => sizes.shift()) };
    const { log, calls } = logger();
    const scheduler = new CheckpointScheduler(writer as unknown as LogWriter, 60_000, log);
    scheduler.start();
    await scheduler.stop();
    expect(writer.checkpointNow).toHaveBeenCalledTimes(1);
    expect(calls.debug).toEqual([[{ size: 7 }, 'checkpoint signed']]);
    await scheduler.runNow();
    expect(calls.debug).toHaveLength(1); // nothing new: nothing said
  });

  it('keeps quiet about a stopped writer (it said why once) but logs any other failure', async () => {
    const failures: Error[] = [new LogIntegrityError('store behind', 3, 5), new Error('connection lost')];
    const writer = {
      checkpointNow: jest.fn(async () => {
        throw failures.shift() ?? new Error('no more failures planned');
      }),
    };
    const { log, calls } = logger();
    const scheduler = new CheckpointScheduler(writer as unknown as LogWriter, 60_000, log);
    await scheduler.runNow();
    expect(calls.error).toEqual([]);
    await scheduler.runNow();
    expect(calls.error).toEqual([
      [{ err: expect.objectContaining({ message: 'connection lost' }) }, 'could not sign a checkpoint'],
    ]);
  });

  it('never runs two checks at once', async () => {
    let release!: () => void;
    const writer = {
      checkpointNow: jest.fn(() => new Promise<undefined>((resolve) => (release = () => resolve(undefined)))),
    };
    const scheduler = new CheckpointScheduler(writer as unknown as LogWriter, 60_000, logger().log);
    const first = scheduler.runNow();
    const second = scheduler.runNow();
    expect(writer.checkpointNow).toHaveBeenCalledTimes(1);
    release();
    await Promise.all([first, second]);
  });
});
