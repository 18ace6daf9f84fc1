import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that the summary reads. */
interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled milliseconds, idle excluded. */
  busyMs: number;
  /** Self time per area: a package of node_modules, the project's own code, Node internals, GC. */
  areas: Array<{ area: string; ms: number; share: number }>;
  /** Self time per function, highest first. */
  functions: Array<{ name: string; ms: number; share: number }>;
}

/** Reads a `.cpuprofile` and totals self time per area and per function. */
export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id);
    if (!frame || frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    busyUs += us;
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const ranked = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([key, us]) => ({ key, ms: Math.round(us / 1000), share: Math.round((us / busyUs) * 1000) / 10 }));
  return {
    busyMs: Math.round(busyUs / 1000),
    areas: ranked(areas).map(({ key, ms, share }) => ({ area: key, ms, share })),
    functions: ranked(functions)
      .slice(0, top)
      .map(({ key, ms, share }) => ({ name: key, ms, share })),
  };
}

function areaOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'garbage collector';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/dist/')) return 'ixr';
  if (url.startsWith('node:') || url === '') return 'node internals';
  return 'other';
}

function shortUrl(url: string): string {
  const pkg = /node_modules\/(.*)$/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/dist\/(.*)$/.exec(url);
  if (own) return own[1];
  return url || 'native';
}
