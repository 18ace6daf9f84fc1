import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds used so far by the machine and by the infrastructure processes that share it. */
export interface CpuSnapshot {
  at: number;
  /** All cores: busy and idle seconds since boot (/proc/stat). */
  busy: number;
  idle: number;
  /** Every process named `postgres` (the server and its backends). */
  postgres: number;
  /** The Kafka broker (a JVM running `kafka.Kafka`). */
  kafka: number;
  /** Per process id, for the services measured by their pid. */
  byPid: Map<number, number>;
  /** Per process id, every `postgres` process and the Kafka broker (a window counts only these). */
  infra: Map<number, { kind: 'postgres' | 'kafka'; seconds: number }>;
}

export interface CpuWindow {
  wallSeconds: number;
  /** Share of all cores' time that was busy during the window, 0–1. */
  machineBusy: number;
  postgresSeconds: number;
  kafkaSeconds: number;
  /** CPU seconds per service, within the window only. */
  services: Record<string, number>;
}

const TICKS_PER_SECOND = 100;

/**
 * Reads /proc (Linux); elsewhere every figure stays 0. With `postgresDatabase`, PostgreSQL backends
 * serving another database (another suite on the same server) are left out; the server's own
 * processes (checkpointer, WAL writer, …) count.
 */
export function cpuSnapshot(pids: number[], postgresDatabase?: string): CpuSnapshot {
  const snapshot: CpuSnapshot = {
    at: Date.now(),
    busy: 0,
    idle: 0,
    postgres: 0,
    kafka: 0,
    byPid: new Map(),
    infra: new Map(),
  };
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    snapshot.idle = idle / TICKS_PER_SECOND;
    snapshot.busy = (total - idle) / TICKS_PER_SECOND;
  } catch {
    return snapshot;
  }
  const wanted = new Set(pids);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const cpu = processCpu(pid);
    if (cpu === undefined) continue;
    if (wanted.has(pid)) snapshot.byPid.set(pid, cpu.seconds);
    if (cpu.comm === 'postgres') {
      if (postgresDatabase && !servesDatabase(pid, postgresDatabase)) continue;
      snapshot.postgres += cpu.seconds;
      snapshot.infra.set(pid, { kind: 'postgres', seconds: cpu.seconds });
    } else if (cpu.comm === 'java' && isKafkaBroker(pid)) {
      snapshot.kafka += cpu.seconds;
      snapshot.infra.set(pid, { kind: 'kafka', seconds: cpu.seconds });
    }
  }
  return snapshot;
}

/**
 * What happened between two snapshots, process by process: a process that started in between counts
 * whole, one that ended in between is not counted (its last seconds are unknown) — so backends that
 * come and go never make a figure negative.
 */
export function cpuWindow(before: CpuSnapshot, after: CpuSnapshot, names: Map<number, string>): CpuWindow {
  const busy = after.busy - before.busy;
  const idle = after.idle - before.idle;
  const services: Record<string, number> = {};
  for (const [pid, name] of names) {
    services[name] = round((after.byPid.get(pid) ?? 0) - (before.byPid.get(pid) ?? 0));
  }
  const infra = { postgres: 0, kafka: 0 };
  for (const [pid, now] of after.infra) {
    const then = before.infra.get(pid);
    infra[now.kind] += now.seconds - (then?.kind === now.kind ? then.seconds : 0);
  }
  return {
    wallSeconds: round((after.at - before.at) / 1000),
    machineBusy: busy + idle > 0 ? round(busy / (busy + idle), 3) : 0,
    postgresSeconds: round(infra.postgres),
    kafkaSeconds: round(infra.kafka),
    services,
  };
}

function processCpu(pid: number): { comm: string; seconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm, seconds: (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** A backend's title is `postgres: [cluster: ]user database host(port) …`; other processes serve all. */
function servesDatabase(pid: number, database: string): boolean {
  try {
    const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    const backend = /^postgres: (?:\S+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])/.exec(title);
    return backend === null || backend[1] === database;
  } catch {
    return false;
  }
}

function isKafkaBroker(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka');
  } catch {
    return false;
  }
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
