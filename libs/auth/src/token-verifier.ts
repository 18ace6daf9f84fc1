import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { claimsSchema, type Claims } from './claims';

export const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
export type AsymmetricAlgorithm = Exclude<JwtAlgorithm, 'HS256'>;

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /**
   * HS256 with a shared secret (local development), or RS256/ES256 with a key set (JWKS file or
   * URL). One verifier never mixes the two: a public key can then never be used as an HMAC secret
   * (the classic algorithm-confusion attack).
   */
  key: { secret: string } | { keySet: JWTVerifyGetKey; algorithms: readonly AsymmetricAlgorithm[] };
  clockToleranceSeconds?: number;
}

export class InvalidTokenError extends Error {
  readonly code = 'AUTH.INVALID_TOKEN';
}

/** The key set (JWKS URL) could not be fetched: the token was neither accepted nor refused. */
export class KeySetUnavailableError extends Error {
  readonly code = 'AUTH.KEYS_UNAVAILABLE';
}

/** Longer than any token IXR issues; refused before any parsing. */
const MAX_TOKEN_LENGTH = 8192;

/** Verifies signature, algorithm, expiry, issuer and audience, then the IXR claims. */
export class TokenVerifier {
  private readonly secret?: Uint8Array;

  constructor(private readonly options: TokenVerifierOptions) {
    if ('secret' in options.key) this.secret = new TextEncoder().encode(options.key.secret);
    else if (options.key.algorithms.length === 0) throw new Error('TokenVerifier: no algorithm accepted');
  }

  /** The algorithms this verifier accepts (for the API documents and the boot log). */
  get algorithms(): readonly JwtAlgorithm[] {
    return 'secret' in this.options.key ? ['HS256'] : this.options.key.algorithms;
  }

  async verify(token: string): Promise<Claims> {
    if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError('token is too long');
    const common = {
      issuer: this.options.issuer,
      audience: this.options.audience,
      clockTolerance: this.options.clockToleranceSeconds ?? 30,
      requiredClaims: ['exp', 'sub', 'iss', 'aud'],
      algorithms: [...this.algorithms],
    };
    let payload: unknown;
    try {
      if (this.secret) {
        ({ payload } = await jwtVerify(token, this.secret, common));
      } else if ('keySet' in this.options.key) {
        ({ payload } = await jwtVerify(token, this.options.key.keySet, common));
      }
    } catch (error) {
      if (!this.secret && keySetUnavailable(error)) {
        throw new KeySetUnavailableError('the token signing keys cannot be fetched');
      }
      throw new InvalidTokenError(describe(error));
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      const issue = claims.error.issues[0];
      throw new InvalidTokenError(`token claim ${issue?.path.join('.')} ${issue?.message}`);
    }
    return claims.data;
  }
}

function keySetUnavailable(error: unknown): boolean {
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    !(error instanceof errors.JOSEError)
  );
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `token claim ${error.claim} is not accepted`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm is not accepted';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'token is signed with an unknown key';
  if (error instanceof errors.JOSENotSupported) return 'token algorithm is not supported';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'token is malformed';
  return 'token is invalid';
}
