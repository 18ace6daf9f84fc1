import pino from 'pino';
import type { EventPublisher, OutgoingMessage } from './event-publisher';
import { OutboxRelay, type ClaimedOutboxBatch, type OutboxSource } from './outbox-relay';

/** A strict in-memory outbox: rows leave only on commit. */
class MemoryOutbox implements OutboxSource {
  rows: OutgoingMessage[] = [];
  async claim(limit: number): Promise<ClaimedOutboxBatch | null> {
    if (this.rows.length === 0) return null;
    const taken = this.rows.slice(0, limit);
    return {
      messages: taken,
      commit: async () => void this.rows.splice(0, taken.length),
      rollback: async () => undefined,
    };
  }
}

function message(n: number): OutgoingMessage {
  return { topic: 'ixr.requests.received', key: `r${n}`, value: `{"n":${n}}` };
}

describe('OutboxRelay', () => {
  const logger = pino({ level: 'silent' });

  it('publishes in order and deletes only what Kafka acknowledged; keeps rows while Kafka is down', async () => {
    const outbox = new MemoryOutbox();
    outbox.rows.push(message(1), message(2), message(3));
    const sent: OutgoingMessage[] = [];
    let brokerUp = false;
    const publisher = {
      send: async (messages: readonly OutgoingMessage[]) => {
        if (!brokerUp) throw new Error('broker unavailable');
        sent.push(...messages);
      },
    } as unknown as EventPublisher;
    const relay = new OutboxRelay(outbox, publisher, logger, { batchSize: 2, idleMs: 10, maxBackoffMs: 20 });
    relay.start();

    await waitUntil(() => relay.stats().lastError === 'broker unavailable');
    expect(outbox.rows).toHaveLength(3);
    expect(sent).toHaveLength(0);

    brokerUp = true;
    await waitUntil(() => outbox.rows.length === 0);
    expect(sent.map((m) => m.key)).toEqual(['r1', 'r2', 'r3']);
    await relay.stop();
  });

  it('drains what is left when stopped', async () => {
    const outbox = new MemoryOutbox();
    const sent: OutgoingMessage[] = [];
    const publisher = {
      send: async (m: readonly OutgoingMessage[]) => void sent.push(...m),
    } as unknown as EventPublisher;
    const relay = new OutboxRelay(outbox, publisher, logger, { batchSize: 10, idleMs: 60_000 });
    relay.start();
    outbox.rows.push(message(1), message(2));
    await relay.stop();
    expect(sent).toHaveLength(2);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
