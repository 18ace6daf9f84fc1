import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { claimsSchema, type Claims } from './claims';

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** HS256 shared secret, or a key set resolver for RS256/ES256 (JWKS). */
  key: { secret: string } | { keySet: JWTVerifyGetKey };
  clockToleranceSeconds?: number;
}

export class InvalidTokenError extends Error {
  readonly code = 'AUTH.INVALID_TOKEN';
}

/** Verifies signature, algorithm, expiry, issuer and audience, then the IXR claims. */
export class TokenVerifier {
  private readonly secret?: Uint8Array;

  constructor(private readonly options: TokenVerifierOptions) {
    if ('secret' in options.key) this.secret = new TextEncoder().encode(options.key.secret);
  }

  async verify(token: string): Promise<Claims> {
    const common = {
      issuer: this.options.issuer,
      audience: this.options.audience,
      clockTolerance: this.options.clockToleranceSeconds ?? 30,
      requiredClaims: ['exp', 'sub'],
    };
    let payload: unknown;
    try {
      if (this.secret) {
        ({ payload } = await jwtVerify(token, this.secret, { ...common, algorithms: ['HS256'] }));
      } else if ('keySet' in this.options.key) {
        ({ payload } = await jwtVerify(token, this.options.key.keySet, {
          ...common,
          algorithms: ['RS256', 'ES256'],
        }));
      }
    } catch (error) {
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

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `token claim ${error.claim} is not accepted`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm is not accepted';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'token is malformed';
  return 'token is invalid';
}
