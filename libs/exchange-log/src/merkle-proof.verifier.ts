import { HASH_SIZE, nodeHash, sameBytes } from './merkle.hasher';

/**
 * Proof verification exactly as RFC 9162 §2.1.3.2 and §2.1.4.2 write it (the RFC 6962 proofs are
 * the same bytes). An invalid proof is an expected answer, not an exception: callers get ok=false
 * and a reason fit for an audit report.
 */
export type ProofCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const VALID: ProofCheck = { ok: true };
const invalid = (reason: string): ProofCheck => ({ ok: false, reason });

// fn/sn reach 2^53, beyond JavaScript's 32-bit bitwise operators, so bits are taken arithmetically.
const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => (x - (x % 2)) / 2;
const isSize = (x: number): boolean => Number.isSafeInteger(x) && x >= 0;

function badHashIn(proof: readonly Uint8Array[]): number {
  return proof.findIndex((p) => !(p instanceof Uint8Array) || p.length !== HASH_SIZE);
}

export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  rootHash: Uint8Array,
): ProofCheck {
  if (!isSize(index) || !isSize(size))
    return invalid('leaf index and tree size must be non-negative safe integers');
  if (index >= size) return invalid(`leaf index ${index} is outside a tree of size ${size}`);
  if (leafHash.length !== HASH_SIZE)
    return invalid(`leaf hash has ${leafHash.length} bytes, expected ${HASH_SIZE}`);
  if (rootHash.length !== HASH_SIZE)
    return invalid(`root hash has ${rootHash.length} bytes, expected ${HASH_SIZE}`);
  const bad = badHashIn(proof);
  if (bad >= 0) return invalid(`proof element ${bad} is not a ${HASH_SIZE}-byte hash`);

  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) return invalid(`proof has too many elements for leaf ${index} of ${size}`);
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return invalid(`proof has ${proof.length} elements, too few for leaf ${index} of ${size}`);
  return sameBytes(r, rootHash) ? VALID : invalid('proof does not lead to the given root hash');
}

export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  rootHash1: Uint8Array,
  rootHash2: Uint8Array,
): ProofCheck {
  if (!isSize(size1) || !isSize(size2)) return invalid('tree sizes must be non-negative safe integers');
  if (size1 > size2) return invalid(`first tree size ${size1} exceeds second tree size ${size2}`);
  // RFC 9162 defines these proofs for 0 < first only; "consistent with nothing" proves nothing.
  if (size1 === 0) return invalid('a consistency proof from the empty tree is meaningless');
  if (size1 === size2) {
    if (proof.length !== 0) return invalid('equal tree sizes need an empty proof');
    return sameBytes(rootHash1, rootHash2) ? VALID : invalid('equal tree sizes but different root hashes');
  }
  if (proof.length === 0) return invalid('empty consistency proof for different tree sizes');
  const bad = badHashIn(proof);
  if (bad >= 0) return invalid(`proof element ${bad} is not a ${HASH_SIZE}-byte hash`);
  if (rootHash1.length !== HASH_SIZE || rootHash2.length !== HASH_SIZE) {
    return invalid(`root hashes must have ${HASH_SIZE} bytes`);
  }

  // Step 2: when the old tree is a perfect subtree its root is the proof's implicit first element.
  const isPowerOfTwo = 2 ** Math.round(Math.log2(size1)) === size1;
  const path: readonly Uint8Array[] = isPowerOfTwo ? [rootHash1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if (sn === 0) return invalid('consistency proof has too many elements');
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return invalid('consistency proof has too few elements');
  if (!sameBytes(fr, rootHash1)) return invalid('proof does not lead to the first root hash');
  if (!sameBytes(sr, rootHash2)) return invalid('proof does not lead to the second root hash');
  return VALID;
}
