/**
 * Micro-benchmark of the exchange-log core at a million entries. Not part of the test run.
 *
 *   npx tsc --outDir /tmp/exchange-log-bench --module commonjs --target ES2022 --strict \
 *     --types node --skipLibCheck libs/exchange-log/bench/merkle.bench.ts
 *   node /tmp/exchange-log-bench/bench/merkle.bench.js [entries]
 */
import {
  appendToFrontier,
  EMPTY_FRONTIER,
  type Frontier,
  inclusionProof,
  leafHash,
  MemoryTree,
  nextLogEntry,
  type StoredEntry,
  verifyChainSync,
  verifyConsistency,
  verifyInclusion,
} from '../src';

const N = Number(process.argv[2] ?? 1_000_000);
const print = (line: string): void => void process.stdout.write(`${line}\n`);

function time<T>(label: string, count: number, run: () => T): T {
  const start = process.hrtime.bigint();
  const result = run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rate = Math.round(count / seconds).toLocaleString('en');
  print(
    `${label.padEnd(52)} ${seconds.toFixed(2).padStart(7)} s  ${rate.padStart(11)} /s  ${((1e6 * seconds) / count).toFixed(2)} µs each`,
  );
  return result;
}

// Deterministic pseudo-random indexes, so runs are comparable.
let state = 12345;
const nextIndex = (bound: number): number => {
  state = (state * 1103515245 + 12345) % 2 ** 31;
  return state % bound;
};

print(`exchange-log bench: ${N.toLocaleString('en')} entries, node ${process.version}`);

// Entries live in one arena, as a database page would hand them over, so the heap holds no
// million row objects and garbage collection does not distort the figures.
const arena = Buffer.alloc(N * 512);
const offsets = new Float64Array(N + 1);
const leafArena = Buffer.alloc(N * 32);
time('encode entries (nextLogEntry: canonical JSON + hash)', N, () => {
  let previous: ReturnType<typeof nextLogEntry> | null = null;
  for (let i = 0; i < N; i++) {
    previous = nextLogEntry(previous, {
      kind: 'dispatched',
      eventId: `evt-${i}`,
      requestId: `req-${i}`,
      time: '2025-01-01T00:00:00.000Z',
      actor: { person: 'officer-17', unit: 'SPOC', role: 'duty officer' },
      justification: 'Art. 7 FD 2006/960 request, urgent',
      recipients: ['DE', 'NL'],
      channel: 'siena',
      rulesetVersion: '2025-01-01.3',
      details: {},
    });
    const at = offsets[i];
    if (at + previous.bytes.length > arena.length) throw new Error('bench arena too small');
    previous.bytes.copy(arena, at);
    offsets[i + 1] = at + previous.bytes.length;
    leafArena.write(previous.leafHash, i * 32, 'hex');
  }
});
print(`  average entry size ${Math.round(offsets[N] / N)} bytes`);
const bytesOf = (i: number): Buffer => arena.subarray(offsets[i], offsets[i + 1]);
const leafOf = (i: number): Buffer => leafArena.subarray(i * 32, i * 32 + 32);
const ZERO = Buffer.alloc(32);

/** Rows shaped as PostgreSQL returns them: seq as text, bytea hashes, entry bytes. */
function* rows(): Generator<StoredEntry> {
  for (let i = 0; i < N; i++) {
    yield {
      seq: String(i),
      prevLeafHash: i === 0 ? ZERO : leafOf(i - 1),
      bytes: bytesOf(i),
      leafHash: leafOf(i),
    };
  }
}

const tree = time('leaf hash + MemoryTree.appendData', N, () => {
  const t = new MemoryTree();
  for (let i = 0; i < N; i++) t.appendData(bytesOf(i));
  return t;
});

time('appendToFrontier, batches of 1,000 (DB writer path)', N, () => {
  let frontier: Frontier = EMPTY_FRONTIER;
  let rowsToPersist = 0;
  for (let i = 0; i < N; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, N - i) }, (_, j) => leafOf(i + j));
    const result = appendToFrontier(frontier, batch);
    frontier = result.frontier;
    rowsToPersist += result.nodes.length;
  }
  if (rowsToPersist !== 2 * N - countBits(N)) throw new Error('unexpected node count');
  return frontier;
});
time('leafHash alone', N, () => {
  for (let i = 0; i < N; i++) leafHash(bytesOf(i));
});

const root = tree.root();
for (let round = 1; round <= 3; round++) {
  const report = time(`verifyChainSync + checkpoint at the end (run ${round})`, N, () =>
    verifyChainSync(rows(), { checkpoints: [{ size: N, rootHash: root }] }),
  );
  if (!report.ok) throw new Error(`chain verification failed: ${report.reason}`);
}
time('verifyChainSync strict (parse + re-canonicalise)', N, () => verifyChainSync(rows(), { strict: true }));

const PROOFS = 20_000;
const indexes = Array.from({ length: PROOFS }, () => nextIndex(N));
const proofs = time(`inclusion proof generation at size ${N}`, PROOFS, () =>
  indexes.map((i) => inclusionProof(tree, i, N)),
);
time(`inclusion proof verification at size ${N}`, PROOFS, () => {
  indexes.forEach((i, k) => {
    if (!verifyInclusion(tree.leafHash(i), i, N, proofs[k], root).ok) throw new Error('bad proof');
  });
});
const sizes = Array.from({ length: PROOFS }, () => 1 + nextIndex(N - 1));
time(`consistency proof generate + verify to size ${N}`, PROOFS, () => {
  for (const m of sizes) {
    if (!verifyConsistency(m, N, tree.consistencyProof(m, N), tree.root(m), root).ok)
      throw new Error('bad proof');
  }
});
print(`  proof length at leaf ${indexes[0]}: ${proofs[0].length} hashes`);
print(`  rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);

function countBits(n: number): number {
  let bits = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) bits += x % 2;
  return bits;
}
