import { LogIntegrityError } from './log-integrity';
import type { Logger } from 'pino';
import type { LogWriter } from './log-writer';

/**
 * The every-T-seconds half of the checkpoint rule: when entries arrived since the last signed
 * checkpoint, sign one, so that no entry waits long for a proof even when traffic is low.
 */
export class CheckpointScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly writer: LogWriter,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and signs what is still unsigned (best effort: the next start catches up). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.tick();
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.writer
      .checkpointNow()
      .then((size) => size !== undefined && this.logger.debug({ size }, 'checkpoint signed'))
      .catch((error: unknown) => {
        // A stopped writer said why once; the timer keeps looking, so a recovery is noticed.
        if (error instanceof LogIntegrityError) return;
        this.logger.error({ err: error }, 'could not sign a checkpoint');
      });
    await this.running;
    this.running = undefined;
  }
}
