import { Agent, request } from 'node:http';

export interface Submission {
  id: string;
  /** Client-side submit → 202, ms. */
  latencyMs: number;
}

/**
 * A load generator over `concurrency` keep-alive connections. Closed loop by default: each
 * connection sends the next request as soon as the previous one is answered. With `rate`
 * (requests/s), request n leaves at n / rate seconds (paced, `concurrency` bounding the requests in
 * flight): the latency at a given rate, not at saturation.
 */
export async function submitAll(options: {
  url: URL;
  token: string;
  total: number;
  concurrency: number;
  body: (n: number) => string;
  rate?: number;
  onProgress?: (done: number) => void;
}): Promise<{ submissions: Submission[]; errors: Map<number, number>; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const submissions: Submission[] = [];
  const errors = new Map<number, number>();
  let next = 0;
  const started = process.hrtime.bigint();

  const worker = async (): Promise<void> => {
    while (next < options.total) {
      const n = next++;
      if (options.rate) {
        const due = Number(started) / 1e6 + (n * 1000) / options.rate;
        const wait = due - Number(process.hrtime.bigint()) / 1e6;
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const t0 = process.hrtime.bigint();
      const { status, text } = await post(agent, options.url, options.token, options.body(n));
      const latencyMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (status === 202) submissions.push({ id: (JSON.parse(text) as { id: string }).id, latencyMs });
      else errors.set(status, (errors.get(status) ?? 0) + 1);
      if (submissions.length % 500 === 0) options.onProgress?.(submissions.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  return { submissions, errors, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function post(
  agent: Agent,
  url: URL,
  token: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}
