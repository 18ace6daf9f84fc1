import { ExchangeLogError, type ExchangeLogErrorCode } from './exchange-log.error';
import { HASH_SIZE } from './merkle.hasher';
import { checkKeyName, type NoteSigner, type NoteVerifier, parseVerifierKey } from './signed-note.keys';
import { decodeBase64Strict } from './strict-base64.codec';

/**
 * Signed tree heads as C2SP tlog-checkpoint notes (c2sp.org/tlog-checkpoint, c2sp.org/signed-note):
 *
 *     <origin>\n<tree size>\n<base64 root hash>\n[extension lines]\n\n— <key name> <base64(key id ‖ sig)>\n
 *
 * The same bytes Go's sumdb/note, Trillian's and Tessera's clients and witnesses read, so the log
 * can be audited with tools we did not write.
 */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
  readonly extensions: readonly string[];
}

export interface CheckpointInput {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly extensions?: readonly string[];
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly signature: Buffer;
}

/** Structure only: nothing in it is trustworthy until verifyCheckpoint has checked a signature. */
export interface ParsedCheckpoint extends Checkpoint {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export interface VerifiedCheckpoint extends Checkpoint {
  /** Names of the trusted keys whose signatures verified. */
  readonly verifiedBy: readonly string[];
}

// signed-note asks verifiers to cap signatures and to accept at least 16.
const MAX_SIGNATURES = 100;
const SIGNATURE_PREFIX = '\u2014 ';
// eslint-disable-next-line no-control-regex -- signed-note forbids exactly these control characters
const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

function fail(code: ExchangeLogErrorCode, message: string): never {
  throw new ExchangeLogError(code, message);
}
function malformed(message: string): never {
  return fail('EXCHANGE_LOG.CHECKPOINT_MALFORMED', message);
}

function checkLine(line: string, what: string): void {
  if (line.length === 0 || line.includes('\n') || FORBIDDEN_CONTROL.test(line) || LONE_SURROGATE.test(line)) {
    malformed(`${what} must be one non-empty line of text without control characters`);
  }
}

export function formatCheckpointText(checkpoint: CheckpointInput): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  checkLine(origin, 'origin');
  if (!Number.isSafeInteger(size) || size < 0) malformed('tree size must be a non-negative safe integer');
  if (rootHash.length !== HASH_SIZE) malformed(`root hash must have ${HASH_SIZE} bytes`);
  extensions.forEach((line, i) => checkLine(line, `extension line ${i + 1}`));
  const lines = [origin, String(size), Buffer.from(rootHash).toString('base64'), ...extensions];
  return `${lines.join('\n')}\n`;
}

export function signCheckpoint(
  checkpoint: CheckpointInput,
  signers: NoteSigner | readonly NoteSigner[],
): string {
  const list: readonly NoteSigner[] = Array.isArray(signers) ? signers : [signers as NoteSigner];
  if (list.length === 0) malformed('a checkpoint needs at least one signer');
  const text = formatCheckpointText(checkpoint);
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

function decodeNote(note: string | Uint8Array): string {
  if (typeof note === 'string') return note;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
  } catch {
    return malformed('checkpoint is not valid UTF-8');
  }
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) malformed('signature lines must start with an em dash and a space');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space <= 0) malformed('signature line must be "— <key name> <base64 signature>"');
  const name = rest.slice(0, space);
  try {
    checkKeyName(name);
  } catch {
    malformed(`signature key name ${JSON.stringify(name)} is not a valid key name`);
  }
  const blob = decodeBase64Strict(rest.slice(space + 1));
  if (blob === undefined || blob.length < 5)
    malformed(`signature by ${name} is not base64 of a key id and a signature`);
  return { name, keyId: blob.readUInt32BE(0), signature: blob.subarray(4) };
}

/** Splits and checks a checkpoint note. Does NOT verify signatures: use verifyCheckpoint for that. */
export function parseCheckpoint(note: string | Uint8Array): ParsedCheckpoint {
  const all = decodeNote(note);
  if (FORBIDDEN_CONTROL.test(all)) malformed('checkpoint contains control characters other than newline');
  if (LONE_SURROGATE.test(all)) malformed('checkpoint is not valid Unicode');
  // signed-note: the text is separated from the signatures by the last empty line.
  const split = all.lastIndexOf('\n\n');
  if (split < 0) malformed('checkpoint has no blank line before its signatures');
  const text = all.slice(0, split + 1);
  const signatureBlock = all.slice(split + 2);
  if (signatureBlock.length === 0 || !signatureBlock.endsWith('\n')) {
    malformed('checkpoint must end with at least one signature line and a newline');
  }
  const signatureLines = signatureBlock.slice(0, -1).split('\n');
  if (signatureLines.length > MAX_SIGNATURES)
    malformed(`checkpoint carries more than ${MAX_SIGNATURES} signatures`);
  const signatures = signatureLines.map(parseSignatureLine);

  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) malformed('checkpoint text needs origin, tree size and root hash lines');
  if (lines.some((line) => line.length === 0)) malformed('checkpoint text lines must not be empty');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!DECIMAL.test(sizeText))
    malformed(`tree size ${JSON.stringify(sizeText)} is not a decimal without leading zeros`);
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) malformed(`tree size ${sizeText} is beyond 2^53`);
  const rootHash = decodeBase64Strict(rootText);
  if (rootHash?.length !== HASH_SIZE) malformed(`root hash is not base64 of ${HASH_SIZE} bytes`);
  return { origin, size, rootHash: rootHash, extensions, text, signatures };
}

/**
 * Accepts the note only if a trusted key signed it. Per signed-note, signatures from unknown keys
 * are ignored, and a signature from a trusted key that fails to verify rejects the whole note.
 */
export function verifyCheckpoint(
  note: string | Uint8Array,
  trusted: NoteVerifier | string | readonly (NoteVerifier | string)[],
  options: { readonly origin?: string } = {},
): VerifiedCheckpoint {
  const verifiers = (Array.isArray(trusted) ? trusted : [trusted]).map((v: NoteVerifier | string) =>
    typeof v === 'string' ? parseVerifierKey(v) : v,
  );
  const parsed = parseCheckpoint(note);
  const message = Buffer.from(parsed.text, 'utf8');
  const verifiedBy: string[] = [];
  for (const signature of parsed.signatures) {
    for (const verifier of verifiers) {
      if (verifier.name !== signature.name || verifier.keyId !== signature.keyId) continue;
      if (!verifier.verify(message, signature.signature)) {
        fail('EXCHANGE_LOG.CHECKPOINT_BAD_SIGNATURE', `the signature by ${signature.name} does not verify`);
      }
      verifiedBy.push(signature.name);
    }
  }
  if (verifiedBy.length === 0) {
    const by = parsed.signatures.map((s) => s.name).join(', ');
    fail(
      'EXCHANGE_LOG.CHECKPOINT_UNTRUSTED',
      `checkpoint carries no signature from a trusted key (signed by: ${by})`,
    );
  }
  if (options.origin !== undefined && parsed.origin !== options.origin) {
    fail(
      'EXCHANGE_LOG.CHECKPOINT_WRONG_ORIGIN',
      `checkpoint origin ${parsed.origin} is not ${options.origin}`,
    );
  }
  const { origin, size, rootHash, extensions } = parsed;
  return { origin, size, rootHash, extensions, verifiedBy };
}
