import { expectNoDrift, handlerTopics, TOPICS, type HandlerDrift } from '@ixr/messaging';
import { LogController } from './log.controller';

/** Each Kafka handler of the exchange log and its topic. */
const HANDLERS = {
  onReceived: TOPICS.requestReceived,
  onRouted: TOPICS.requestRouted,
  onCaseMessage: TOPICS.caseMessageQueued,
  onOutcome: TOPICS.deliveryOutcome,
  onAudit: TOPICS.auditRecorded,
  onDeadline: TOPICS.deadlineReached,
  onErased: TOPICS.requestErased,
} as const;

// Fails to compile (npm run typecheck), naming the handler, when a handler's payload type is not
// its topic's schema type.
expectNoDrift<HandlerDrift<LogController, typeof HANDLERS>>();

describe('the exchange log handlers', () => {
  it('are exactly the listed ones, each on its topic', () => {
    expect(handlerTopics(LogController)).toEqual(HANDLERS);
  });
});
