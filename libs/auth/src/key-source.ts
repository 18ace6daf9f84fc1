import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet } from 'jose';
import { TokenVerifier, type AsymmetricAlgorithm, type JwtAlgorithm } from './token-verifier';

/** Where the verification keys come from, as the app's configuration states it. */
export interface TokenKeyConfig {
  issuer: string;
  audience: string;
  /** `['HS256']` (local default) or any of RS256/ES256; never both kinds at once. */
  algorithms: readonly JwtAlgorithm[];
  /** HS256 shared secret. */
  secret?: string;
  /** A JSON Web Key Set file (public keys only), read once at boot. */
  jwksFile?: string;
  /** A JWKS endpoint of the identity provider; keys are cached and re-fetched on an unknown `kid`. */
  jwksUrl?: string;
  clockToleranceSeconds?: number;
  /** Bound on one JWKS fetch (ms). */
  jwksTimeoutMs?: number;
}

export class TokenKeyConfigError extends Error {
  readonly code = 'AUTH.KEY_CONFIG_INVALID';
}

/**
 * Builds the verifier the configuration asks for. HS256 takes the secret; RS256/ES256 take a JWKS
 * file or URL (exactly one). A JWKS file must hold public keys only: a private key in it means the
 * wrong file was deployed, and the boot stops.
 */
export function createTokenVerifier(config: TokenKeyConfig): TokenVerifier {
  const common = {
    issuer: config.issuer,
    audience: config.audience,
    clockToleranceSeconds: config.clockToleranceSeconds,
  };
  const symmetric = config.algorithms.includes('HS256');
  if (config.algorithms.length === 0) throw new TokenKeyConfigError('no JWT algorithm configured');
  if (symmetric) {
    if (config.algorithms.length > 1) {
      throw new TokenKeyConfigError('HS256 cannot be combined with RS256/ES256');
    }
    if (!config.secret) throw new TokenKeyConfigError('HS256 needs a secret');
    return new TokenVerifier({ ...common, key: { secret: config.secret } });
  }
  const algorithms = config.algorithms as readonly AsymmetricAlgorithm[];
  if (Boolean(config.jwksFile) === Boolean(config.jwksUrl)) {
    throw new TokenKeyConfigError(`${algorithms.join(', ')} needs exactly one of a JWKS file or a JWKS URL`);
  }
  if (config.jwksFile) {
    const keySet = readKeySetFile(config.jwksFile);
    return new TokenVerifier({ ...common, key: { keySet: createLocalJWKSet(keySet), algorithms } });
  }
  const url = new URL(config.jwksUrl!);
  if (url.protocol !== 'https:' && !isLoopback(url.hostname)) {
    throw new TokenKeyConfigError('a JWKS URL must use https (http only on the loopback interface)');
  }
  const keySet = createRemoteJWKSet(url, {
    timeoutDuration: config.jwksTimeoutMs ?? 5000,
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
  });
  return new TokenVerifier({ ...common, key: { keySet, algorithms } });
}

function readKeySetFile(file: string): JSONWebKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TokenKeyConfigError(`cannot read the JWKS file ${file}: ${(error as Error).message}`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new TokenKeyConfigError(`the JWKS file ${file} has no "keys" array`);
  }
  for (const key of keys as Record<string, unknown>[]) {
    if (typeof key !== 'object' || key === null || 'd' in key || 'k' in key) {
      throw new TokenKeyConfigError(`the JWKS file ${file} must hold public keys only`);
    }
  }
  return parsed as JSONWebKeySet;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}
