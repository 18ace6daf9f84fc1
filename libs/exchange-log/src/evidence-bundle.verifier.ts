import { verifyCheckpoint } from './checkpoint.note';
import {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  type BundleManifest,
  type BundleProblem,
  type BundleReport,
  type BundleScope,
  manifestSignatureText,
} from './evidence-bundle';
import { decodeLogEntry, type LogEntryRecord } from './log-entry.codec';
import { leafHash, sha256 } from './merkle.hasher';
import { verifyInclusion } from './merkle-proof.verifier';
import { verifyNote } from './signed-note.codec';

export interface BundleTrust {
  /** The log's published key(s). Without them the bundle's own log.vkey is used, with a warning. */
  readonly logKeys?: readonly string[];
  /** The exporter's key(s). Without them the bundle's own export.vkey is used, with a warning. */
  readonly exportKeys?: readonly string[];
}

/**
 * Checks a bundle offline: the manifest's signature and every file's hash, the checkpoint's
 * signature, then each entry — canonical bytes, within the scope, in seq order, and included in
 * the signed tree by its proof. Every problem is reported with the file or seq it concerns.
 */
export function verifyBundle(files: ReadonlyMap<string, Uint8Array>, trust: BundleTrust = {}): BundleReport {
  const problems: BundleProblem[] = [];
  const warnings: string[] = [];
  const report = (extra: Partial<BundleReport> = {}): BundleReport => ({
    ok: problems.length === 0,
    entries: 0,
    problems,
    warnings,
    ...extra,
  });
  const text = (path: string): string | undefined => {
    const bytes = files.get(path);
    if (bytes === undefined) problems.push({ file: path, message: `${path} is missing` });
    return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
  };
  const keysIn = (path: string): string[] =>
    (text(path) ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);

  // 1. The manifest, signed by a trusted exporter key.
  const manifestBytes = files.get(BUNDLE_FILES.manifest);
  const signature = text(BUNDLE_FILES.signature);
  if (manifestBytes === undefined) {
    problems.push({ file: BUNDLE_FILES.manifest, message: `${BUNDLE_FILES.manifest} is missing` });
    return report();
  }
  let exportKeys = trust.exportKeys;
  if (!exportKeys?.length) {
    exportKeys = keysIn(BUNDLE_FILES.exportKey);
    warnings.push(
      'exporter key taken from the bundle itself (export.vkey): pass the published key to rely on it',
    );
  }
  if (signature !== undefined) {
    try {
      const note = verifyNote(signature, exportKeys);
      if (note.text !== manifestSignatureText(manifestBytes)) {
        problems.push({
          file: BUNDLE_FILES.signature,
          message: 'the signed manifest hash is not the hash of manifest.json',
        });
      }
    } catch (error) {
      problems.push({
        file: BUNDLE_FILES.signature,
        message: `manifest signature: ${(error as Error).message}`,
      });
    }
  }
  let manifest: BundleManifest;
  try {
    manifest = parseManifest(Buffer.from(manifestBytes).toString('utf8'));
  } catch (error) {
    problems.push({
      file: BUNDLE_FILES.manifest,
      message: `manifest.json is unreadable: ${(error as Error).message}`,
    });
    return report();
  }

  // 2. Every file is the one the manifest names; nothing was added.
  const listed = new Set<string>([BUNDLE_FILES.manifest, BUNDLE_FILES.signature]);
  for (const file of manifest.files) {
    listed.add(file.path);
    const bytes = files.get(file.path);
    if (bytes === undefined) problems.push({ file: file.path, message: `${file.path} is missing` });
    else if (sha256(bytes).toString('hex') !== file.sha256)
      problems.push({ file: file.path, message: `${file.path} does not match its hash in the manifest` });
  }
  for (const path of files.keys()) {
    if (!listed.has(path)) problems.push({ file: path, message: `${path} is not listed in the manifest` });
  }

  // 3. The checkpoint, signed by the log.
  let logKeys = trust.logKeys;
  if (!logKeys?.length) {
    logKeys = keysIn(BUNDLE_FILES.logKey);
    warnings.push('log key taken from the bundle itself (log.vkey): pass the published key to rely on it');
  }
  const checkpointNote = text(BUNDLE_FILES.checkpoint);
  if (checkpointNote === undefined) return report({ manifest });
  let checkpoint: { size: number; rootHash: Buffer };
  try {
    checkpoint = verifyCheckpoint(checkpointNote, logKeys, { origin: manifest.origin });
  } catch (error) {
    problems.push({ file: BUNDLE_FILES.checkpoint, message: `checkpoint: ${(error as Error).message}` });
    return report({ manifest });
  }
  const head = { size: checkpoint.size, rootHash: checkpoint.rootHash.toString('hex') };
  if (head.size !== manifest.checkpoint?.size || head.rootHash !== manifest.checkpoint?.rootHash) {
    problems.push({
      file: BUNDLE_FILES.manifest,
      message: 'the manifest names another checkpoint than checkpoint.note',
    });
  }

  // 4. Each entry: canonical, in scope, in order, and in the signed tree.
  const entryLines = splitLines(files.get(BUNDLE_FILES.entries));
  const proofLines = splitLines(files.get(BUNDLE_FILES.proofs));
  if (entryLines.length !== proofLines.length) {
    problems.push({
      file: BUNDLE_FILES.proofs,
      message: `${entryLines.length} entries but ${proofLines.length} proofs`,
    });
  }
  let previousSeq = -1;
  entryLines.forEach((line, i) => {
    const where = `entry line ${i + 1}`;
    let entry: LogEntryRecord;
    try {
      entry = decodeLogEntry(line);
    } catch (error) {
      problems.push({ file: BUNDLE_FILES.entries, message: `${where}: ${(error as Error).message}` });
      return;
    }
    const seq = entry.seq;
    if (seq <= previousSeq) problems.push({ seq, message: `seq ${seq} is out of order or repeated` });
    previousSeq = Math.max(previousSeq, seq);
    const outOfScope = scopeProblem(manifest.scope, entry);
    if (outOfScope) problems.push({ seq, message: outOfScope });
    const proof = parseProofLine(proofLines[i]);
    const leaf = leafHash(line);
    if (proof === undefined || proof.seq !== seq) {
      problems.push({ seq, message: `no inclusion proof for seq ${seq}` });
    } else if (proof.leafHash !== leaf.toString('hex')) {
      problems.push({ seq, message: `seq ${seq}: the entry bytes do not hash to the proven leaf` });
    } else if (proof.treeSize !== checkpoint.size) {
      problems.push({
        seq,
        message: `seq ${seq}: proof is for tree size ${proof.treeSize}, not the checkpoint's`,
      });
    } else {
      const check = verifyInclusion(leaf, seq, checkpoint.size, proof.hashes, checkpoint.rootHash);
      if (!check.ok)
        problems.push({ seq, message: `seq ${seq}: not included in the signed tree: ${check.reason}` });
    }
  });
  if (entryLines.length !== manifest.entries) {
    problems.push({
      file: BUNDLE_FILES.entries,
      message: `manifest announces ${manifest.entries} entries, found ${entryLines.length}`,
    });
  }
  return report({ manifest, checkpoint: head, entries: entryLines.length });
}

