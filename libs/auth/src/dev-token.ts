import { SignJWT } from 'jose';
import { DEV_AUDIENCE, DEV_ISSUER, type Claims } from './claims';

/** Mints an HS256 token for local development and tests. */
export async function signDevToken(
  claims: Claims,
  options: { secret: string; expiresIn?: string; issuer?: string; audience?: string; now?: Date },
): Promise<string> {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ unit: claims.unit, level: claims.level, roles: claims.roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(options.secret));
}
