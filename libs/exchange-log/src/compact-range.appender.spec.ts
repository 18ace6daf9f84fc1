import fc from 'fast-check';
import {
  appendToFrontier,
  CompactRange,
  EMPTY_FRONTIER,
  type Frontier,
  frontierFromNodes,
  frontierNodeIds,
  frontierRoot,
  type NodeRow,
} from './compact-range.appender';
import { EMPTY_ROOT_HASH, leafHash } from './merkle.hasher';
import { MemoryTree } from './memory-tree.store';

const leaves = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
const tree = new MemoryTree();
for (const leaf of leaves) tree.append(leaf);

/** Every complete perfect subtree of a tree of `size` leaves, with the hash MemoryTree holds. */
function allNodes(size: number): string[] {
  const rows: string[] = [];
  for (let level = 0; 2 ** level <= size; level++) {
    for (let index = 0; (index + 1) * 2 ** level <= size; index++) {
      rows.push(`${level}/${index}:${tree.readNodes([{ level, index }])[0]?.toString('hex')}`);
    }
  }
  return rows.sort();
}
const key = (row: NodeRow): string => `${row.level}/${row.index}`;
const frontierAt = (size: number): Frontier => frontierFromNodes(size, tree.readNodes(frontierNodeIds(size)));

describe('appendToFrontier (the database writer path)', () => {
  it('in any batch split, persists each perfect subtree exactly once with the hash MemoryTree holds', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 20 }), (batchSizes) => {
        let frontier: Frontier = EMPTY_FRONTIER;
        const rows: NodeRow[] = [];
        for (const batch of batchSizes) {
          const from = frontier.size;
          const to = Math.min(leaves.length, from + batch);
          const result = appendToFrontier(frontier, leaves.slice(from, to));
          expect(result.rootHash).toEqual(tree.root(to));
          expect(result.frontier).toEqual(frontierAt(to));
          rows.push(...result.nodes);
          frontier = result.frontier;
        }
        expect(rows.map((row) => `${key(row)}:${row.hash.toString('hex')}`).sort()).toEqual(
          allNodes(frontier.size),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('reports nodes children first, so rows can be written in order', () => {
    const { nodes } = appendToFrontier(EMPTY_FRONTIER, leaves.slice(0, 8));
    expect(nodes.map(key)).toEqual([
      '0/0',
      '0/1',
      '1/0',
      '0/2',
      '0/3',
      '1/1',
      '2/0',
      '0/4',
      '0/5',
      '1/2',
      '0/6',
      '0/7',
      '1/3',
      '2/1',
      '3/0',
    ]);
  });

  it('rebuilds the frontier from one read of stored nodes', () => {
    expect(frontierNodeIds(0)).toEqual([]);
    expect(frontierNodeIds(13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    const frontier = frontierFromNodes(13, tree.readNodes(frontierNodeIds(13)));
    expect(frontierRoot(frontier)).toEqual(tree.root(13));
    expect(frontierRoot(EMPTY_FRONTIER)).toEqual(EMPTY_ROOT_HASH);
    const next = appendToFrontier(frontier, leaves.slice(13, 100));
    expect(next.rootHash).toEqual(tree.root(100));
    expect(next.frontier).toEqual(frontierAt(100));
    expect(tree.frontier()).toEqual(frontierAt(300));
  });

  it('refuses a frontier that does not fit its size', () => {
    expect(() => frontierFromNodes(13, tree.readNodes(frontierNodeIds(12)))).toThrow(/needs 3 hashes/);
    expect(() => appendToFrontier({ size: 2, hashes: [Buffer.alloc(31)] }, [])).toThrow(/needs 1 hashes/);
    expect(() => appendToFrontier(EMPTY_FRONTIER, [Buffer.alloc(16)])).toThrow(/32 bytes/);
  });

  it('does not share buffers with the caller', () => {
    const leaf = Buffer.from(leaves[0]);
    const result = appendToFrontier(EMPTY_FRONTIER, [leaf]);
    leaf.fill(0);
    expect(result.frontier.hashes[0]).toEqual(leaves[0]);
    const range = new CompactRange(result.frontier);
    range.push(leaves[1]);
    expect(range.root()).toEqual(tree.root(2));
    expect(result.frontier.size).toBe(1);
  });
});
