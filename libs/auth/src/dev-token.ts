import { SignJWT, type KeyLike } from 'jose';
import { DEV_AUDIENCE, DEV_ISSUER, type Claims } from './claims';
import type { AsymmetricAlgorithm } from './token-verifier';

interface SignOptions {
  /** A duration such as "12h", or an absolute expiry in epoch seconds. */
  expiresIn?: string | number;
  issuer?: string;
  audience?: string;
  now?: Date;
}

/** Mints an HS256 token for local development and tests. */
export async function signDevToken(
  claims: Claims,
  options: SignOptions & { secret: string },
): Promise<string> {
  return build(claims, options)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(options.secret));
}

/**
 * Mints an RS256/ES256 token with a private key, as an identity provider would; for tests and
 * for trying a JWKS configuration locally.
 */
export async function signTokenWithKey(
  claims: Claims,
  options: SignOptions & { privateKey: KeyLike; alg: AsymmetricAlgorithm; kid?: string },
): Promise<string> {
  return build(claims, options)
    .setProtectedHeader({ alg: options.alg, typ: 'JWT', ...(options.kid ? { kid: options.kid } : {}) })
    .sign(options.privateKey);
}

function build(claims: Claims, options: SignOptions): SignJWT {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ unit: claims.unit, level: claims.level, roles: claims.roles })
    .setSubject(claims.sub)
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(options.expiresIn ?? '12h');
}
