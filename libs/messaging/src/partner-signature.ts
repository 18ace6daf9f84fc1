import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signatures of the messages foreign partners send us (issue: partner identity). Each partner —
 * a channel and a partner id (a country, a PCCC, a liaison post, EUROPOL) — has its own
 * HMAC-SHA256 key. The signed text binds the partner, the
 * time and the exact body bytes, so a message cannot be moved to another partner, re-timed or
 * altered; replays of a whole message are caught by the receiver's record of message ids.
 */
export const SIGNATURE_HEADER = 'x-ixr-signature';
export const TIMESTAMP_HEADER = 'x-ixr-timestamp';
const VERSION = 'v1';
/** The seed of development and test partners' keys (like the development JWT secret). */
export const DEV_PARTNER_KEY_SEED = 'ixr-development-partner-key-seed';

export interface PartnerId {
  channel: string;
  /** A country code, or a directory id: PCCC-HEERLEN, LO-WASHINGTON, EUROPOL. */
  id: string;
}

export function partnerName(partner: PartnerId): string {
  return `${partner.channel}/${partner.id}`;
}

/**
 * A partner's key derived from one seed (development and tests: partners and IXR share the seed).
 * Production configures each partner's key explicitly instead.
 */
export function derivePartnerKey(seed: string, partner: PartnerId): string {
  return createHmac('sha256', seed)
    .update(`ixr-partner-key:${partnerName(partner)}`)
    .digest('base64url');
}

function mac(key: string, partner: PartnerId, timestamp: string, body: Buffer | string): Buffer {
  return createHmac('sha256', key)
    .update(`${VERSION}\n${partnerName(partner)}\n${timestamp}\n`)
    .update(body)
    .digest();
}

/** The header value for a body sent by `partner` at `timestamp` (Unix seconds, as text). */
export function signPartnerMessage(
  key: string,
  partner: PartnerId,
  timestamp: string,
  body: Buffer | string,
): string {
  return `${VERSION}=${mac(key, partner, timestamp, body).toString('hex')}`;
}

export type SignatureProblem = 'missing' | 'malformed' | 'stale' | 'mismatch';

/**
 * The headers' form alone (no key, no body): what the inbound endpoint checks before it reads a
 * body, so that an unsigned caller cannot make it buffer megabytes.
 */
export function partnerSignatureForm(
  signature: string | undefined,
  timestamp: string | undefined,
): { ok: true } | { ok: false; problem: 'missing' | 'malformed' } {
  if (!signature || !timestamp) return { ok: false, problem: 'missing' };
  if (!/^v1=[0-9a-f]{64}$/.test(signature) || !/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, problem: 'malformed' };
  }
  return { ok: true };
}

/**
 * Checks a signature in constant time. `maxSkewSeconds` bounds how old (or how far in the future)
 * the timestamp may be, which also bounds how long message ids must be remembered.
 */
export function verifyPartnerSignature(input: {
  key: string;
  partner: PartnerId;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  nowSeconds: number;
  maxSkewSeconds: number;
}): { ok: true } | { ok: false; problem: SignatureProblem } {
  const form = partnerSignatureForm(input.signature, input.timestamp);
  if (!form.ok) return form;
  const match = /^v1=([0-9a-f]{64})$/.exec(input.signature!);
  if (!match?.[1]) return { ok: false, problem: 'malformed' };
  const timestamp = input.timestamp!;
  if (Math.abs(input.nowSeconds - Number(timestamp)) > input.maxSkewSeconds) {
    return { ok: false, problem: 'stale' };
  }
  const expected = mac(input.key, input.partner, timestamp, input.body);
  const given = Buffer.from(match[1], 'hex');
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, problem: 'mismatch' };
}
