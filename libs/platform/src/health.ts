/** A dependency the service needs to be ready (Kafka, PostgreSQL, ...). */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<void>;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, { status: 'up' | 'down'; error?: string }>;
}

/** Runs every check with a bound, so a hung dependency cannot hang the probe. */
export async function checkHealth(indicators: readonly HealthIndicator[], timeoutMs = 2000): Promise<HealthReport> {
  const entries = await Promise.all(
    indicators.map(async (indicator) => {
      try {
        await withTimeout(indicator.check(), timeoutMs, `${indicator.name} did not answer in ${timeoutMs} ms`);
        return [indicator.name, { status: 'up' as const }] as const;
      } catch (error) {
        return [indicator.name, { status: 'down' as const, error: (error as Error).message }] as const;
      }
    }),
  );
  const checks = Object.fromEntries(entries);
  const status = entries.every(([, c]) => c.status === 'up') ? 'ok' : 'unavailable';
  return { status, checks };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
