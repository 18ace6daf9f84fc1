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
export async function checkHealth(
  indicators: readonly HealthIndicator[],
  timeoutMs = 2000,
): Promise<HealthReport> {
  type Check = HealthReport['checks'][string];
  const results = await Promise.all(
    indicators.map(async (indicator): Promise<[string, Check]> => {
      try {
        await withTimeout(
          indicator.check(),
          timeoutMs,
          `${indicator.name} did not answer in ${timeoutMs} ms`,
        );
        return [indicator.name, { status: 'up' }];
      } catch (error) {
        return [indicator.name, { status: 'down', error: (error as Error).message }];
      }
    }),
  );
  const checks: Record<string, Check> = {};
  for (const [name, check] of results) checks[name] = check;
  const status = results.every(([, c]) => c.status === 'up') ? 'ok' : 'unavailable';
  return { status, checks };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
