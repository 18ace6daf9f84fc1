import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './paths';

export const SERVICES = [
  'partner-simulator',
  'exchange-log',
  'router',
  'channel-adapters',
  'intake-api',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * Each service's port. IXR_PORT_OFFSET shifts them all, so that two stacks (say, two working
 * trees running their test suites) can share one machine.
 */
const PORT_OFFSET = Number(process.env.IXR_PORT_OFFSET ?? 0);
export const DEFAULT_PORTS: Record<ServiceName, number> = {
  'intake-api': 3000 + PORT_OFFSET,
  router: 3001 + PORT_OFFSET,
  'channel-adapters': 3002 + PORT_OFFSET,
  'exchange-log': 3003 + PORT_OFFSET,
  'partner-simulator': 3100 + PORT_OFFSET,
};

/** How the services find each other at the current ports (the adapters' partners, the simulator's IXR). */
export function crossServiceEnv(): NodeJS.ProcessEnv {
  return {
    PARTNER_BASE_URL: `http://127.0.0.1:${DEFAULT_PORTS['partner-simulator']}`,
    IXR_INBOUND_URL: `http://127.0.0.1:${DEFAULT_PORTS['channel-adapters']}`,
  };
}

/**
 * The V8 old-space limit of each service, in MiB (IXR_MAX_HEAP_MB, default 192). Without a limit
 * V8 grows the heap of a busy service far past its live data (peak RSS 300–370 MB under
 * `npm run bench`); with 192 MiB the same run peaks at 190 MB with the same throughput. Batches
 * are bounded (`maxBytesPerPartition` of the Kafka transport), so the live set stays well below.
 */
export function maxHeapMb(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.IXR_MAX_HEAP_MB ?? '192';
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 96 || value > 65536) {
    throw new Error(`IXR_MAX_HEAP_MB must be a whole number of MiB from 96 to 65536, got "${raw}"`);
  }
  return value;
}

export interface ServiceProcess {
  name: ServiceName;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** SIGTERM, then wait for the graceful exit (SIGKILL after the bound). */
  stop(timeoutMs?: number): Promise<void>;
  /** kill -9: no drain, no goodbye. */
  kill(): Promise<void>;
}

/** Starts a compiled service (dist/) as a child process; each output line goes to `onLine`. */
export function startServiceProcess(
  name: ServiceName,
  env: NodeJS.ProcessEnv,
  onLine: (name: ServiceName, line: string) => void,
  port = DEFAULT_PORTS[name],
  nodeArgs: string[] = [],
): ServiceProcess {
  const root = repoRoot();
  const entry = join(root, 'dist', 'apps', name, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);
  const child = spawn(
    process.execPath,
    [
      `--max-old-space-size=${maxHeapMb({ ...process.env, ...env })}`,
      ...nodeArgs,
      '-r',
      join(root, 'scripts', 'register-paths.js'),
      '--enable-source-maps',
      entry,
    ],
    {
      cwd: root,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => onLine(name, line));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const signal = async (sig: NodeJS.Signals, timeoutMs: number): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    name,
    port,
    child,
    exited,
    stop: (timeoutMs = 20000) => signal('SIGTERM', timeoutMs),
    kill: () => signal('SIGKILL', 5000),
  };
}

/** Polls GET /health until it answers 200, the process dies, or the deadline passes. */
export async function waitHealthy(service: ServiceProcess, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null)
      throw new Error(`${service.name} exited with code ${service.child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${service.port}/health`, {
        signal: AbortSignal.timeout(2000),
      });
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${service.name} was not healthy within ${timeoutMs} ms: ${last}`);
}

/** Turns a pino JSON line into a short human line; other lines pass unchanged. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    const { level, time, msg, service: _s, pid: _p, hostname: _h, ...rest } = record;
    const names: Record<number, string> = {
      10: 'TRACE',
      20: 'DEBUG',
      30: 'INFO',
      40: 'WARN',
      50: 'ERROR',
      60: 'FATAL',
    };
    const clock = typeof time === 'string' ? time.slice(11, 19) : '';
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    return `${clock} ${names[Number(level)] ?? String(level)} ${typeof msg === 'string' ? msg : JSON.stringify(msg)}${extra.length > 300 ? `${extra.slice(0, 300)}…` : extra}`;
  } catch {
    return line;
  }
}
