import type { Logger } from 'pino';
import { PeriodicTask } from '@ixr/platform';
import { LogIntegrityError } from './log-integrity';
import type { LogWriter } from './log-writer';

/**
 * The every-T-seconds half of the checkpoint rule, on the services' one periodic-work runtime:
 * when entries arrived since the last signed checkpoint, sign one, so that no entry waits long
 * for a proof even when traffic is low. `stop` waits for the run in progress, then signs what is
 * still unsigned (best effort: the next start catches up).
 */
export class CheckpointScheduler {
  private readonly task: PeriodicTask;

  constructor(writer: LogWriter, intervalMs: number, logger: Logger) {
    this.task = new PeriodicTask(
      intervalMs,
      async () => {
        const size = await writer.checkpointNow();
        if (size !== undefined) logger.debug({ size }, 'checkpoint signed');
      },
      (error) => {
        // A stopped writer said why once; the timer keeps looking, so a recovery is noticed.
        if (error instanceof LogIntegrityError) return;
        logger.error({ err: error }, 'could not sign a checkpoint');
      },
    );
  }

  start(): void {
    this.task.start();
  }

  /** Runs one check now (what the timer does at each tick). */
  runNow(): Promise<void> {
    return this.task.runNow();
  }

  async stop(): Promise<void> {
    await this.task.stop();
    await this.task.runNow();
  }
}
