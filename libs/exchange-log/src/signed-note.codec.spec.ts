import { ExchangeLogError } from './exchange-log.error';
import { parseNote, signNote, verifyNote } from './signed-note.codec';
import { parseSignerKey, signingKeyFromSeed, verifierKeyOf } from './signed-note.keys';

const key = signingKeyFromSeed('ixr.example/export', Buffer.alloc(32, 3));
const other = signingKeyFromSeed('ixr.example/export', Buffer.alloc(32, 4));
const signer = parseSignerKey(key.signerKey);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ExchangeLogError) return error.code;
    throw error;
  }
  return undefined;
}

describe('signed notes (c2sp.org/signed-note)', () => {
  const text = 'ixr-evidence-bundle/1\nmanifest.json sha256 00ff\n';
  const note = signNote(text, signer);

  it('signs any text and verifies it with the matching key only', () => {
    expect(note.startsWith(`${text}\n\u2014 ixr.example/export `)).toBe(true);
    expect(verifyNote(note, key.verifierKey)).toMatchObject({ text, verifiedBy: ['ixr.example/export'] });
    expect(codeOf(() => verifyNote(note, other.verifierKey))).toBe('EXCHANGE_LOG.NOTE_UNTRUSTED');
  });

  it('rejects a changed text under a trusted key', () => {
    const changed = note.replace('00ff', '00fe');
    expect(codeOf(() => verifyNote(changed, key.verifierKey))).toBe('EXCHANGE_LOG.NOTE_BAD_SIGNATURE');
  });

  it('refuses texts that could not be parsed back, and malformed notes', () => {
    expect(codeOf(() => signNote('no newline', signer))).toBe('EXCHANGE_LOG.NOTE_MALFORMED');
    expect(codeOf(() => signNote('a\n\nb\n', signer))).toBe('EXCHANGE_LOG.NOTE_MALFORMED');
    expect(codeOf(() => signNote(text, []))).toBe('EXCHANGE_LOG.NOTE_MALFORMED');
    expect(codeOf(() => parseNote(text))).toBe('EXCHANGE_LOG.NOTE_MALFORMED');
    expect(codeOf(() => parseNote(`${text}\n- name AAAA\n`))).toBe('EXCHANGE_LOG.NOTE_MALFORMED');
  });

  it('derives the public key of a signer key', () => {
    expect(verifierKeyOf(key.signerKey)).toBe(key.verifierKey);
    expect(() => verifierKeyOf('PRIVATE+KEY+x+00000000+AAAA')).toThrow(ExchangeLogError);
  });
});
