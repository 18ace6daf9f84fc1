import { ExchangeLogError, type ExchangeLogErrorCode } from './exchange-log.error';
import { checkKeyName, type NoteSigner, type NoteVerifier, parseVerifierKey } from './signed-note.keys';
import { decodeBase64Strict } from './strict-base64.codec';

/**
 * C2SP signed notes (c2sp.org/signed-note): a text ending in a newline, a blank line, then one
 * "— <key name> <base64(key id ‖ signature)>" line per signature. Checkpoints are one kind of note;
 * evidence-bundle manifests are another. The error codes are the caller's, so a checkpoint keeps
 * reporting CHECKPOINT_* codes and a manifest NOTE_* codes.
 */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly signature: Buffer;
}

export interface ParsedNote {
  /** The signed text, ending with its newline. Untrusted until verifyNote accepted it. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export interface NoteErrorCodes {
  readonly malformed: ExchangeLogErrorCode;
  readonly untrusted: ExchangeLogErrorCode;
  readonly badSignature: ExchangeLogErrorCode;
}

export const NOTE_ERRORS: NoteErrorCodes = {
  malformed: 'EXCHANGE_LOG.NOTE_MALFORMED',
  untrusted: 'EXCHANGE_LOG.NOTE_UNTRUSTED',
  badSignature: 'EXCHANGE_LOG.NOTE_BAD_SIGNATURE',
};

// signed-note asks verifiers to cap signatures and to accept at least 16.
const MAX_SIGNATURES = 100;
const SIGNATURE_PREFIX = '\u2014 ';
// eslint-disable-next-line no-control-regex -- signed-note forbids exactly these control characters
export const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function malformedNote(codes: NoteErrorCodes, message: string): never {
  throw new ExchangeLogError(codes.malformed, message);
}

export function signNote(
  text: string,
  signers: NoteSigner | readonly NoteSigner[],
  codes: NoteErrorCodes = NOTE_ERRORS,
): string {
  const list: readonly NoteSigner[] = Array.isArray(signers) ? signers : [signers as NoteSigner];
  if (list.length === 0) malformedNote(codes, 'a signed note needs at least one signer');
  if (
    !text.endsWith('\n') ||
    text.includes('\n\n') ||
    FORBIDDEN_CONTROL.test(text) ||
    LONE_SURROGATE.test(text)
  ) {
    malformedNote(codes, 'note text must be non-empty lines of text, each ending with a newline');
  }
  const message = Buffer.from(text, 'utf8');
  const signatureLines = list.map((signer) => {
    checkKeyName(signer.name);
    const keyId = Buffer.alloc(4);
    keyId.writeUInt32BE(signer.keyId);
    const blob = Buffer.concat([keyId, signer.sign(message)]).toString('base64');
    return `${SIGNATURE_PREFIX}${signer.name} ${blob}\n`;
  });
  return `${text}\n${signatureLines.join('')}`;
}

function decodeNote(note: string | Uint8Array, codes: NoteErrorCodes): string {
  if (typeof note === 'string') return note;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
  } catch {
    return malformedNote(codes, 'note is not valid UTF-8');
  }
}

function parseSignatureLine(line: string, codes: NoteErrorCodes): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX))
    malformedNote(codes, 'signature lines must start with an em dash and a space');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space <= 0) malformedNote(codes, 'signature line must be "— <key name> <base64 signature>"');
  const name = rest.slice(0, space);
  try {
    checkKeyName(name);
  } catch {
    malformedNote(codes, `signature key name ${JSON.stringify(name)} is not a valid key name`);
  }
  const blob = decodeBase64Strict(rest.slice(space + 1));
  if (blob === undefined || blob.length < 5)
    malformedNote(codes, `signature by ${name} is not base64 of a key id and a signature`);
  return { name, keyId: blob.readUInt32BE(0), signature: blob.subarray(4) };
}

/** Splits a note into its text and signatures. Verifies nothing: use verifyNote for that. */
export function parseNote(note: string | Uint8Array, codes: NoteErrorCodes = NOTE_ERRORS): ParsedNote {
  const all = decodeNote(note, codes);
  if (FORBIDDEN_CONTROL.test(all))
    malformedNote(codes, 'note contains control characters other than newline');
  if (LONE_SURROGATE.test(all)) malformedNote(codes, 'note is not valid Unicode');
  // signed-note: the text is separated from the signatures by the last empty line.
  const split = all.lastIndexOf('\n\n');
  if (split < 0) malformedNote(codes, 'note has no blank line before its signatures');
  const text = all.slice(0, split + 1);
  const signatureBlock = all.slice(split + 2);
  if (signatureBlock.length === 0 || !signatureBlock.endsWith('\n')) {
    malformedNote(codes, 'note must end with at least one signature line and a newline');
  }
  const signatureLines = signatureBlock.slice(0, -1).split('\n');
  if (signatureLines.length > MAX_SIGNATURES)
    malformedNote(codes, `note carries more than ${MAX_SIGNATURES} signatures`);
  return { text, signatures: signatureLines.map((line) => parseSignatureLine(line, codes)) };
}

/**
 * Accepts the note only if a trusted key signed it. Per signed-note, signatures from unknown keys
 * are ignored, and a signature from a trusted key that fails to verify rejects the whole note.
 */
export function verifyNote(
  note: string | Uint8Array,
  trusted: NoteVerifier | string | readonly (NoteVerifier | string)[],
  codes: NoteErrorCodes = NOTE_ERRORS,
): ParsedNote & { readonly verifiedBy: readonly string[] } {
  const verifiers = (Array.isArray(trusted) ? trusted : [trusted]).map((v: NoteVerifier | string) =>
    typeof v === 'string' ? parseVerifierKey(v) : v,
  );
  const parsed = parseNote(note, codes);
  const message = Buffer.from(parsed.text, 'utf8');
  const verifiedBy: string[] = [];
  for (const signature of parsed.signatures) {
    for (const verifier of verifiers) {
      if (verifier.name !== signature.name || verifier.keyId !== signature.keyId) continue;
      if (!verifier.verify(message, signature.signature)) {
        throw new ExchangeLogError(codes.badSignature, `the signature by ${signature.name} does not verify`);
      }
      verifiedBy.push(signature.name);
    }
  }
  if (verifiedBy.length === 0) {
    const by = parsed.signatures.map((s) => s.name).join(', ');
    throw new ExchangeLogError(
      codes.untrusted,
      `note carries no signature from a trusted key (signed by: ${by})`,
    );
  }
  return { ...parsed, verifiedBy };
}