/** The manifest is untrusted input until its signature and hashes are checked: shape first. */
function parseManifest(text: string): BundleManifest {
  const value = JSON.parse(text) as unknown;
  const m = value as { format?: unknown; files?: unknown; scope?: unknown; checkpoint?: unknown };
  const files: unknown[] = Array.isArray(m?.files) ? (m.files as unknown[]) : [];
  const isFile = (f: unknown): boolean =>
    typeof (f as { path?: unknown })?.path === 'string' &&
    typeof (f as { sha256?: unknown }).sha256 === 'string';
  if (m?.format !== BUNDLE_FORMAT || !Array.isArray(m.files) || !files.every(isFile)) {
    throw new Error(`not an ${BUNDLE_FORMAT} manifest`);
  }
  if (typeof m.scope !== 'object' || m.scope === null || typeof m.checkpoint !== 'object') {
    throw new Error('the manifest has no scope or checkpoint');
  }
  return value as BundleManifest;
}

function splitLines(bytes: Uint8Array | undefined): Buffer[] {
  if (bytes === undefined || bytes.length === 0) return [];
  const buffer = Buffer.from(bytes);
  const out: Buffer[] = [];
  let start = 0;
  for (let i = buffer.indexOf(0x0a); i >= 0; i = buffer.indexOf(0x0a, start)) {
    out.push(buffer.subarray(start, i));
    start = i + 1;
  }
  if (start < buffer.length) out.push(buffer.subarray(start));
  return out;
}

function parseProofLine(
  line: Buffer | undefined,
): { seq: number; leafHash: string; treeSize: number; hashes: Buffer[] } | undefined {
  if (line === undefined) return undefined;
  try {
    const p = JSON.parse(line.toString('utf8')) as {
      seq: number;
      leafHash: string;
      treeSize: number;
      hashes: string[];
    };
    const hex = /^[0-9a-f]{64}$/;
    if (!Array.isArray(p.hashes) || !p.hashes.every((h) => hex.test(h))) return undefined;
    return {
      seq: p.seq,
      leafHash: p.leafHash,
      treeSize: p.treeSize,
      hashes: p.hashes.map((h) => Buffer.from(h, 'hex')),
    };
  } catch {
    return undefined;
  }
}

function scopeProblem(scope: BundleScope, entry: LogEntryRecord): string | undefined {
  if ('requestId' in scope) {
    return entry.requestId === scope.requestId
      ? undefined
      : `seq ${entry.seq} is not an entry of request ${scope.requestId}`;
  }
  const time = typeof entry.time === 'string' ? Date.parse(entry.time) : Number.NaN;
  return time >= Date.parse(scope.from) && time < Date.parse(scope.to)
    ? undefined
    : `seq ${entry.seq} lies outside ${scope.from} .. ${scope.to}`;
}
