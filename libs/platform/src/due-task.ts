export interface DueTaskOptions {
  /**
   * The longest sleep: with nothing due sooner, the task still runs this often (a safety net for
   * rows whose notification was lost).
   */
  maxWaitMs: number;
  /**
   * The shortest sleep after a run that says work is due already (rows another instance is
   * claiming, more than one batch, clocks apart): a row that cannot be claimed costs a run per
   * `minWaitMs`, not a busy loop. Default 250 ms.
   */
  minWaitMs?: number;
  /** The sleep after a failed run. Default 1 s (at most `maxWaitMs`). */
  afterFailureMs?: number;
}

/**
 * Periodic work that sleeps until it is due: each run returns when its work is next due (undefined:
 * nothing waiting), and the timer is armed for that moment, at most `maxWaitMs` away. `wake(at)`
 * says that something may be due at `at` (or at once, without `at`): the timer is moved earlier,
 * never later. Never two runs at once (a wake during a run moves the timer the run arms), a
 * failure is handed to `onError` and tried again after `afterFailureMs`, and a stop waits for the
 * run in progress. The timer does not keep the process alive.
 */
export class DueTask {
  private started = false;
  private timer?: NodeJS.Timeout;
  /** When the armed timer fires (ms since the epoch). */
  private armedAt?: number;
  private running?: Promise<void>;
  /** The earliest time a wake during the run in progress named (ms since the epoch). */
  private wokenFor?: number;
  private readonly minWaitMs: number;
  private readonly afterFailureMs: number;

  constructor(
    private readonly options: DueTaskOptions,
    private readonly task: () => Promise<Date | undefined>,
    private readonly onError: (error: unknown) => void,
  ) {
    const { maxWaitMs } = options;
    if (!Number.isFinite(maxWaitMs) || maxWaitMs <= 0) {
      throw new Error(`a due task needs a longest wait above 0 ms, got ${maxWaitMs}`);
    }
    this.minWaitMs = Math.min(options.minWaitMs ?? 250, maxWaitMs);
    this.afterFailureMs = Math.min(options.afterFailureMs ?? 1000, maxWaitMs);
  }

  /** Runs once at once (work that fell due while the service was down), then as due. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.runNow();
  }

  /** Runs the task now, or returns the run in progress. */
  runNow(): Promise<void> {
    this.running ??= this.run().then((wait) => {
      this.running = undefined;
      const woken = this.wokenFor;
      this.wokenFor = undefined;
      if (!this.started) return;
      const due = Math.min(wait, woken === undefined ? wait : woken - Date.now());
      if (due > 0) this.arm(due);
      else void this.runNow();
    });
    return this.running;
  }

  /**
   * Something may be due at `at` (without `at`: something changed, look now). A time later than
   * the armed timer changes nothing; a time to come moves the timer; a time past runs the task,
   * or once more right after the run in progress (which may have read before the change). A task
   * not started, or stopped, ignores it.
   */
  wake(at?: Date): void {
    if (!this.started) return;
    const when = at?.getTime() ?? Date.now();
    if (this.running) {
      // The run may have read before this change: the timer it arms is moved to `when` if earlier.
      this.wokenFor = Math.min(this.wokenFor ?? when, when);
      return;
    }
    if (this.armedAt !== undefined && this.armedAt <= when) return;
    const wait = when - Date.now();
    if (wait > 0) this.arm(wait);
    else void this.runNow();
  }

  /** Stops the timer and waits for the run in progress. */
  async stop(): Promise<void> {
    this.started = false;
    this.disarm();
    while (this.running) await this.running;
  }

  /** One run; resolves with how long to sleep after it. */
  private async run(): Promise<number> {
    this.disarm();
    try {
      const next = await this.task();
      if (next === undefined) return this.options.maxWaitMs;
      return Math.min(this.options.maxWaitMs, Math.max(this.minWaitMs, next.getTime() - Date.now()));
    } catch (error) {
      this.onError(error);
      return this.afterFailureMs;
    }
  }

  private arm(wait: number): void {
    this.disarm();
    this.armedAt = Date.now() + wait;
    this.timer = setTimeout(() => void this.runNow(), wait);
    this.timer.unref();
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = undefined;
  }
}
