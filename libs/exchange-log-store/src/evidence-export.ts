import { createHash } from 'node:crypto';
import {
  buildBundle,
  bundleFileName,
  type BundleScope,
  decodeLogEntry,
  type NoteSigner,
} from '@ixr/exchange-log';
import type { EntryRow, LogReader } from './log.reader';
import type { LogTrust } from './log-trust';
import { latestTrustedCheckpoint, withProofs } from './request-timeline';

export class ExportTooLargeError extends Error {
  readonly code = 'AUDIT.EXPORT_TOO_LARGE';
}
export class NothingToExportError extends Error {
  readonly code = 'AUDIT.NOTHING_TO_EXPORT';
}

export interface ExportRequest {
  readonly scope: BundleScope;
  readonly actor: { readonly person: string; readonly unit: string; readonly role: string };
  readonly justification: string;
  readonly now: Date;
  readonly maxEntries: number;
  /** The data keys (SPEC §10): which entries' personal data is erased, listed in `personal-data.json`. */
  readonly keyFor?: (keyId: string) => Promise<Buffer | null>;
}

export interface ExportSigner {
  readonly signer: NoteSigner;
  readonly verifierKey: string;
}

export interface EvidenceExport {
  readonly files: Map<string, Buffer>;
  readonly entries: number;
  readonly notYetCheckpointed: number;
  /** Entries of earlier log epochs in scope: a bundle proves one epoch's tree (the latest). */
  readonly inEarlierEpochs: number;
  readonly manifestSha256: string;
  readonly checkpointSize: number;
}

/**
 * The evidence bundle of a request or a time range: the entries covered by the latest trusted
 * checkpoint with their proofs, the checkpoint, the rule sets and directory versions the entries
 * name, the public keys, and a manifest signed by the exporter. Entries newer than the checkpoint
 * are counted, not included: a bundle holds only what it can prove.
 */
export async function exportEvidence(
  reader: LogReader,
  trust: LogTrust,
  exporter: ExportSigner,
  request: ExportRequest,
): Promise<EvidenceExport> {
  const { scope } = request;
  const rows =
    'requestId' in scope
      ? await reader.entriesOfRequest(scope.requestId, -1, request.maxEntries + 1)
      : await reader.entriesBetween(new Date(scope.from), new Date(scope.to), request.maxEntries + 1);
  if (rows.length > request.maxEntries) {
    throw new ExportTooLargeError(
      `more than ${request.maxEntries} entries in scope: export a narrower time range`,
    );
  }
  const head = await latestTrustedCheckpoint(reader, trust);
  if (!head) throw new NothingToExportError('the log has no verifiable signed checkpoint yet');
  const covered = rows.filter((r) => r.epoch === head.epoch && Number(r.seq) < head.size);
  const inEarlierEpochs = rows.filter((r) => r.epoch < head.epoch).length;
  if (covered.length === 0 && rows.length === 0) throw new NothingToExportError('no log entry in this scope');
  const proven = await withProofs(reader, covered, head);
  const { rulesets, directories } = versionsNamed(covered);
  const extraFiles = [
    ...(await reader.rulesets(rulesets)).map((r) => ({
      path: bundleFileName('rulesets', r.version),
      content: `${JSON.stringify({ version: r.version, hash: r.hash, document: r.document }, null, 2)}\n`,
    })),
    ...(await reader.directories(directories)).map((d) => ({
      path: bundleFileName('directories', d.version),
      content: `${JSON.stringify({ version: d.version, hash: d.hash, document: d.document }, null, 2)}\n`,
    })),
  ];
  const personal = await personalDataOf(covered, request.keyFor);
  if (personal.length > 0) {
    extraFiles.push({
      path: 'personal-data.json',
      content: `${JSON.stringify({ note: PERSONAL_DATA_NOTE, entries: personal }, null, 2)}\n`,
    });
  }
  const files = buildBundle(
    {
      origin: trust.origin,
      exportedAt: request.now.toISOString(),
      exportedBy: request.actor,
      justification: request.justification,
      scope,
      checkpointNote: head.note,
      checkpoint: { size: head.size, rootHash: head.rootHash },
      entries: proven.map((p) => ({ seq: p.seq, bytes: p.row.bytes, proof: p.proof ?? [] })),
      notYetCheckpointed: rows.length - covered.length - inEarlierEpochs,
      logVerifierKeys: trust.keys,
      exportVerifierKey: exporter.verifierKey,
      extraFiles,
    },
    exporter.signer,
  );
  return {
    files,
    entries: covered.length,
    notYetCheckpointed: rows.length - covered.length - inEarlierEpochs,
    inEarlierEpochs,
    manifestSha256: createHash('sha256').update(files.get('manifest.json')!).digest('hex'),
    checkpointSize: head.size,
  };
}

const PERSONAL_DATA_NOTE =
  'Personal data in these entries is sealed under the data key of its request (SPEC §10): "sealed" ' +
  'entries can be read where IXR holds the key; "erased" ones cannot be read by anyone any more. ' +
  'Their hashes and proofs check either way.';

/** Each entry that holds sealed personal data, and whether its key is gone (the request erased). */
async function personalDataOf(
  rows: readonly EntryRow[],
  keyFor: ((keyId: string) => Promise<Buffer | null>) | undefined,
): Promise<{ seq: number; personalData: 'sealed' | 'erased' }[]> {
  const present = new Map<string, boolean>();
  const out: { seq: number; personalData: 'sealed' | 'erased' }[] = [];
  for (const row of rows) {
    const keyIds = new Set(
      [...row.bytes.matchAll(/ixr-sealed:v1:([^:"]+):/g)].map((m) => m[1]).filter((id) => id !== undefined),
    );
    if (keyIds.size === 0) continue;
    let erased = false;
    for (const keyId of keyIds) {
      if (!present.has(keyId)) present.set(keyId, keyFor ? (await keyFor(keyId)) !== null : true);
      if (!present.get(keyId)) erased = true;
    }
    out.push({ seq: Number(row.seq), personalData: erased ? 'erased' : 'sealed' });
  }
  return out;
}

/** Rule-set and directory versions the entries name (routed entries carry the directory's). */
function versionsNamed(rows: readonly EntryRow[]): { rulesets: string[]; directories: string[] } {
  const rulesets = new Set<string>();
  const directories = new Set<string>();
  for (const row of rows) {
    try {
      const entry = decodeLogEntry(Buffer.from(row.bytes, 'utf8'));
      if (typeof entry.rulesetVersion === 'string') rulesets.add(entry.rulesetVersion);
      const directoryVersion = (entry.details as { directoryVersion?: unknown } | undefined)
        ?.directoryVersion;
      if (typeof directoryVersion === 'string') directories.add(directoryVersion);
    } catch {
      // an unreadable entry still goes in the bundle; its verification will name it
    }
  }
  return { rulesets: [...rulesets].sort(), directories: [...directories].sort() };
}
