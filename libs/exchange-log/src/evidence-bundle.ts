import { canonicalJson } from './canonical-json.codec';
import { ExchangeLogError } from './exchange-log.error';
import { leafHash, sha256 } from './merkle.hasher';
import { signNote } from './signed-note.codec';
import type { NoteSigner } from './signed-note.keys';

/**
 * An evidence bundle: what an auditor takes away and checks offline, with no database and no
 * trust in the exporting system beyond the log's published key.
 *
 *   entries.jsonl    one entry per line: exactly the hashed bytes (canonical JSON, seq and link inside)
 *   proofs.jsonl     per entry, its inclusion proof against checkpoint.note
 *   checkpoint.note  the log's signed checkpoint (C2SP) the proofs lead to
 *   log.vkey         the log's public key(s); export.vkey the exporter's
 *   rulesets/, directories/  the routing rules and directory versions the entries name (for replay)
 *   manifest.json    scope, who exported it and why, and the SHA-256 of every file above
 *   manifest.sig     a signed note over the manifest's hash
 */
export const BUNDLE_FORMAT = 'ixr-evidence-bundle/1';
export const BUNDLE_FILES = {
  manifest: 'manifest.json',
  signature: 'manifest.sig',
  entries: 'entries.jsonl',
  proofs: 'proofs.jsonl',
  checkpoint: 'checkpoint.note',
  logKey: 'log.vkey',
  exportKey: 'export.vkey',
} as const;

export type BundleScope = { readonly requestId: string } | { readonly from: string; readonly to: string };

export interface BundleManifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly origin: string;
  readonly exportedAt: string;
  readonly exportedBy: { readonly person: string; readonly unit: string; readonly role: string };
  readonly justification: string;
  readonly scope: BundleScope;
  readonly checkpoint: { readonly size: number; readonly rootHash: string };
  readonly entries: number;
  /** Entries of the scope appended after the checkpoint: not in this bundle; export again later. */
  readonly notYetCheckpointed: number;
  readonly files: readonly { readonly path: string; readonly sha256: string; readonly bytes: number }[];
}

export interface BundleEntry {
  readonly seq: number;
  /** The stored canonical bytes, verbatim. */
  readonly bytes: Uint8Array | string;
  readonly proof: readonly Uint8Array[];
}

export interface BundleInput extends Omit<BundleManifest, 'format' | 'checkpoint' | 'entries' | 'files'> {
  readonly checkpointNote: string;
  readonly checkpoint: { readonly size: number; readonly rootHash: Uint8Array };
  readonly entries: readonly BundleEntry[];
  readonly logVerifierKeys: readonly string[];
  readonly exportVerifierKey: string;
  /** rulesets/<v>.json, directories/<v>.json and the like. */
  readonly extraFiles: readonly { readonly path: string; readonly content: string }[];
}

export interface BundleProblem {
  readonly file?: string;
  readonly seq?: number;
  readonly message: string;
}

export interface BundleReport {
  readonly ok: boolean;
  readonly entries: number;
  readonly manifest?: BundleManifest;
  readonly checkpoint?: { readonly size: number; readonly rootHash: string };
  readonly problems: readonly BundleProblem[];
  readonly warnings: readonly string[];
}

const SAFE_PATH = /^[A-Za-z0-9][A-Za-z0-9._%-]*(\/[A-Za-z0-9][A-Za-z0-9._%-]*)*$/;

/** The text of manifest.sig: what the exporter signs. */
export function manifestSignatureText(manifestBytes: Uint8Array): string {
  return `${BUNDLE_FORMAT}\n${BUNDLE_FILES.manifest} sha256 ${sha256(manifestBytes).toString('hex')}\n`;
}

/** Names a bundle file after a version string, whatever characters it holds. */
export function bundleFileName(folder: string, version: string): string {
  return `${folder}/${encodeURIComponent(version).replace(/^\./, '%2E')}.json`;
}

/** Builds every file of the bundle, the signed manifest included. Pure: the caller writes them. */
export function buildBundle(input: BundleInput, exportSigner: NoteSigner): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const put = (path: string, content: string): void => {
    if (!SAFE_PATH.test(path) || path.split('/').includes('..') || files.has(path)) {
      throw new ExchangeLogError(
        'EXCHANGE_LOG.BUNDLE_MALFORMED',
        `bundle file name ${path} is unsafe or repeated`,
      );
    }
    files.set(path, Buffer.from(content, 'utf8'));
  };
  const lines = (rows: readonly string[]): string => rows.map((r) => `${r}\n`).join('');
  put(
    BUNDLE_FILES.entries,
    lines(
      input.entries.map((e) =>
        typeof e.bytes === 'string' ? e.bytes : Buffer.from(e.bytes).toString('utf8'),
      ),
    ),
  );
  put(
    BUNDLE_FILES.proofs,
    lines(
      input.entries.map((e) =>
        canonicalJson({
          seq: e.seq,
          leafHash: leafHash(typeof e.bytes === 'string' ? Buffer.from(e.bytes, 'utf8') : e.bytes).toString(
            'hex',
          ),
          treeSize: input.checkpoint.size,
          hashes: e.proof.map((h) => Buffer.from(h).toString('hex')),
        }),
      ),
    ),
  );
  put(BUNDLE_FILES.checkpoint, input.checkpointNote);
  put(BUNDLE_FILES.logKey, lines(input.logVerifierKeys));
  put(BUNDLE_FILES.exportKey, lines([input.exportVerifierKey]));
  for (const extra of input.extraFiles) put(extra.path, extra.content);

  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    origin: input.origin,
    exportedAt: input.exportedAt,
    exportedBy: input.exportedBy,
    justification: input.justification,
    scope: input.scope,
    checkpoint: {
      size: input.checkpoint.size,
      rootHash: Buffer.from(input.checkpoint.rootHash).toString('hex'),
    },
    entries: input.entries.length,
    notYetCheckpointed: input.notYetCheckpointed,
    files: [...files].map(([path, bytes]) => ({
      path,
      sha256: sha256(bytes).toString('hex'),
      bytes: bytes.length,
    })),
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  files.set(BUNDLE_FILES.manifest, manifestBytes);
  files.set(
    BUNDLE_FILES.signature,
    Buffer.from(signNote(manifestSignatureText(manifestBytes), exportSigner)),
  );
  return files;
}
