import * as fs from 'node:fs';
import * as path from 'node:path';
import { EMPTY_ROOT_HASH } from './merkle.hasher';
import { verifyConsistency, verifyInclusion } from './merkle-proof.verifier';
import { MemoryTree } from './memory-tree.store';

// Vectors from transparency-dev/merkle (Apache-2.0, see testdata/rfc6962/README.md and LICENSE).
const VECTORS = path.join(__dirname, '..', 'testdata', 'rfc6962');

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function load<T>(kind: string): [string, T][] {
  const dir = path.join(VECTORS, kind);
  const files = (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((f) => [`${kind}/${f}`, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as T]);
}

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
const proofOf = (p: string[] | null): Buffer[] => (p ?? []).map(b64);

// The reference tree behind every happy path (transparency-dev/merkle testonly).
const REFERENCE_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
const referenceTree = new MemoryTree();
for (const leaf of REFERENCE_LEAVES) referenceTree.appendData(Buffer.from(leaf, 'hex'));

const inclusion = load<InclusionVector>('inclusion');
const consistency = load<ConsistencyVector>('consistency');

describe('RFC 6962 vectors from transparency-dev/merkle', () => {
  it('finds every vector file, so none is silently skipped', () => {
    expect(inclusion).toHaveLength(98);
    expect(consistency).toHaveLength(98);
    expect(inclusion.filter(([, v]) => !v.wantErr)).toHaveLength(6);
    expect(consistency.filter(([, v]) => !v.wantErr)).toHaveLength(6);
  });

  it.each(inclusion)('inclusion %s', (_name, v) => {
    const check = verifyInclusion(b64(v.leafHash), v.leafIdx, v.treeSize, proofOf(v.proof), b64(v.root));
    expect(check.ok).toBe(!v.wantErr);
  });

  it.each(consistency)('consistency %s', (_name, v) => {
    const check = verifyConsistency(v.size1, v.size2, proofOf(v.proof), b64(v.root1), b64(v.root2));
    expect(check.ok).toBe(!v.wantErr);
  });

  it.each(inclusion.filter(([n, v]) => !v.wantErr && /^inclusion\/\d\//.test(n)))(
    'generates the published proof for %s',
    (_name, v) => {
      expect(referenceTree.root(v.treeSize).toString('base64')).toBe(v.root);
      expect(referenceTree.leafHash(v.leafIdx).toString('base64')).toBe(v.leafHash);
      expect(referenceTree.inclusionProof(v.leafIdx, v.treeSize)).toEqual(proofOf(v.proof));
    },
  );

  it.each(consistency.filter(([n, v]) => !v.wantErr && /^consistency\/\d\//.test(n)))(
    'generates the published proof for %s',
    (_name, v) => {
      expect(referenceTree.root(v.size1).toString('base64')).toBe(v.root1);
      expect(referenceTree.root(v.size2).toString('base64')).toBe(v.root2);
      expect(referenceTree.consistencyProof(v.size1, v.size2)).toEqual(proofOf(v.proof));
    },
  );

  it('reproduces the RFC 6962 reference roots for sizes 0..8', () => {
    const roots = [
      EMPTY_ROOT_HASH.toString('hex'),
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    expect(roots.map((_, size) => referenceTree.root(size).toString('hex'))).toEqual(roots);
    expect(EMPTY_ROOT_HASH.toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});
