import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64url, exportJWK, generateKeyPair, type JWK, type KeyLike } from 'jose';
import { DEV_SECRET, type Claims } from './claims';
import { signDevToken, signTokenWithKey } from './dev-token';
import { createTokenVerifier, TokenKeyConfigError } from './key-source';
import { InvalidTokenError, KeySetUnavailableError, type TokenVerifier } from './token-verifier';

const claims: Claims = { sub: 'officer-1', unit: 'PZ-5339', level: 'local', roles: ['requester'] };
const base = { issuer: 'ixr-dev', audience: 'ixr' };

function unsigned(header: object, payload: object): string {
  const part = (o: object) => base64url.encode(JSON.stringify(o));
  return `${part(header)}.${part(payload)}.`;
}

async function refusal(verifier: TokenVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(token);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return (error as Error).message;
  }
  throw new Error('the token was accepted');
}

describe('TokenVerifier with HS256 (local default)', () => {
  const verifier = createTokenVerifier({ ...base, algorithms: ['HS256'], secret: DEV_SECRET });
  const now = Math.floor(Date.now() / 1000);

  it('accepts a valid token and returns its claims', async () => {
    await expect(verifier.verify(await signDevToken(claims, { secret: DEV_SECRET }))).resolves.toEqual(
      claims,
    );
  });

  it.each([
    ['expired', { expiresIn: now - 3600 }, 'token has expired'],
    ['of another issuer', { issuer: 'evil' }, 'token claim iss is not accepted'],
    ['for another audience', { audience: 'other' }, 'token claim aud is not accepted'],
  ])('refuses a token %s, naming why', async (_what, options, message) => {
    const token = await signDevToken(claims, { secret: DEV_SECRET, ...options });
    expect(await refusal(verifier, token)).toBe(message);
  });

  it('refuses a token signed with another secret, and a tampered one', async () => {
    const other = await signDevToken(claims, { secret: 'x'.repeat(40) });
    expect(await refusal(verifier, other)).toBe('token signature is invalid');
    const good = await signDevToken(claims, { secret: DEV_SECRET });
    const [h, , s] = good.split('.');
    const forged = `${h}.${base64url.encode(JSON.stringify({ ...claims, roles: ['spoc_operator'], iss: 'ixr-dev', aud: 'ixr', exp: now + 60 }))}.${s}`;
    expect(await refusal(verifier, forged)).toBe('token signature is invalid');
  });

  it('refuses alg "none" and an unsigned token', async () => {
    const payload = { ...claims, iss: 'ixr-dev', aud: 'ixr', exp: now + 600 };
    expect(await refusal(verifier, unsigned({ alg: 'none', typ: 'JWT' }, payload))).toMatch(
      /algorithm is not (accepted|supported)|malformed/,
    );
    expect(await refusal(verifier, unsigned({ alg: 'HS256' }, payload))).toMatch(
      /signature is invalid|malformed/,
    );
  });

  it('refuses garbage, an oversized token and bad claims', async () => {
    expect(await refusal(verifier, 'not.a.token')).toBe('token is malformed');
    expect(await refusal(verifier, 'a'.repeat(9000))).toBe('token is too long');
    const badUnit = await signDevToken({ ...claims, unit: 'pz lower' }, { secret: DEV_SECRET });
    expect(await refusal(verifier, badUnit)).toMatch(/^token claim unit /);
  });

  it('refuses an RS256 token even when its key is known elsewhere (no algorithm mixing)', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await signTokenWithKey(claims, { privateKey, alg: 'RS256' });
    expect(await refusal(verifier, token)).toBe('token algorithm is not accepted');
  });
});

