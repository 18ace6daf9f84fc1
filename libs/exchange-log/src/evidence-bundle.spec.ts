import { signCheckpoint } from './checkpoint.note';
import { BUNDLE_FILES, buildBundle, bundleFileName } from './evidence-bundle';
import { verifyBundle } from './evidence-bundle.verifier';
import { nextLogEntry } from './log-entry.codec';
import { leafHash, sha256 } from './merkle.hasher';
import { MemoryTree } from './memory-tree.store';
import { parseSignerKey, signingKeyFromSeed } from './signed-note.keys';

const ORIGIN = 'ixr.example/exchange-log';
const logKey = signingKeyFromSeed(ORIGIN, Buffer.alloc(32, 1));
const exportKey = signingKeyFromSeed('ixr.example/audit-export', Buffer.alloc(32, 2));
const strangerKey = signingKeyFromSeed(ORIGIN, Buffer.alloc(32, 9));

/** 20 entries over three requests; request r1 owns seqs 0, 3, 6, ... */
function makeLog(): { tree: MemoryTree; rows: { seq: number; bytes: Buffer }[] } {
  const tree = new MemoryTree();
  const rows: { seq: number; bytes: Buffer }[] = [];
  let previous: { seq: number; leafHash: string } | null = null;
  for (let i = 0; i < 20; i++) {
    const row = nextLogEntry(previous, {
      kind: 'received',
      requestId: `r${(i % 3) + 1}`,
      time: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      justification: 'line one\nline two',
    });
    tree.append(Buffer.from(row.leafHash, 'hex'));
    rows.push({ seq: row.seq, bytes: row.bytes });
    previous = row;
  }
  return { tree, rows };
}

function bundleFor(
  scope: { requestId: string } | { from: string; to: string },
  pick: (seq: number) => boolean,
) {
  const { tree, rows } = makeLog();
  const note = signCheckpoint(
    { origin: ORIGIN, size: tree.size, rootHash: tree.root() },
    parseSignerKey(logKey.signerKey),
  );
  return buildBundle(
    {
      origin: ORIGIN,
      exportedAt: '2026-01-02T00:00:00.000Z',
      exportedBy: { person: 'auditor-1', unit: 'AIG', role: 'auditor' },
      justification: 'inspection 2026/7',
      scope,
      checkpointNote: note,
      checkpoint: { size: tree.size, rootHash: tree.root() },
      entries: rows.filter((r) => pick(r.seq)).map((r) => ({ ...r, proof: tree.inclusionProof(r.seq) })),
      notYetCheckpointed: 0,
      logVerifierKeys: [logKey.verifierKey],
      exportVerifierKey: exportKey.verifierKey,
      extraFiles: [{ path: bundleFileName('rulesets', 'v1.0/beta'), content: '{"version":"v1.0/beta"}\n' }],
    },
    parseSignerKey(exportKey.signerKey),
  );
}

const trust = { logKeys: [logKey.verifierKey], exportKeys: [exportKey.verifierKey] };

/** Rewrites a file and re-lists its hash, as a forger who cannot sign would have to. */
function replaceFile(files: Map<string, Buffer>, path: string, content: Buffer): void {
  files.set(path, content);
  const manifest = JSON.parse(files.get(BUNDLE_FILES.manifest)!.toString()) as {
    files: { path: string; sha256: string }[];
  };
  for (const f of manifest.files) if (f.path === path) f.sha256 = sha256(content).toString('hex');
  files.set(BUNDLE_FILES.manifest, Buffer.from(JSON.stringify(manifest, null, 2)));
}

