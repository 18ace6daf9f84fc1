import pino from 'pino';
import type { DataSource } from 'typeorm';
import { BatchItemErrors, PermanentHandlerError, type EventEnvelope, type OutboxRelay } from '@ixr/messaging';
import { DeliveryRejectedError } from '../adapters/channel-adapter';
import { CircuitOpenError, PartnerUnavailableError } from '../adapters/partner-errors';
import { GuardedSend, SendRetryError, type SendJob } from './guarded-send';
import type { Claim, SendLedger, SendResult } from './send-ledger';
import type { SendRetries } from './send-retries';

/** Strict fakes of the ledger and the retries: they record what the sender asked of them. */
function setup(
  claim: Claim | Record<string, Claim>,
  options: { expired?: boolean; endedAlready?: string[]; groupSize?: number } = {},
) {
  const calls: string[] = [];
  const outbox: { topic: string; value: string }[][] = [];
  const manager = {
    query: (sql: string, params: unknown[]) => {
      if (sql.startsWith('INSERT INTO outbox')) {
        const rows: { topic: string; value: string }[] = [];
        for (let i = 0; i < params.length; i += 3) {
          rows.push({ topic: params[i] as string, value: params[i + 2] as string });
        }
        outbox.push(rows);
      }
      return Promise.resolve([]);
    },
  };
  const dataSource = {
    transaction: async (run: (m: typeof manager) => unknown) => {
      calls.push('begin');
      const result = await run(manager);
      calls.push('commit');
      return result;
    },
  } as unknown as DataSource;
  const claimOf = (id: string): Claim =>
    'kind' in claim ? (claim as Claim) : (claim[id] ?? { kind: 'unknown' });
  const ledger = {
    claimMany: (ids: string[]) => {
      calls.push(`claim ${ids.join(',')}`);
      return Promise.resolve(new Map(ids.map((id) => [id, claimOf(id)])));
    },
    release: (id: string, error: string) => {
      calls.push(`release ${id}: ${error}`);
      return Promise.resolve();
    },
    completeMany: (_m: unknown, results: SendResult[]) => {
      for (const r of results) calls.push(`complete ${r.id} ${r.status}`);
      const ended = results.filter((r) => !options.endedAlready?.includes(r.id));
      return Promise.resolve(new Map(ended.map((r) => [r.id, 2])));
    },
  } as unknown as SendLedger;
  const retries = {
    park: (_m: unknown, request: { messageId: string; notBefore?: Date }) => {
      calls.push(`park ${request.messageId}${request.notBefore ? ' after lease' : ''}`);
      return Promise.resolve({ rounds: 3, expired: options.expired ?? false });
    },
    forgetMany: (_m: unknown, ids: string[]) => {
      calls.push(`forget ${ids.join(',')}`);
      return Promise.resolve();
    },
  } as unknown as SendRetries;
  const relay = { nudge: () => calls.push('nudge') } as unknown as OutboxRelay;
  const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
  let n = 0;
  const ids = { uuid: () => `00000000-0000-4000-8000-00000000000${++n}` };
  const sender = new GuardedSend(dataSource, relay, ledger, retries, clock, ids, pino({ level: 'silent' }), {
    maxAttempts: 3,
    leaseMs: 10_000,
    windowMs: 60_000,
    groupSize: options.groupSize ?? 32,
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

const ctx = (attempt: number, heartbeat?: () => Promise<void>) => ({
  topic: 't',
  partition: 0,
  offset: '0',
  attempt,
  heartbeat,
});

describe('GuardedSend', () => {
  it('sends once and records the outcome with its event', async () => {
    const { sender, calls, outbox } = setup({ kind: 'claimed', attempts: 1 });
    const j = job();
    await sender.run(j, ctx(1));
    expect(j.sent).toBe(1);
    expect(j.asked).toBe(0);
    expect(calls).toEqual(['claim d-1', 'begin', 'complete d-1 delivered', 'forget d-1', 'commit', 'nudge']);
    expect(JSON.parse(outbox[0][0].value).data).toMatchObject({
      deliveryId: 'd-1',
      outcome: 'delivered',
      attempts: 2,
    });
  });

  it('cancels, never sends, a delivery whose request was withdrawn, and announces it cancelled', async () => {
    const { sender, calls, outbox } = setup({ kind: 'withdrawn' });
    const j = job();
    await sender.run(j, ctx(1));
    expect(j.sent).toBe(0);
    expect(j.asked).toBe(0);
    expect(calls).toEqual(['claim d-1', 'begin', 'complete d-1 cancelled', 'forget d-1', 'commit', 'nudge']);
    expect(JSON.parse(outbox[0][0].value).data).toMatchObject({ deliveryId: 'd-1', outcome: 'cancelled' });
  });

  it('never sends what is done already', async () => {
    const { sender, calls } = setup({ kind: 'done' });
    const j = job();
    await sender.run(j, ctx(1));
    expect(j.sent).toBe(0);
    expect(calls).toEqual(['claim d-1', 'forget d-1']);
  });

  it('asks the partner first when an earlier attempt may have reached it, and does not send again', async () => {
    const { sender, calls } = setup({ kind: 'claimed', attempts: 2 });
    const j = job({ lookup: () => Promise.resolve({ partnerReference: 'SIENA-NL-d-1' }) });
    await sender.run(j, ctx(1));
    expect(j.sent).toBe(0);
    expect(calls).toEqual(['claim d-1', 'begin', 'complete d-1 delivered', 'forget d-1', 'commit', 'nudge']);
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
    expect(calls).toEqual(['claim d-1', 'begin', 'park d-1 after lease', 'commit']);
  });

  it('records a refusal as final', async () => {
    const { sender, calls } = setup({ kind: 'claimed', attempts: 1 });
    await sender.run(job({ send: () => Promise.reject(new DeliveryRejectedError('400 no')) }), ctx(1));
    expect(calls).toEqual(['claim d-1', 'begin', 'complete d-1 failed', 'forget d-1', 'commit', 'nudge']);
  });

  it('retries a failing partner quickly, then parks the message', async () => {
    const failing = job({ send: () => Promise.reject(new PartnerUnavailableError('answered 500')) });
    const first = setup({ kind: 'claimed', attempts: 1 });
    await expect(first.sender.run(failing, ctx(1))).rejects.toBeInstanceOf(SendRetryError);
    expect(first.calls).toEqual(['claim d-1', 'release d-1: answered 500']);
    const last = setup({ kind: 'claimed', attempts: 3 });
    await last.sender.run(failing, ctx(3));
    expect(last.calls).toEqual(['claim d-1', 'begin', 'park d-1', 'release d-1: answered 500', 'commit']);
  });

  it('parks at once when the circuit is open', async () => {
    const { sender, calls } = setup({ kind: 'claimed', attempts: 1 });
    await sender.run(job({ send: () => Promise.reject(new CircuitOpenError('open')) }), ctx(1));
    expect(calls).toEqual(['claim d-1', 'begin', 'park d-1', 'release d-1: open', 'commit']);
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
    // The lease stays: the retry finds the send leased, or asks the partner once it ran out.
    expect(calls).toEqual(['claim d-1']);
  });
});

describe('GuardedSend in batches', () => {
  const jobs = (...ids: string[]) => ids.map((id) => job({ id, requestId: `r-${id}` }));

  it('claims once, sends the claimed side by side, completes them in one transaction, reports only the failed', async () => {
    const { sender, calls, outbox } = setup({
      ok: { kind: 'claimed', attempts: 1 },
      done: { kind: 'done' },
      busy: { kind: 'busy', until: new Date('2026-01-01T00:00:10Z') },
      refused: { kind: 'claimed', attempts: 1 },
      failing: { kind: 'claimed', attempts: 1 },
      held: { kind: 'claimed', attempts: 2 },
    });
    const batch = jobs('ok', 'done', 'busy', 'lost', 'refused', 'failing', 'held');
    batch[4].send = () => Promise.reject(new DeliveryRejectedError('400 no'));
    batch[5].send = () => Promise.reject(new PartnerUnavailableError('answered 500'));
    batch[6].lookup = () => Promise.resolve({ partnerReference: 'SIENA-NL-held' });

    const error: unknown = await sender.runBatch(batch, ctx(1)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BatchItemErrors);
    const failed = (error as BatchItemErrors).errors;
    expect([...failed.keys()]).toEqual([3, 5]);
    expect(failed.get(3)).toMatchObject({ code: 'DELIVERY.UNKNOWN' });
    expect(failed.get(5)).toBeInstanceOf(SendRetryError);
    expect(batch.map((j) => j.sent)).toEqual([1, 0, 0, 0, 0, 0, 0]);
    expect(calls).toEqual([
      'claim ok,done,busy,lost,refused,failing,held',
      'begin',
      'complete ok delivered',
      'complete refused failed',
      'complete held delivered',
      'forget ok,refused,held,done',
      'commit',
      'nudge',
      'release failing: answered 500',
      'begin',
      'park busy after lease',
      'commit',
    ]);
    expect(outbox).toHaveLength(1);
    expect(outbox[0].map(outcomeOf)).toMatchObject([
      { deliveryId: 'ok', outcome: 'delivered' },
      { deliveryId: 'refused', outcome: 'failed', error: '400 no' },
      { deliveryId: 'held', outcome: 'delivered', partnerReference: 'SIENA-NL-held' },
    ]);
  });

  it('announces nothing for a send another handler ended meanwhile', async () => {
    const { sender, outbox } = setup({ kind: 'claimed', attempts: 1 }, { endedAlready: ['b'] });
    await sender.runBatch(jobs('a', 'b'), ctx(1));
    expect(outbox[0].map((m) => outcomeOf(m).deliveryId)).toEqual(['a']);
  });

  it('sends a message found twice in one batch once', async () => {
    const { sender, calls } = setup({ kind: 'claimed', attempts: 1 });
    const batch = jobs('a', 'a');
    await sender.runBatch(batch, ctx(1));
    expect(batch.map((j) => j.sent)).toEqual([1, 0]);
    expect(calls.filter((c) => c.startsWith('claim') || c.startsWith('complete'))).toEqual([
      'claim a',
      'complete a delivered',
    ]);
  });

  it('goes in groups, each claimed when its calls start, and keeps the consumer in its group between them', async () => {
    const { sender, calls } = setup({ kind: 'claimed', attempts: 1 }, { groupSize: 2 });
    let heartbeats = 0;
    const batch = jobs('a', 'b', 'c', 'd', 'e');
    // Each send of a group waits for the other: they must run side by side.
    const started: string[] = [];
    for (const j of batch) {
      j.send = async () => {
        started.push(j.id);
        const partner = batch.find((o) => o !== j && groupOf(o.id) === groupOf(j.id));
        if (partner) await until(() => started.includes(partner.id));
        return { partnerReference: `ref-${j.id}` };
      };
    }
    await sender.runBatch(
      batch,
      ctx(1, () => {
        heartbeats++;
        return Promise.resolve();
      }),
    );
    expect(calls.filter((c) => c.startsWith('claim'))).toEqual(['claim a,b', 'claim c,d', 'claim e']);
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(heartbeats).toBe(2);
  });

  it('when a later group fails as a whole, keeps the errors of the earlier groups and hands the rest back one by one', async () => {
    const { sender } = setup({ kind: 'claimed', attempts: 9 }, { expired: true, groupSize: 2 });
    const batch = jobs('a', 'b', 'c', 'd', 'e');
    batch[1].send = () => Promise.reject(new CircuitOpenError('open'));
    let beats = 0;
    const outage = new Error('connection terminated');
    const error = (await sender
      .runBatch(
        batch,
        ctx(1, () => (++beats === 1 ? Promise.resolve() : Promise.reject(outage))),
      )
      .catch((e: unknown) => e)) as BatchItemErrors;
    // b, past its window in group 1, is still reported for the dead letters; group 2 went
    // through; the heartbeat before group 3 failed, so e is handed back alone.
    expect([...error.errors.keys()]).toEqual([1, 4]);
    expect(error.errors.get(1)).toMatchObject({ code: 'DELIVERY.PARTNER_UNREACHABLE' });
    expect(error.errors.get(4)).toBe(outage);
    expect(batch.map((j) => j.sent)).toEqual([1, 0, 1, 1, 0]);
  });

  it('reports a parked send past its window for the dead letters, and no other', async () => {
    const { sender } = setup({ kind: 'claimed', attempts: 9 }, { expired: true });
    const batch = jobs('a', 'b');
    batch[1].send = () => Promise.reject(new CircuitOpenError('open'));
    const error = (await sender.runBatch(batch, ctx(1)).catch((e: unknown) => e)) as BatchItemErrors;
    expect([...error.errors.keys()]).toEqual([1]);
    expect(error.errors.get(1)).toMatchObject({ code: 'DELIVERY.PARTNER_UNREACHABLE' });
    expect(batch[0].sent).toBe(1);
  });
});

const outcomeOf = (m: { value: string }) => (JSON.parse(m.value) as { data: { deliveryId: string } }).data;

const groupOf = (id: string) => Math.floor('abcde'.indexOf(id) / 2);

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the other send of the group never started');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
