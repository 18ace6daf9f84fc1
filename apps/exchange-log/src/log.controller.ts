import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type TopicEvent } from '@ixr/messaging';
import { eraseOwnRows } from '@ixr/persistence';
import {
  auditFacts,
  caseMessageFacts,
  escalationFacts,
  LogWriter,
  outcomeFacts,
  receivedFacts,
  routedFacts,
  type EntryFacts,
} from '@ixr/exchange-log-store';
import { DataSource } from 'typeorm';
import { DispatchReleaser } from './dispatch-releaser';

/** Records every step of every exchange; batches keep the append rate high. */
@Controller()
export class LogController {
  constructor(
    private readonly writer: LogWriter,
    private readonly releaser: DispatchReleaser,
    private readonly dataSource: DataSource,
  ) {}

  @EventPattern(TOPICS.requestReceived, { batch: true })
  async onReceived(@Payload() events: TopicEvent<typeof TOPICS.requestReceived>[]): Promise<void> {
    await this.writer.append(events.map((e) => receivedFacts(e.id, e.data)));
  }

  /** The decision and its dispatches are logged first; only then are the deliveries released. */
  @EventPattern(TOPICS.requestRouted, { batch: true })
  async onRouted(@Payload() events: TopicEvent<typeof TOPICS.requestRouted>[]): Promise<void> {
    const facts = events.flatMap((e) => routedFacts(e).all);
    await this.writer.append(facts, (manager, appended) => this.releaser.release(manager, events, appended));
    this.releaser.nudge();
  }

  /** A message to a partner on a request: logged first, then released to the adapters (SPEC §8). */
  @EventPattern(TOPICS.caseMessageQueued, { batch: true })
  async onCaseMessage(@Payload() events: TopicEvent<typeof TOPICS.caseMessageQueued>[]): Promise<void> {
    await this.writer.append(events.map(caseMessageFacts), (manager, appended) =>
      this.releaser.releaseCaseMessages(manager, events, appended),
    );
    this.releaser.nudge();
  }

  @EventPattern(TOPICS.deliveryOutcome, { batch: true })
  async onOutcome(@Payload() events: TopicEvent<typeof TOPICS.deliveryOutcome>[]): Promise<void> {
    await this.writer.append(events.map(outcomeFacts));
  }

  @EventPattern(TOPICS.auditRecorded, { batch: true })
  async onAudit(@Payload() events: TopicEvent<typeof TOPICS.auditRecorded>[]): Promise<void> {
    await this.writer.append(events.map(auditFacts));
  }

  @EventPattern(TOPICS.deadlineReached, { batch: true })
  async onDeadline(@Payload() events: TopicEvent<typeof TOPICS.deadlineReached>[]): Promise<void> {
    await this.writer.append(events.map(escalationFacts).filter((f): f is EntryFacts => f !== undefined));
  }

  /**
   * An erasure (SPEC §10). The log's rows hold the request's personal data only sealed under the
   * key the intake deleted, so nothing is cleared (an entry never changes: its hash, the
   * checkpoints and the proofs still check); the event is recorded as handled, so that the
   * erasure can be followed to its end. The `erased` entry itself comes with the audit event.
   */
  @EventPattern(TOPICS.requestErased)
  async onErased(@Payload() event: TopicEvent<typeof TOPICS.requestErased>): Promise<void> {
    await eraseOwnRows(this.dataSource, 'exchange-log-erasure', event, []);
  }
}
