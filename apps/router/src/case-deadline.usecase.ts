import type { DataSource } from 'typeorm';
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
        if (kind === 'clarification') await deadlineSuspension.suspend(manager, requestId, new Date(at));
        else if (kind === 'clarification_answer')
          await deadlineSuspension.resume(manager, requestId, new Date(at));
        else await deadlineSuspension.drop(manager, requestId);
      }
    });
  }
}
