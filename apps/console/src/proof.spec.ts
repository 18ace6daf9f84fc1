import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryTree, generateSigningKey, parseSignerKey, signCheckpoint } from '@ixr/exchange-log';
import {
  checkEntry,
  fromBase64,
  parseCheckpointNote,
  parseVerifierKey,
  verifyInclusion,
  verifyNoteSignature,
} from './proof';

// The project's copy of the transparency-dev/merkle vectors (Apache-2.0): the console's own check
// must accept exactly the proofs the server's verifier accepts.
const VECTORS = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'libs',
  'exchange-log',
  'testdata',
  'rfc6962',
  'inclusion',
);

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  wantErr: boolean;
}

const vectors = (fs.readdirSync(VECTORS, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f): [string, InclusionVector] => [
    f,
    JSON.parse(fs.readFileSync(path.join(VECTORS, f), 'utf8')) as InclusionVector,
  ]);

describe('the console checks log proofs in the browser (WebCrypto)', () => {
  it('finds every inclusion vector', () => {
    expect(vectors).toHaveLength(98);
  });

  it.each(vectors)('inclusion %s', async (_name, v) => {
    const proof = (v.proof ?? []).map(fromBase64);
    const ok = await verifyInclusion(
      v.leafIdx,
      v.treeSize,
      fromBase64(v.leafHash),
      proof,
      fromBase64(v.root),
    );
    expect(ok).toBe(!v.wantErr);
  });

  describe('a timeline entry against a signed checkpoint', () => {
    const entries = [
      '{"kind":"received","seq":0}',
      '{"kind":"routed","seq":1}',
      '{"kind":"delivered","seq":2}',
    ];
    const tree = new MemoryTree();
    for (const e of entries) tree.appendData(Buffer.from(e, 'utf8'));
    const keys = generateSigningKey('ixr.test/log');
    const note = signCheckpoint(
      { origin: 'ixr.test/log', size: 3, rootHash: tree.root(3) },
      parseSignerKey(keys.signerKey),
    );
    const entry = (seq: number, canonical = entries[seq]) => ({
      seq,
      canonical,
      leafHash: tree.leafHash(seq).toString('hex'),
      inclusion: {
        treeSize: 3,
        leafIndex: seq,
        hashes: tree.inclusionProof(seq, 3).map((h) => h.toString('hex')),
      },
    });

    it('verifies each entry and the checkpoint signature with the published key', async () => {
      const checkpoint = parseCheckpointNote(note);
      expect(checkpoint.size).toBe(3);
      for (let seq = 0; seq < 3; seq++) expect(await checkEntry(entry(seq), checkpoint)).toBe('verified');
      expect(await verifyNoteSignature(checkpoint, await parseVerifierKey(keys.verifierKey))).toBe(true);
    });

    it('marks a changed entry, a changed checkpoint and another key as failed', async () => {
      const checkpoint = parseCheckpointNote(note);
      expect(await checkEntry(entry(1, '{"kind":"routed","seq":9}'), checkpoint)).toBe('failed');
      const other = generateSigningKey('ixr.test/log');
      expect(await verifyNoteSignature(checkpoint, await parseVerifierKey(other.verifierKey))).toBe(false);
      const forged = parseCheckpointNote(note.replace('\n3\n', '\n2\n'));
      expect(await verifyNoteSignature(forged, await parseVerifierKey(keys.verifierKey))).toBe(false);
      expect(await checkEntry(entry(0), forged)).toBe('failed');
    });

    it('marks an entry appended after the checkpoint as pending', async () => {
      expect(await checkEntry({ ...entry(0), inclusion: null }, parseCheckpointNote(note))).toBe('pending');
    });

    it('refuses a mistyped verifier key', async () => {
      const mistyped = keys.verifierKey.replace(/\+([0-9a-f]{8})\+/, (_all, id: string) => {
        return `+${((Number.parseInt(id, 16) ^ 1) >>> 0).toString(16).padStart(8, '0')}+`;
      });
      await expect(parseVerifierKey(mistyped)).rejects.toThrow('key id');
    });
  });
});
