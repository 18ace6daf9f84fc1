import { expectNoDrift, TOPICS, type HandlerDrift } from '@ixr/messaging';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { DeadLetterRecorder } from '../dead-letters/dead-letter.recorder';
import { WorkProjector } from './work-projector';

/** Each Kafka handler of the intake and its topic. */
const PROJECTOR = {
  onReceived: TOPICS.requestReceived,
  onRouted: TOPICS.requestRouted,
  onOutcome: TOPICS.deliveryOutcome,
  onAudit: TOPICS.auditRecorded,
  onDeadline: TOPICS.deadlineReached,
  onInboundRecorded: TOPICS.inboundRecorded,
} as const;
const DEAD_LETTERS = { record: TOPICS.deadLetter } as const;

// Fails to compile (npm run typecheck), naming the handler, when a handler's payload type is not
// its topic's schema type.
expectNoDrift<HandlerDrift<WorkProjector, typeof PROJECTOR>>();
expectNoDrift<HandlerDrift<DeadLetterRecorder, typeof DEAD_LETTERS>>();

describe('the intake handlers', () => {
  it('follow exactly the listed topics', () => {
    const projector = new WorkProjector({} as DataSource, {} as Logger, { spocUnit: 'CGI-SPOC' });
    const recorder = new DeadLetterRecorder({} as DataSource);
    expect(projector.handlers().map(([topic]) => topic)).toEqual(Object.values(PROJECTOR));
    expect(recorder.handlers().map(([topic]) => topic)).toEqual(Object.values(DEAD_LETTERS));
  });
});
