import pino from 'pino';
import type { DataSource } from 'typeorm';
import { PermanentHandlerError, type EventEnvelope, type OutboxRelay } from '@ixr/messaging';
import { DeliveryRejectedError } from '../adapters/channel-adapter';
import { CircuitOpenError, PartnerUnavailableError } from '../adapters/partner-errors';
import { GuardedSend, SendRetryError, type SendJob } from './guarded-send';
import type { Claim, SendLedger } from './send-ledger';
import type { SendRetries } from './send-retries';

/** Strict fakes of the ledger and the retries: they record what the sender asked of them. */
function setup(claim: Claim, options: { expired?: boolean } = {}) {
  const calls: string[] = [];
  const outbox: { topic: string; value: string }[][] = [];
  const manager = {
    query: (sql: string, params: unknown[]) => {
      if (sql.startsWith('INSERT INTO outbox')) {
        outbox.push([{ topic: params[0] as string, value: params[2] as string }]);
      }
      return Promise.resolve([]);
    },
  };
  const dataSource = {
    transaction: (run: (m: typeof manager) => unknown) => run(manager),
  } as unknown as DataSource;
  const ledger = {
    claim: () => Promise.resolve(claim),
    release: (id: string, error: string) => {
      calls.push(`release ${id}: ${error}`);
      return Promise.resolve();
    },
    complete: (_m: unknown, id: string, result: { status: string }) => {
      calls.push(`complete ${id} ${result.status}`);
      return Promise.resolve({ attempts: 2 });
    },
  } as unknown as SendLedger;
  const retries = {
    park: (_m: unknown, request: { messageId: string; notBefore?: Date }) => {
      calls.push(`park ${request.messageId}${request.notBefore ? ' after lease' : ''}`);
      return Promise.resolve({ rounds: 3, expired: options.expired ?? false });
    },
    forget: (_m: unknown, id: string) => {
      calls.push(`forget ${id}`);
      return Promise.resolve();
    },
  } as unknown as SendRetries;
  const relay = { nudge: () => calls.push('nudge') } as unknown as OutboxRelay;
  const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
  const ids = { uuid: () => '00000000-0000-4000-8000-000000000001' };
  const sender = new GuardedSend(dataSource, relay, ledger, retries, clock, ids, pino({ level: 'silent' }), {
    maxAttempts: 3,
    leaseMs: 10_000,
    windowMs: 60_000,
  });
  return { sender, calls, outbox };
}

function job(overrides: Partial<SendJob> = {}): SendJob & { sent: number; asked: number } {
  const j = {
    sent: 0,
    asked: 0,
    id: 'd-1',
    requestId: 'r-1',
    channel: 'siena' as const,
    destination: 'NL',
    event: { id: 'e-1', correlationid: 'r-1' } as EventEnvelope,
    topic: 'ixr.deliveries.dispatched',
    send: () => {
      j.sent++;
      return Promise.resolve({ partnerReference: 'SIENA-NL-d-1' });
    },
    lookup: () => {
      j.asked++;
      return Promise.resolve(undefined);
    },
    ...overrides,
  };
  return j;
}

const ctx = (attempt: number) => ({ topic: 't', partition: 0, offset: '0', attempt });

describe('GuardedSend', () => {
  it('sends once and records the outcome with its event', async () => {
    const { sender, calls, outbox } = setup({ kind: 'claimed', attempts: 1 });
    const j = job();
    await sender.run(j, ctx(1));
    expect(j.sent).toBe(1);
    expect(j.asked).toBe(0);
    expect(calls).toEqual(['complete d-1 delivered', 'forget d-1', 'nudge']);
    expect(JSON.parse(outbox[0][0].value).data).toMatchObject({
      deliveryId: 'd-1',
      outcome: 'delivered',
      attempts: 2,
    });
  });

  it('never sends what is done already', async () => {
    const { sender, calls } = setup({ kind: 'done' });
    const j = job();
    await sender.run(j, ctx(1));
    expect(j.sent).toBe(0);
    expect(calls).toEqual(['forget d-1']);
  });

  it('asks the partner first when an earlier attempt may have reached it, and does not send again', async () => {
    const { sender, calls } = setup({ kind: 'claimed', attempts: 2 });
    const j = job({ lookup: () => Promise.resolve({ partnerReference: 'SIENA-NL-d-1' }) });
    await sender.run(j, ctx(1));
    expect(j.sent).toBe(0);
    expect(calls).toEqual(['complete d-1 delivered', 'forget d-1', 'nudge']);
  });

  it('sends after asking when the partner does not hold it', async () => {
    const { sender } = setup({ kind: 'claimed', attempts: 2 });
    const j = job();
    await sender.run(j, ctx(1));
    expect([j.asked, j.sent]).toEqual([1, 1]);
  });

  it('keeps off a message another handler is sending, parking it until its lease ends', async () => {
    const { sender, calls } = setup({ kind: 'busy', until: new Date('2026-01-01T00:00:10Z') });
    const j = job();
    await sender.run(j, ctx(1));
    expect(j.sent).toBe(0);
    expect(calls).toEqual(['park d-1 after lease']);
  });

  it('records a refusal as final', async () => {
    const { sender, calls } = setup({ kind: 'claimed', attempts: 1 });
    await sender.run(job({ send: () => Promise.reject(new DeliveryRejectedError('400 no')) }), ctx(1));
    expect(calls).toEqual(['complete d-1 failed', 'forget d-1', 'nudge']);
  });

  it('retries a failing partner quickly, then parks the message', async () => {
    const failing = job({ send: () => Promise.reject(new PartnerUnavailableError('answered 500')) });
    const first = setup({ kind: 'claimed', attempts: 1 });
    await expect(first.sender.run(failing, ctx(1))).rejects.toBeInstanceOf(SendRetryError);
    expect(first.calls).toEqual(['release d-1: answered 500']);
    const last = setup({ kind: 'claimed', attempts: 3 });
    await last.sender.run(failing, ctx(3));
    expect(last.calls).toEqual(['park d-1', 'release d-1: answered 500']);
  });

  it('parks at once when the circuit is open', async () => {
    const { sender, calls } = setup({ kind: 'claimed', attempts: 1 });
    await sender.run(job({ send: () => Promise.reject(new CircuitOpenError('open')) }), ctx(1));
    expect(calls).toEqual(['park d-1', 'release d-1: open']);
  });

  it('dead-letters a message whose partner stayed away past the window', async () => {
    const { sender } = setup({ kind: 'claimed', attempts: 9 }, { expired: true });
    const run = sender.run(job({ send: () => Promise.reject(new CircuitOpenError('open')) }), ctx(1));
    await expect(run).rejects.toBeInstanceOf(PermanentHandlerError);
    await expect(run).rejects.toMatchObject({ code: 'DELIVERY.PARTNER_UNREACHABLE' });
  });

  it('refuses an unknown message for good', async () => {
    const { sender } = setup({ kind: 'unknown' });
    await expect(sender.run(job(), ctx(1))).rejects.toMatchObject({ code: 'DELIVERY.UNKNOWN' });
  });

  it('lets a database outage through to the transport, which waits for it', async () => {
    const { sender, calls } = setup({ kind: 'claimed', attempts: 1 });
    const outage = Object.assign(new Error('Connection terminated unexpectedly'), {});
    await expect(sender.run(job({ send: () => Promise.reject(outage) }), ctx(5))).rejects.toBe(outage);
    expect(calls).toEqual([]);
  });
});
