import { expectNoDrift, handlerTopics, TOPICS, type HandlerDrift } from '@ixr/messaging';
import { AdaptersController } from './adapters.controller';

/** Each Kafka handler of the channel adapters and its topic. */
const HANDLERS = {
  onDispatched: TOPICS.deliveryDispatched,
  onReply: TOPICS.replyDispatched,
  onErased: TOPICS.requestErased,
} as const;

// Fails to compile (npm run typecheck), naming the handler, when a handler's payload type is not
// its topic's schema type.
expectNoDrift<HandlerDrift<AdaptersController, typeof HANDLERS>>();

describe('the channel adapters handlers', () => {
  it('are exactly the listed ones, each on its topic', () => {
    expect(handlerTopics(AdaptersController)).toEqual(HANDLERS);
  });
});
