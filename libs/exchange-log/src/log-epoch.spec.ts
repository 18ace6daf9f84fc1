import { parseCheckpoint, signCheckpoint } from './checkpoint.note';
import { encodeLogEntry, GENESIS_PREV_LEAF_HASH } from './log-entry.codec';
import { checkpointEpoch, epochExtensions, epochOpeningDetails, parseEpochOpening } from './log-epoch';
import { generateSigningKey, parseSignerKey } from './signed-note.keys';

const signer = parseSignerKey(generateSigningKey('ixr.test/log').signerKey);
const root = Buffer.alloc(32, 7);
const note = (epoch: number) =>
  signCheckpoint(
    { origin: 'ixr.test/log', size: 5, rootHash: root, extensions: epochExtensions(epoch) },
    signer,
  );

const opening = {
  epoch: 1,
  previous: {
    epoch: 0,
    checkpoint: { size: 5, rootHash: root.toString('hex'), note: note(0) },
    storedEntries: 3,
  },
  reason: 'tail lost, no copy',
};

describe('log epochs', () => {
  it('names the epoch of a checkpoint in an extension line, none for epoch 0', () => {
    expect(checkpointEpoch(parseCheckpoint(note(0)))).toBe(0);
    expect(checkpointEpoch(parseCheckpoint(note(3)))).toBe(3);
    expect(note(0)).not.toContain('epoch');
    expect(() => checkpointEpoch({ extensions: ['epoch 0'] })).toThrow('names its epoch wrongly');
    expect(() => checkpointEpoch({ extensions: ['epoch 1', 'epoch 2'] })).toThrow('names its epoch wrongly');
    expect(() => epochExtensions(-1)).toThrow('non-negative');
  });

  it('reads back the opening an epoch entry records', () => {
    const bytes = encodeLogEntry(0, GENESIS_PREV_LEAF_HASH, {
      kind: 'epoch',
      details: epochOpeningDetails(opening),
    });
    expect(parseEpochOpening(bytes)).toEqual(opening);
  });

  it('refuses entries that are not an epoch opening', () => {
    const entry = (seq: number, fields: Record<string, unknown>) =>
      encodeLogEntry(seq, GENESIS_PREV_LEAF_HASH, fields);
    const details = epochOpeningDetails(opening);
    expect(() => parseEpochOpening(entry(0, { kind: 'routed', details }))).toThrow('not the first entry');
    expect(() => parseEpochOpening(entry(1, { kind: 'epoch', details }))).toThrow('not the first entry');
    const skipping = { ...details, epoch: 2 };
    expect(() => parseEpochOpening(entry(0, { kind: 'epoch', details: skipping }))).toThrow(
      'not the first entry',
    );
  });
});