describe('evidence bundles', () => {
  it('a request bundle verifies offline with the published keys', () => {
    const files = bundleFor({ requestId: 'r1' }, (seq) => seq % 3 === 0);
    expect(files.get(BUNDLE_FILES.entries)!.toString().split('\n')).toHaveLength(8); // 7 lines + final newline
    expect(files.has('rulesets/v1.0%2Fbeta.json')).toBe(true);
    const report = verifyBundle(files, trust);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, entries: 7, checkpoint: { size: 20 }, warnings: [] });
  });

  it('each entry line is exactly the hashed bytes', () => {
    const files = bundleFor({ requestId: 'r1' }, (seq) => seq % 3 === 0);
    const first = files.get(BUNDLE_FILES.entries)!.toString().split('\n')[0];
    const proof = JSON.parse(files.get(BUNDLE_FILES.proofs)!.toString().split('\n')[0]) as {
      leafHash: string;
    };
    expect(leafHash(Buffer.from(first)).toString('hex')).toBe(proof.leafHash);
  });

  it('a time-range bundle checks that entries fall in the range', () => {
    const files = bundleFor(
      { from: '2026-01-01T00:05:00.000Z', to: '2026-01-01T00:10:00.000Z' },
      (seq) => seq >= 5 && seq < 10,
    );
    expect(verifyBundle(files, trust).ok).toBe(true);
    const wide = bundleFor(
      { from: '2026-01-01T00:05:00.000Z', to: '2026-01-01T00:10:00.000Z' },
      (s) => s < 10,
    );
    expect(verifyBundle(wide, trust).problems).toContainEqual({
      seq: 0,
      message: expect.stringMatching(/outside/),
    });
  });

  it('warns when it has to trust the keys shipped inside the bundle', () => {
    const report = verifyBundle(bundleFor({ requestId: 'r1' }, (s) => s % 3 === 0));
    expect(report.ok).toBe(true);
    expect(report.warnings).toHaveLength(2);
  });

  it('names the seq of a changed entry even when the file hash was re-listed', () => {
    const files = bundleFor({ requestId: 'r1' }, (seq) => seq % 3 === 0);
    const lines = files.get(BUNDLE_FILES.entries)!.toString().split('\n');
    lines[2] = lines[2].replace('line two', 'line 2');
    replaceFile(files, BUNDLE_FILES.entries, Buffer.from(lines.join('\n')));
    const report = verifyBundle(files, trust);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual({
      seq: 6,
      message: expect.stringMatching(/do not hash to the proven leaf/),
    });
    // Re-listing changed the manifest, so its signature no longer covers it either.
    expect(report.problems).toContainEqual({
      file: BUNDLE_FILES.signature,
      message: expect.stringMatching(/not the hash of manifest.json/),
    });
  });

  it('detects a changed file, a missing file and an added file', () => {
    const files = bundleFor({ requestId: 'r1' }, (seq) => seq % 3 === 0);
    files.set('rulesets/v1.0%2Fbeta.json', Buffer.from('{"version":"forged"}\n'));
    files.delete(BUNDLE_FILES.logKey);
    files.set('notes.txt', Buffer.from('hello'));
    const messages = verifyBundle(files, trust).problems.map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'rulesets/v1.0%2Fbeta.json does not match its hash in the manifest',
        'log.vkey is missing',
        'notes.txt is not listed in the manifest',
      ]),
    );
  });

  it('refuses a checkpoint signed by another key, and a proof against another tree', () => {
    const files = bundleFor({ requestId: 'r1' }, (seq) => seq % 3 === 0);
    expect(verifyBundle(files, { ...trust, logKeys: [strangerKey.verifierKey] }).problems).toContainEqual({
      file: BUNDLE_FILES.checkpoint,
      message: expect.stringMatching(/no signature from a trusted key/),
    });
    const proofs = files.get(BUNDLE_FILES.proofs)!.toString().split('\n');
    const proof = JSON.parse(proofs[1]) as { hashes: string[] };
    proof.hashes[0] = '00'.repeat(32);
    proofs[1] = JSON.stringify(proof);
    replaceFile(files, BUNDLE_FILES.proofs, Buffer.from(proofs.join('\n')));
    expect(verifyBundle(files, trust).problems).toContainEqual({
      seq: 3,
      message: expect.stringMatching(/not included in the signed tree/),
    });
  });

  it('rejects an entry of another request slipped into a request bundle', () => {
    const files = bundleFor({ requestId: 'r1' }, (seq) => seq % 3 === 0 || seq === 4);
    expect(verifyBundle(files, trust).problems).toContainEqual({
      seq: 4,
      message: 'seq 4 is not an entry of request r1',
    });
  });
});
