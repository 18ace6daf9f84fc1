import { expectNoDrift, handlerTopics, TOPICS, type HandlerDrift } from '@ixr/messaging';
import { RouterController } from './router.controller';

/** Each Kafka handler of the router and its topic. */
const HANDLERS = {
  onRequestReceived: TOPICS.requestReceived,
  onInbound: TOPICS.inboundReceived,
  onCaseMessage: TOPICS.caseMessageQueued,
  onDeliveryOutcome: TOPICS.deliveryOutcome,
  onErased: TOPICS.requestErased,
} as const;

// Fails to compile (npm run typecheck), naming the handler, when a handler's payload type is not
// its topic's schema type.
expectNoDrift<HandlerDrift<RouterController, typeof HANDLERS>>();

describe('the router handlers', () => {
  it('are exactly the listed ones, each on its topic', () => {
    expect(handlerTopics(RouterController)).toEqual(HANDLERS);
  });
});
