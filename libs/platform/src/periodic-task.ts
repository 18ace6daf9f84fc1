/**
 * The one way the services run periodic work: a task every `intervalMs`, never two runs of it at
 * once (a tick that finds the previous run still going is skipped), a failure handed to `onError`
 * and the next tick tried as usual, and a stop that waits for the run in progress. The timer does
 * not keep the process alive.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again?: Promise<void>;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new Error(`a periodic task needs an interval above 0 ms, got ${intervalMs}`);
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runNow(), this.intervalMs);
    this.timer.unref();
  }

  /** Runs the task now, or returns the run in progress. */
  runNow(): Promise<void> {
    this.running ??= this.task()
      .then(() => undefined)
      .catch((error: unknown) => this.onError(error))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * Something changed: runs the task now, or — when a run is in progress, which may have read
   * before the change — once more right after it. Several wakes during one run give one more run;
   * a task not started, or stopped, ignores it.
   */
  wake(): void {
    if (!this.timer) return; // not started, or stopped
    if (!this.running) {
      void this.runNow();
      return;
    }
    if (this.again) return;
    this.again = this.running.then(() => {
      this.again = undefined;
      if (this.timer) return this.runNow();
    });
  }

  /** Stops the timer and waits for the run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.again;
    await this.running;
  }
}
