/**
 * The exchange log's proofs, checked in the browser with WebCrypto (no server trusted for the
 * answer): RFC 6962 / RFC 9162 §2.1.3.2 inclusion of an entry in a signed tree, and the C2SP
 * tlog-checkpoint note that states the tree, signed with Ed25519 (c2sp.org/signed-note).
 * Plain functions over bytes: the same code runs under Jest (Node's WebCrypto) and in Chromium.
 */

const encoder = new TextEncoder();

async function sha256(...parts: readonly Uint8Array[]): Promise<Uint8Array> {
  const size = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ entry bytes). */
export function leafHash(entry: Uint8Array | string): Promise<Uint8Array> {
  return sha256(LEAF_PREFIX, typeof entry === 'string' ? encoder.encode(entry) : entry);
}

function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(NODE_PREFIX, left, right);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export function fromHex(hex: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error('not hexadecimal');
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

export function fromBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('not base64');
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or undefined when the proof cannot be
 * one for this index and size (wrong length, index outside the tree). Sizes stay below 2^53.
 */
export async function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Promise<Uint8Array | undefined> {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize)) return undefined;
  if (leafIndex < 0 || leafIndex >= treeSize) return undefined;
  if (proof.some((p) => p.length !== 32) || leaf.length !== 32) return undefined;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

export async function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  const computed = await rootFromInclusionProof(leafIndex, treeSize, leaf, proof);
  return computed !== undefined && equalBytes(computed, root);
}

export interface CheckpointNote {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  /** The signed text: every line up to the blank line, each with its newline. */
  text: string;
  signatures: { name: string; keyId: number; signature: Uint8Array }[];
}

/** Reads a checkpoint note's structure; nothing in it is trusted until a signature is checked. */
export function parseCheckpointNote(note: string): CheckpointNote {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new Error('a checkpoint note has its text, a blank line, then signatures');
  const text = note.slice(0, split + 1);
  const [origin, size, root] = text.split('\n');
  if (!origin || !/^(0|[1-9][0-9]*)$/.test(size ?? '') || !root) throw new Error('malformed checkpoint text');
  const rootHash = fromBase64(root);
  if (rootHash.length !== 32) throw new Error('the checkpoint root hash must have 32 bytes');
  const signatures = note
    .slice(split + 2)
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const match = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!match) throw new Error('malformed signature line');
      const blob = fromBase64(match[2]);
      if (blob.length < 5) throw new Error('signature too short');
      const keyId = ((blob[0] << 24) >>> 0) + (blob[1] << 16) + (blob[2] << 8) + blob[3];
      return { name: match[1], keyId, signature: blob.slice(4) };
    });
  return { origin, size: Number(size), rootHash, text, signatures };
}

export interface VerifierKey {
  name: string;
  keyId: number;
  publicKey: Uint8Array;
}

/** A signed-note verifier key: `<name>+<8 hex key id>+<base64(0x01 ‖ 32-byte Ed25519 key)>`. */
export async function parseVerifierKey(text: string): Promise<VerifierKey> {
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (!match) throw new Error('a verifier key reads <name>+<8 hex digits>+<base64 key>');
  const material = fromBase64(match[3]);
  if (material.length !== 33 || material[0] !== 0x01) throw new Error('not an Ed25519 verifier key');
  const publicKey = material.slice(1);
  const keyId = Number.parseInt(match[2], 16);
  // The key id is the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key): a mistyped key shows.
  const hash = await sha256(encoder.encode(`${match[1]}\n`), material);
  const expected = ((hash[0] << 24) >>> 0) + (hash[1] << 16) + (hash[2] << 8) + hash[3];
  if (expected !== keyId) throw new Error('the key id does not match the key');
  return { name: match[1], keyId, publicKey };
}

/** True when a signature of `key` on the note verifies (Ed25519 through WebCrypto). */
export async function verifyNoteSignature(note: CheckpointNote, key: VerifierKey): Promise<boolean> {
  const signature = note.signatures.find((s) => s.name === key.name && s.keyId === key.keyId);
  if (!signature || signature.signature.length !== 64) return false;
  const publicKey = await crypto.subtle.importKey(
    'raw',
    new Uint8Array(key.publicKey),
    { name: 'Ed25519' },
    false,
    ['verify'],
  );
  return crypto.subtle.verify(
    { name: 'Ed25519' },
    publicKey,
    new Uint8Array(signature.signature),
    encoder.encode(note.text),
  );
}

export interface ProvenEntry {
  seq: number;
  canonical: string;
  leafHash: string;
  inclusion: { epoch?: number; treeSize: number; leafIndex: number; hashes: readonly string[] } | null;
}

export type ProofMark = 'verified' | 'failed' | 'pending';

/**
 * One timeline entry against the checkpoint: its own bytes hashed here (not the server's leaf
 * hash), its proof walked up to the checkpoint's root. `pending`: appended after the checkpoint.
 */
export async function checkEntry(entry: ProvenEntry, checkpoint: CheckpointNote | null): Promise<ProofMark> {
  if (!entry.inclusion || !checkpoint) return 'pending';
  if (entry.inclusion.treeSize !== checkpoint.size || entry.inclusion.leafIndex !== entry.seq)
    return 'failed';
  const leaf = await leafHash(entry.canonical);
  if (!equalBytes(leaf, fromHex(entry.leafHash))) return 'failed';
  try {
    const proof = entry.inclusion.hashes.map(fromHex);
    return (await verifyInclusion(entry.seq, checkpoint.size, leaf, proof, checkpoint.rootHash))
      ? 'verified'
      : 'failed';
  } catch {
    return 'failed';
  }
}
