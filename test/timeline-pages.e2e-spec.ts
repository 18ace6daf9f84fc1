import { randomUUID } from 'node:crypto';
import { DEV_SECRET, signDevToken } from '@ixr/auth';
import { generateSigningKey, parseSignerKey } from '@ixr/exchange-log';
import { createDataSource } from '@ixr/persistence';
import { Clock } from '@ixr/platform';
import { CheckpointSigner, type EntryFacts, LogWriter } from '@ixr/exchange-log-store';
import { maxHeapMb } from '../scripts/dev/services';
import { TestStack } from './support/stack';

/**
 * A request with 100,000 log entries (one unit flooding it, say) is read by an auditor page by
 * page: every entry comes back once, in order, with its proof, and the intake's heap stays under
 * its limit (IXR_MAX_HEAP_MB) — no read holds the whole timeline.
 */
describe('timeline pages', () => {
  const stack = new TestStack();
  const TOTAL = 100_000;
  const requestId = randomUUID();

  beforeAll(async () => {
    await stack.start();
    // The entries, appended by a writer of the log's own code, under a checkpoint it signs.
    const key = generateSigningKey('ixr.local/exchange-log');
    await stack.db.query('INSERT INTO exchange_log_keys (vkey) VALUES ($1) ON CONFLICT DO NOTHING', [
      key.verifierKey,
    ]);
    const dataSource = createDataSource({
      url: stack.env.DATABASE_URL!,
      poolSize: 2,
      applicationName: 'timeline-e2e',
    });
    await dataSource.initialize();
    try {
      const writer = new LogWriter(
        dataSource,
        new CheckpointSigner('ixr.local/exchange-log', parseSignerKey(key.signerKey), key.verifierKey),
        new Clock(),
        { checkpointEvery: 10_000 },
      );
      const time = new Date().toISOString();
      for (let start = 0; start < TOTAL; start += 2000) {
        const batch: EntryFacts[] = Array.from({ length: 2000 }, (_, i) => ({
          kind: 'denied',
          eventId: `timeline-e2e-${requestId}-${start + i}`,
          requestId,
          time,
          actor: { person: 'flooder', unit: 'PZ-FLOOD', role: 'requester' },
          justification: '(none given)',
          recipients: [],
          channel: null,
          rulesetVersion: null,
          details: { action: 'request_viewed', n: start + i },
        }));
        await writer.append(batch);
      }
      await writer.checkpointNow();
    } finally {
      await dataSource.destroy();
    }
  }, 300_000);
  afterAll(() => stack.stop());

  it('reads a 100,000-entry timeline page by page under the intake’s heap limit', async () => {
    const auditor = await signDevToken(
      { sub: 'auditor-pages', unit: 'AIG-AUDIT', level: 'federal', roles: ['auditor'] },
      { secret: DEV_SECRET },
    );
    const intake = stack.url('intake-api', '');
    let after = -1;
    let seen = 0;
    let lastSeq = -1;
    let pages = 0;
    let peakHeap = 0;
    for (;;) {
      const response = await fetch(
        `${intake}/v1/audit/requests/${requestId}/timeline?after=${after}&limit=1000`,
        {
          headers: { authorization: `Bearer ${auditor}`, 'x-justification': 'flood investigation' },
        },
      );
      expect(response.status).toBe(200);
      const page = (await response.json()) as {
        entries: {
          seq: number;
          kind: string;
          inclusion: { verified: boolean } | null;
          details: { n?: number };
        }[];
        nextAfter: number | null;
      };
      expect(page.entries.length).toBeLessThanOrEqual(1000);
      for (const entry of page.entries) {
        expect(entry.seq).toBeGreaterThan(lastSeq);
        lastSeq = entry.seq;
        // The auditor's own reads join the request's timeline (consulted) as the pages are read.
        if (entry.kind === 'consulted') continue;
        expect(entry.details.n).toBe(seen);
        expect(entry.inclusion?.verified).toBe(true);
        seen++;
      }
      pages++;
      if (pages % 10 === 0) {
        const metrics = await (await fetch(`${intake}/metrics`)).text();
        const used = Number(/^nodejs_heap_size_used_bytes\S* (\d+(\.\d+)?)/m.exec(metrics)?.[1] ?? 0);
        peakHeap = Math.max(peakHeap, used);
      }
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    expect(seen).toBe(TOTAL);
    expect(pages).toBeGreaterThanOrEqual(TOTAL / 1000);
    expect(peakHeap).toBeGreaterThan(0);
    expect(peakHeap).toBeLessThan(maxHeapMb() * 1024 * 1024);
    expect((await fetch(`${intake}/health`)).status).toBe(200);
  }, 600_000);
});
