import { formatCheckpointText, parseCheckpoint, signCheckpoint, verifyCheckpoint } from './checkpoint.note';
import { ExchangeLogError } from './exchange-log.error';
import { EMPTY_ROOT_HASH } from './merkle.hasher';
import { parseSignerKey, parseVerifierKey, signingKeyFromSeed } from './signed-note.keys';

const ORIGIN = 'ixr.example/exchange-log';
const logKey = signingKeyFromSeed(ORIGIN, Buffer.alloc(32, 7));
const otherKey = signingKeyFromSeed(ORIGIN, Buffer.alloc(32, 8));
const witnessKey = signingKeyFromSeed('witness.example/w1', Buffer.alloc(32, 9));
const signer = parseSignerKey(logKey.signerKey);
const root = Buffer.from('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328', 'hex');
const checkpoint = { origin: ORIGIN, size: 1_000_000, rootHash: root };

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ExchangeLogError) return error.code;
    throw error;
  }
  return undefined;
}

describe('checkpoints (C2SP tlog-checkpoint)', () => {
  const note = signCheckpoint(checkpoint, signer);

  it('writes the exact tlog-checkpoint layout', () => {
    const lines = note.split('\n');
    expect(lines.slice(0, 4)).toEqual([ORIGIN, '1000000', root.toString('base64'), '']);
    expect(lines[4]).toMatch(new RegExp(`^\u2014 ${ORIGIN} [A-Za-z0-9+/]{91}=$`));
    expect(lines[5]).toBe('');
    expect(lines).toHaveLength(6);
    const blob = Buffer.from(lines[4].split(' ')[2], 'base64');
    expect(blob.readUInt32BE(0)).toBe(signer.keyId);
    expect(blob.subarray(4)).toHaveLength(64);
  });

  it('round-trips through parse and verify', () => {
    expect(parseCheckpoint(note)).toMatchObject({
      ...checkpoint,
      extensions: [],
      text: formatCheckpointText(checkpoint),
    });
    const verified = verifyCheckpoint(note, logKey.verifierKey, { origin: ORIGIN });
    expect(verified).toEqual({ ...checkpoint, extensions: [], verifiedBy: [ORIGIN] });
    expect(verifyCheckpoint(Buffer.from(note, 'utf8'), parseVerifierKey(logKey.verifierKey)).size).toBe(
      1_000_000,
    );
  });

  it('carries extension lines and the empty tree', () => {
    const withExt = signCheckpoint(
      { origin: ORIGIN, size: 0, rootHash: EMPTY_ROOT_HASH, extensions: ['ext one'] },
      signer,
    );
    expect(verifyCheckpoint(withExt, logKey.verifierKey)).toMatchObject({ size: 0, extensions: ['ext one'] });
  });

  it('ignores unknown signatures and accepts any trusted one (witness cosigning, key rotation)', () => {
    const cosigned = signCheckpoint(checkpoint, [parseSignerKey(witnessKey.signerKey), signer]);
    expect(verifyCheckpoint(cosigned, logKey.verifierKey).verifiedBy).toEqual([ORIGIN]);
    expect(verifyCheckpoint(cosigned, [witnessKey.verifierKey, logKey.verifierKey]).verifiedBy).toEqual([
      'witness.example/w1',
      ORIGIN,
    ]);
  });

  it.each([
    ['the size', note.replace('\n1000000\n', '\n1000001\n')],
    ['the root', note.replace(root.toString('base64'), Buffer.alloc(32, 1).toString('base64'))],
    ['the origin', note.replace(`${ORIGIN}\n1000000`, `${ORIGIN}x\n1000000`)],
    ['the signature', note.replace(/(.)=\n$/, (_m, c: string) => `${c === 'A' ? 'B' : 'A'}=\n`)],
  ])('rejects a note whose %s was changed', (_what, tampered) => {
    expect(tampered).not.toBe(note);
    expect(codeOf(() => verifyCheckpoint(tampered, logKey.verifierKey))).toBe(
      'EXCHANGE_LOG.CHECKPOINT_BAD_SIGNATURE',
    );
  });

  it('rejects a note signed by another key, even under the same name', () => {
    expect(codeOf(() => verifyCheckpoint(note, otherKey.verifierKey))).toBe(
      'EXCHANGE_LOG.CHECKPOINT_UNTRUSTED',
    );
    expect(codeOf(() => verifyCheckpoint(note, witnessKey.verifierKey))).toBe(
      'EXCHANGE_LOG.CHECKPOINT_UNTRUSTED',
    );
    expect(codeOf(() => verifyCheckpoint(note, []))).toBe('EXCHANGE_LOG.CHECKPOINT_UNTRUSTED');
  });

  it('rejects a correctly signed note from another log', () => {
    expect(codeOf(() => verifyCheckpoint(note, logKey.verifierKey, { origin: 'other.example/log' }))).toBe(
      'EXCHANGE_LOG.CHECKPOINT_WRONG_ORIGIN',
    );
  });

  const body = `${ORIGIN}\n5\n${root.toString('base64')}\n`;
  const sig = note.slice(note.indexOf('\u2014'));
  it.each([
    ['no blank line', `${body}${sig}`],
    ['no signature', `${body}\n`],
    ['no final newline', `${body}\n${sig.slice(0, -1)}`],
    ['CRLF line ends', note.replace(/\n/g, '\r\n')],
    ['a control character', note.replace(ORIGIN, `${ORIGIN}\u0007`)],
    ['a missing root line', `${ORIGIN}\n5\n\n${sig}`],
    ['an empty origin', `\n5\n${root.toString('base64')}\n\n${sig}`],
    ['a size with a leading zero', `${ORIGIN}\n05\n${root.toString('base64')}\n\n${sig}`],
    ['a negative size', `${ORIGIN}\n-5\n${root.toString('base64')}\n\n${sig}`],
    ['a size beyond 2^53', `${ORIGIN}\n9007199254740993\n${root.toString('base64')}\n\n${sig}`],
    ['a short root hash', `${ORIGIN}\n5\n${root.subarray(1).toString('base64')}\n\n${sig}`],
    ['unpadded base64 root', `${ORIGIN}\n5\n${root.toString('base64').replace('=', '')}\n\n${sig}`],
    ['an empty extension line', `${body}ext\n\n\n${sig}`],
    ['a hyphen instead of an em dash', `${body}\n${sig.replace('\u2014', '-')}`],
    ['a signature without key name', `${body}\n\u2014 ${sig.split(' ')[2]}`],
    ['a too-short signature', `${body}\n\u2014 ${ORIGIN} AAAA\n`],
    ['invalid UTF-8', Buffer.concat([Buffer.from(body), Buffer.from([0xff]), Buffer.from(`\n\n${sig}`)])],
    ['too many signatures', `${body}\n${sig.repeat(101)}`],
  ])('rejects a malformed note: %s', (_what, text) => {
    expect(codeOf(() => parseCheckpoint(text))).toBe('EXCHANGE_LOG.CHECKPOINT_MALFORMED');
    expect(codeOf(() => verifyCheckpoint(text, logKey.verifierKey))).toBe(
      'EXCHANGE_LOG.CHECKPOINT_MALFORMED',
    );
  });

  it('refuses to sign what it could not parse back', () => {
    expect(codeOf(() => signCheckpoint({ ...checkpoint, origin: 'a\nb' }, signer))).toBe(
      'EXCHANGE_LOG.CHECKPOINT_MALFORMED',
    );
    expect(codeOf(() => signCheckpoint({ ...checkpoint, size: 1.5 }, signer))).toBe(
      'EXCHANGE_LOG.CHECKPOINT_MALFORMED',
    );
    expect(codeOf(() => signCheckpoint({ ...checkpoint, rootHash: Buffer.alloc(31) }, signer))).toBe(
      'EXCHANGE_LOG.CHECKPOINT_MALFORMED',
    );
    expect(codeOf(() => signCheckpoint({ ...checkpoint, extensions: [''] }, signer))).toBe(
      'EXCHANGE_LOG.CHECKPOINT_MALFORMED',
    );
    expect(codeOf(() => signCheckpoint(checkpoint, []))).toBe('EXCHANGE_LOG.CHECKPOINT_MALFORMED');
  });
});