describe('TokenVerifier with RS256/ES256 keys from a JWKS', () => {
  let rsa: { privateKey: KeyLike; jwk: JWK };
  let ec: { privateKey: KeyLike; jwk: JWK };
  let file: string;

  beforeAll(async () => {
    const r = await generateKeyPair('RS256');
    const e = await generateKeyPair('ES256');
    rsa = {
      privateKey: r.privateKey,
      jwk: { ...(await exportJWK(r.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    };
    ec = {
      privateKey: e.privateKey,
      jwk: { ...(await exportJWK(e.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    };
    file = join(mkdtempSync(join(tmpdir(), 'ixr-jwks-')), 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [rsa.jwk, ec.jwk] }));
  });

  it('verifies RS256 and ES256 tokens with keys from a file', async () => {
    const verifier = createTokenVerifier({ ...base, algorithms: ['RS256', 'ES256'], jwksFile: file });
    const rs = await signTokenWithKey(claims, { privateKey: rsa.privateKey, alg: 'RS256', kid: 'rsa-1' });
    const es = await signTokenWithKey(claims, { privateKey: ec.privateKey, alg: 'ES256', kid: 'ec-1' });
    await expect(verifier.verify(rs)).resolves.toEqual(claims);
    await expect(verifier.verify(es)).resolves.toEqual(claims);
    expect(verifier.algorithms).toEqual(['RS256', 'ES256']);
  });

  it('accepts only the configured algorithm', async () => {
    const verifier = createTokenVerifier({ ...base, algorithms: ['ES256'], jwksFile: file });
    const rs = await signTokenWithKey(claims, { privateKey: rsa.privateKey, alg: 'RS256', kid: 'rsa-1' });
    expect(await refusal(verifier, rs)).toBe('token algorithm is not accepted');
  });

  it('refuses an HS256 token made with the public key as secret (algorithm confusion)', async () => {
    const verifier = createTokenVerifier({ ...base, algorithms: ['RS256'], jwksFile: file });
    const token = await signDevToken(claims, { secret: JSON.stringify(rsa.jwk) });
    expect(await refusal(verifier, token)).toBe('token algorithm is not accepted');
  });

  it('refuses a token signed by a key that is not in the set', async () => {
    const verifier = createTokenVerifier({ ...base, algorithms: ['RS256'], jwksFile: file });
    const { privateKey } = await generateKeyPair('RS256');
    const token = await signTokenWithKey(claims, { privateKey, alg: 'RS256', kid: 'rsa-1' });
    expect(await refusal(verifier, token)).toBe('token signature is invalid');
    const unknownKid = await signTokenWithKey(claims, { privateKey, alg: 'RS256', kid: 'nobody' });
    expect(await refusal(verifier, unknownKid)).toBe('token is signed with an unknown key');
  });

  describe('from a URL', () => {
    let server: Server;
    let url: string;
    let requests = 0;
    let up = true;

    beforeAll(async () => {
      server = createServer((req, res) => {
        requests++;
        if (!up) {
          req.socket.destroy();
          return;
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [rsa.jwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('fetches the keys once and verifies', async () => {
      const verifier = createTokenVerifier({ ...base, algorithms: ['RS256'], jwksUrl: url });
      const token = await signTokenWithKey(claims, {
        privateKey: rsa.privateKey,
        alg: 'RS256',
        kid: 'rsa-1',
      });
      await expect(verifier.verify(token)).resolves.toEqual(claims);
      await expect(verifier.verify(token)).resolves.toEqual(claims);
      expect(requests).toBe(1);
    });

    it('reports an unreachable key set as unavailable, not as a bad token', async () => {
      up = false;
      const verifier = createTokenVerifier({
        ...base,
        algorithms: ['RS256'],
        jwksUrl: url,
        jwksTimeoutMs: 500,
      });
      const token = await signTokenWithKey(claims, {
        privateKey: rsa.privateKey,
        alg: 'RS256',
        kid: 'rsa-1',
      });
      await expect(verifier.verify(token)).rejects.toBeInstanceOf(KeySetUnavailableError);
      up = true;
    });
  });

  it('refuses configurations that cannot be right', () => {
    const bad = (config: Partial<Parameters<typeof createTokenVerifier>[0]>) => () =>
      createTokenVerifier({ ...base, algorithms: ['RS256'], ...config });
    expect(bad({ algorithms: ['HS256', 'RS256'], secret: DEV_SECRET })).toThrow(/cannot be combined/);
    expect(bad({ algorithms: ['HS256'] })).toThrow(/needs a secret/);
    expect(bad({})).toThrow(/exactly one of a JWKS file or a JWKS URL/);
    expect(bad({ jwksFile: file, jwksUrl: 'https://idp.example/jwks' })).toThrow(TokenKeyConfigError);
    expect(bad({ jwksUrl: 'http://idp.example/jwks' })).toThrow(/https/);
    const privateFile = join(mkdtempSync(join(tmpdir(), 'ixr-jwks-')), 'private.json');
    writeFileSync(privateFile, JSON.stringify({ keys: [{ ...rsa.jwk, d: 'secret' }] }));
    expect(bad({ jwksFile: privateFile })).toThrow(/public keys only/);
    expect(bad({ jwksFile: '/nonexistent/jwks.json' })).toThrow(/cannot read the JWKS file/);
  });
});
