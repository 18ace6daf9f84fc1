import { ExchangeLogError, type ExchangeLogErrorCode } from './exchange-log.error';
import { HASH_SIZE } from './merkle.hasher';
import {
  FORBIDDEN_CONTROL,
  LONE_SURROGATE,
  type NoteErrorCodes,
  type NoteSignature,
  parseNote,
  signNote,
  verifyNote,
} from './signed-note.codec';
import type { NoteSigner, NoteVerifier } from './signed-note.keys';
import { decodeBase64Strict } from './strict-base64.codec';

export type { NoteSignature } from './signed-note.codec';

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

/** Structure only: nothing in it is trustworthy until verifyCheckpoint has checked a signature. */
export interface ParsedCheckpoint extends Checkpoint {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export interface VerifiedCheckpoint extends Checkpoint {
  /** Names of the trusted keys whose signatures verified. */
  readonly verifiedBy: readonly string[];
}

const CHECKPOINT_ERRORS: NoteErrorCodes = {
  malformed: 'EXCHANGE_LOG.CHECKPOINT_MALFORMED',
  untrusted: 'EXCHANGE_LOG.CHECKPOINT_UNTRUSTED',
  badSignature: 'EXCHANGE_LOG.CHECKPOINT_BAD_SIGNATURE',
};
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
  return signNote(formatCheckpointText(checkpoint), signers, CHECKPOINT_ERRORS);
}

function parseCheckpointText(text: string): Checkpoint {
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
  return { origin, size, rootHash: rootHash, extensions };
}

/** Splits and checks a checkpoint note. Does NOT verify signatures: use verifyCheckpoint for that. */
export function parseCheckpoint(note: string | Uint8Array): ParsedCheckpoint {
  const { text, signatures } = parseNote(note, CHECKPOINT_ERRORS);
  return { ...parseCheckpointText(text), text, signatures };
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
  // Structure first, so a malformed checkpoint is reported as such whoever signed it.
  const { origin, size, rootHash, extensions } = parseCheckpoint(note);
  const { verifiedBy } = verifyNote(note, trusted, CHECKPOINT_ERRORS);
  if (options.origin !== undefined && origin !== options.origin) {
    fail('EXCHANGE_LOG.CHECKPOINT_WRONG_ORIGIN', `checkpoint origin ${origin} is not ${options.origin}`);
  }
  return { origin, size, rootHash, extensions, verifiedBy };
}
