import * as crypto from 'node:crypto';
import { ExchangeLogError } from './exchange-log.error';
import { sha256 } from './merkle.hasher';
import { decodeBase64Strict } from './strict-base64.codec';

/**
 * Ed25519 keys for C2SP signed notes (c2sp.org/signed-note), in the text encodings of
 * golang.org/x/mod/sumdb/note that Go tooling, witnesses and monitors already read:
 *   verifier key  <name>+<8 hex key id>+<base64(0x01 ‖ 32-byte public key)>
 *   signer key    PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 ‖ 32-byte seed)>
 */
export const ED25519_SIGNATURE_TYPE = 0x01;

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(message: Uint8Array): Buffer;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export interface SigningKeyPair {
  /** Secret: `PRIVATE+KEY+...`, for the log's signer configuration only. */
  readonly signerKey: string;
  /** Public: publish it so anyone can verify checkpoints. */
  readonly verifierKey: string;
}

// DER wrappers around raw Ed25519 keys (RFC 8410), so raw bytes from config become KeyObjects.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const RAW_KEY_SIZE = 32;
const SIGNATURE_SIZE = 64;

function keyError(message: string): ExchangeLogError {
  return new ExchangeLogError('EXCHANGE_LOG.KEY_MALFORMED', message);
}

/** Signed-note key names: non-empty, no Unicode space, no '+', no control characters. */
export function checkKeyName(name: string): void {
  if (typeof name !== 'string' || !/^[^\s+\u0085\p{Cc}]+$/u.test(name)) {
    throw keyError(
      `key name ${JSON.stringify(name)} must be non-empty without spaces, '+' or control characters`,
    );
  }
}

function privateKeyObject(key: crypto.KeyObject | Uint8Array): crypto.KeyObject {
  if (key instanceof Uint8Array) {
    if (key.length !== RAW_KEY_SIZE) throw keyError(`an Ed25519 private key seed has ${RAW_KEY_SIZE} bytes`);
    return crypto.createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, key]), format: 'der', type: 'pkcs8' });
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519')
    throw keyError('expected an Ed25519 private key');
  return key;
}

function publicKeyObject(key: crypto.KeyObject | Uint8Array): crypto.KeyObject {
  if (key instanceof Uint8Array) {
    if (key.length !== RAW_KEY_SIZE) throw keyError(`an Ed25519 public key has ${RAW_KEY_SIZE} bytes`);
    return crypto.createPublicKey({ key: Buffer.concat([SPKI_PREFIX, key]), format: 'der', type: 'spki' });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw keyError('expected an Ed25519 key');
  return key.type === 'private' ? crypto.createPublicKey(key) : key;
}

const rawPublicKey = (key: crypto.KeyObject): Buffer =>
  key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
const rawSeed = (key: crypto.KeyObject): Buffer =>
  key.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);

/** key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], big-endian. */
export function noteKeyId(name: string, publicKey: Uint8Array): number {
  checkKeyName(name);
  const input = Buffer.concat([
    Buffer.from(`${name}\n`, 'utf8'),
    Buffer.from([ED25519_SIGNATURE_TYPE]),
    publicKey,
  ]);
  return sha256(input).readUInt32BE(0);
}

const hex8 = (keyId: number): string => keyId.toString(16).padStart(8, '0');

export function ed25519Signer(name: string, privateKey: crypto.KeyObject | Uint8Array): NoteSigner {
  const key = privateKeyObject(privateKey);
  const keyId = noteKeyId(name, rawPublicKey(crypto.createPublicKey(key)));
  return { name, keyId, sign: (message) => crypto.sign(null, message, key) };
}

export function ed25519Verifier(name: string, publicKey: crypto.KeyObject | Uint8Array): NoteVerifier {
  const key = publicKeyObject(publicKey);
  const keyId = noteKeyId(name, rawPublicKey(key));
  return {
    name,
    keyId,
    verify: (message, signature) =>
      signature.length === SIGNATURE_SIZE && crypto.verify(null, message, key, signature),
  };
}

export function encodeVerifierKey(name: string, publicKey: crypto.KeyObject | Uint8Array): string {
  const raw = rawPublicKey(publicKeyObject(publicKey));
  const material = Buffer.concat([Buffer.from([ED25519_SIGNATURE_TYPE]), raw]).toString('base64');
  return `${name}+${hex8(noteKeyId(name, raw))}+${material}`;
}

export function encodeSignerKey(name: string, privateKey: crypto.KeyObject | Uint8Array): string {
  const key = privateKeyObject(privateKey);
  const keyId = noteKeyId(name, rawPublicKey(crypto.createPublicKey(key)));
  const material = Buffer.concat([Buffer.from([ED25519_SIGNATURE_TYPE]), rawSeed(key)]).toString('base64');
  return `PRIVATE+KEY+${name}+${hex8(keyId)}+${material}`;
}

/** Splits `<name>+<hex id>+<base64 key>`; the base64 part may itself contain '+'. */
function splitKey(text: string, what: string): { name: string; keyId: number; raw: Buffer } {
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw keyError(`${what} must look like <name>+<key id>+<key>`);
  const name = text.slice(0, first);
  const id = text.slice(first + 1, second);
  checkKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(id)) throw keyError(`${what} key id must be 8 lowercase hex digits`);
  const material = decodeBase64Strict(text.slice(second + 1));
  if (material?.length !== 1 + RAW_KEY_SIZE || material[0] !== ED25519_SIGNATURE_TYPE) {
    throw keyError(`${what} must carry a 0x01-tagged ${RAW_KEY_SIZE}-byte Ed25519 key in base64`);
  }
  return { name, keyId: Number.parseInt(id, 16), raw: material.subarray(1) };
}

export function parseVerifierKey(vkey: string): NoteVerifier {
  const { name, keyId, raw } = splitKey(vkey, 'verifier key');
  const verifier = ed25519Verifier(name, raw);
  if (verifier.keyId !== keyId) throw keyError('verifier key id does not match its name and public key');
  return verifier;
}

export function parseSignerKey(skey: string): NoteSigner {
  const PREFIX = 'PRIVATE+KEY+';
  if (!skey.startsWith(PREFIX)) throw keyError('signer key must start with PRIVATE+KEY+');
  const { name, keyId, raw } = splitKey(skey.slice(PREFIX.length), 'signer key');
  const signer = ed25519Signer(name, raw);
  if (signer.keyId !== keyId) throw keyError('signer key id does not match its name and key');
  return signer;
}

/** The public `vkey` matching a `PRIVATE+KEY+...` signer key (to publish beside the log). */
export function verifierKeyOf(skey: string): string {
  const signer = parseSignerKey(skey);
  const { raw } = splitKey(skey.slice('PRIVATE+KEY+'.length), 'signer key');
  return encodeVerifierKey(signer.name, privateKeyObject(raw));
}

/** Deterministic: the caller supplies the 32 random bytes (from its own id/randomness source). */
export function signingKeyFromSeed(name: string, seed: Uint8Array): SigningKeyPair {
  const key = privateKeyObject(seed);
  return { signerKey: encodeSignerKey(name, key), verifierKey: encodeVerifierKey(name, key) };
}

/** The one place this library draws randomness: a fresh key pair from node:crypto. */
export function generateSigningKey(name: string): SigningKeyPair {
  return signingKeyFromSeed(name, crypto.randomBytes(RAW_KEY_SIZE));
}
