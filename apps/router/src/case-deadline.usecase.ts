import type { DataSource, EntityManager } from 'typeorm';
import type { CaseMessageQueued, EventEnvelope } from '@ixr/messaging';
import { markProcessed } from '@ixr/persistence';
import { deadlineSuspension } from './deadline-suspension';

const CONSUMER = 'router-case-deadline';

/**
 * The deadline side of the messages our units send (SPEC §8), as the intake announces them: our
 * clarification question on a partner's request suspends our clock; our answer to a partner's
 * question on one of our requests resumes the partner's; our withdrawal drops the milestones to
 * come. Handled once per event (processed_events), in one transaction.
 */
export class CaseDeadlineUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(events: readonly EventEnvelope<CaseMessageQueued>[]): Promise<void> {
    const relevant = events.filter((e) =>
      ['clarification', 'clarification_answer', 'withdrawal'].includes(e.data.kind),
    );
    if (relevant.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      for (const event of relevant) {
        if (!(await markProcessed(manager, CONSUMER, event.id))) continue;
        const { requestId, kind, at } = event.data;
        if (kind === 'clarification') await this.suspend(manager, requestId, new Date(at));
        else if (kind === 'clarification_answer')
          await deadlineSuspension.resume(manager, requestId, new Date(at));
        else await deadlineSuspension.drop(manager, requestId);
      }
    });
  }

  /**
   * Our question stops the clock — unless the partner's answer was handled first (the answer comes
   * on another topic, so after a restart it may): the router noted when an answer came (its own
   * record, `routed_requests`); one at or after the question closed it, and the milestones move by
   * the time it was open, as a suspension and resumption would have moved them.
   */
  private async suspend(manager: EntityManager, requestId: string, at: Date): Promise<void> {
    const [routed]: { clarification_answered_at: Date | null }[] = await manager.query(
      `SELECT clarification_answered_at FROM routed_requests WHERE request_id = $1`,
      [requestId],
    );
    const answeredAt = routed?.clarification_answered_at;
    if (!answeredAt || answeredAt.getTime() < at.getTime()) {
      await deadlineSuspension.suspend(manager, requestId, at);
      return;
    }
    await deadlineSuspension.shift(manager, requestId, at, answeredAt);
  }
}
