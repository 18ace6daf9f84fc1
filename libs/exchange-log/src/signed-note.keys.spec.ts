import * as crypto from 'node:crypto';
import { ExchangeLogError } from './exchange-log.error';
import {
  ed25519Signer,
  ed25519Verifier,
  encodeSignerKey,
  encodeVerifierKey,
  generateSigningKey,
  noteKeyId,
  parseSignerKey,
  parseVerifierKey,
  signingKeyFromSeed,
} from './signed-note.keys';

// The published example of golang.org/x/mod/sumdb/note (note_test.go), reused by every
// signed-note implementation as its interoperability check.
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_SIGNATURE =
  'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=';

describe('signed-note Ed25519 keys', () => {
  it('reads the Go reference keys and reproduces its signature byte for byte', () => {
    const signer = parseSignerKey(GO_SKEY);
    const verifier = parseVerifierKey(GO_VKEY);
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(verifier).toMatchObject({ name: 'PeterNeumann', keyId: 0xc74f20a3 });
    const keyId = Buffer.alloc(4);
    keyId.writeUInt32BE(signer.keyId);
    const signature = signer.sign(Buffer.from(GO_TEXT));
    expect(Buffer.concat([keyId, signature]).toString('base64')).toBe(GO_SIGNATURE);
    expect(verifier.verify(Buffer.from(GO_TEXT), signature)).toBe(true);
    expect(verifier.verify(Buffer.from(GO_TEXT.replace('cryptography', 'cryptographY')), signature)).toBe(
      false,
    );
  });

  it('encodes keys the way Go does', () => {
    const seed = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
    expect(signingKeyFromSeed('PeterNeumann', seed)).toEqual({ signerKey: GO_SKEY, verifierKey: GO_VKEY });
    const privateKey = crypto.createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    expect(encodeSignerKey('PeterNeumann', privateKey)).toBe(GO_SKEY);
    expect(encodeVerifierKey('PeterNeumann', crypto.createPublicKey(privateKey))).toBe(GO_VKEY);
    const raw = Buffer.from(GO_VKEY.split('+')[2], 'base64').subarray(1);
    expect(noteKeyId('PeterNeumann', raw)).toBe(0xc74f20a3);
  });

  it('rejects every truncation and every single-character change of a verifier key (as Go does)', () => {
    let rejected = 0;
    for (let i = 0; i <= GO_VKEY.length; i++) {
      for (let j = i + 1; j <= GO_VKEY.length; j++) {
        if (i === 0 && j === GO_VKEY.length) continue;
        expect(() => parseVerifierKey(GO_VKEY.slice(i, j))).toThrow(ExchangeLogError);
        rejected++;
      }
    }
    for (let i = 0; i < GO_VKEY.length; i++) {
      const mangled =
        GO_VKEY.slice(0, i) + String.fromCharCode(GO_VKEY.charCodeAt(i) + 1) + GO_VKEY.slice(i + 1);
      expect(() => parseVerifierKey(mangled)).toThrow(ExchangeLogError);
      rejected++;
    }
    expect(rejected).toBeGreaterThan(2000);
  });

  it('rejects malformed signer keys and key names', () => {
    expect(() => parseSignerKey(GO_VKEY)).toThrow(/PRIVATE\+KEY/);
    expect(() => parseSignerKey(GO_SKEY.replace('c74f20a3', 'c74f20a4'))).toThrow(/does not match/);
    expect(() => parseSignerKey(GO_SKEY.replace('PeterNeumann', 'PeterNeumanm'))).toThrow(/does not match/);
    for (const name of ['', 'a b', 'a+b', 'a\u00a0b', 'a\u0085b', 'a\nb', 'a\tb']) {
      expect(() => generateSigningKey(name)).toThrow(/key name/);
    }
  });

  it('generates working key pairs and accepts KeyObjects or raw bytes', () => {
    const pair = generateSigningKey('ixr.example/exchange-log');
    const signer = parseSignerKey(pair.signerKey);
    const verifier = parseVerifierKey(pair.verifierKey);
    const message = Buffer.from('hello\n');
    expect(verifier.verify(message, signer.sign(message))).toBe(true);
    expect(generateSigningKey('ixr.example/exchange-log').verifierKey).not.toBe(pair.verifierKey);

    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const fromObjects = ed25519Verifier('k', publicKey);
    const rawPublic = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    expect(ed25519Verifier('k', rawPublic).keyId).toBe(fromObjects.keyId);
    expect(ed25519Signer('k', privateKey).keyId).toBe(fromObjects.keyId);
    expect(ed25519Verifier('k', privateKey).keyId).toBe(fromObjects.keyId);
    expect(fromObjects.verify(message, ed25519Signer('k', privateKey).sign(message))).toBe(true);
    expect(fromObjects.verify(message, Buffer.alloc(63))).toBe(false);
    expect(() => ed25519Signer('k', Buffer.alloc(31))).toThrow(/32 bytes/);
    expect(() => ed25519Signer('k', publicKey)).toThrow(/private key/);
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => ed25519Verifier('k', ec.publicKey)).toThrow(/Ed25519/);
  });
});
