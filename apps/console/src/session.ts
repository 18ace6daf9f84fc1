/**
 * The signed-in person: a bearer token pasted on the sign-in page (development), kept in this
 * tab's sessionStorage only. With an identity provider, the OIDC authorization-code flow (PKCE)
 * would put its access token here instead (see the console's README); the API checks every call.
 */
export type Role = 'requester' | 'spoc_operator' | 'auditor' | 'adapter' | 'admin' | 'dpo';

export interface Claims {
  sub: string;
  unit: string;
  level?: string;
  roles: Role[];
  exp?: number;
}

const KEY = 'ixr.console.token';
const JUSTIFICATION_KEY = 'ixr.console.justification';
/** An auditor's every read carries a justification (SPEC §2); this one until the auditor says another. */
export const DEFAULT_AUDIT_JUSTIFICATION = 'Audit review in the operator console';
type Listener = () => void;
const listeners = new Set<Listener>();

/** Reads a JWT's claims (not its signature: the API verifies that on every call). */
export function readClaims(token: string): Claims {
  const parts = token.trim().split('.');
  if (parts.length !== 3) throw new Error('This is not a token: a token has three parts separated by dots.');
  let claims: Partial<Claims>;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    claims = JSON.parse(json) as Partial<Claims>;
  } catch {
    throw new Error('This token cannot be read: its middle part is not JSON.');
  }
  if (typeof claims.sub !== 'string' || typeof claims.unit !== 'string' || !Array.isArray(claims.roles)) {
    throw new Error('This token has no sub, unit or roles claim.');
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) {
    throw new Error('This token has expired: make a new one.');
  }
  return claims as Claims;
}

export const session = {
  token(): string | null {
    return sessionStorage.getItem(KEY);
  },
  claims(): Claims | null {
    const token = this.token();
    if (!token) return null;
    try {
      return readClaims(token);
    } catch {
      return null;
    }
  },
  /** Sent as `X-Justification` with an auditor's reads; logged with each. */
  justification(): string | null {
    const claims = this.claims();
    if (!claims?.roles.includes('auditor')) return null;
    return sessionStorage.getItem(JUSTIFICATION_KEY) ?? DEFAULT_AUDIT_JUSTIFICATION;
  },
  setJustification(text: string): void {
    sessionStorage.setItem(JUSTIFICATION_KEY, text.trim() || DEFAULT_AUDIT_JUSTIFICATION);
    listeners.forEach((l) => l());
  },
  signIn(token: string, justification?: string): Claims {
    const claims = readClaims(token);
    sessionStorage.setItem(KEY, token.trim());
    if (justification?.trim()) sessionStorage.setItem(JUSTIFICATION_KEY, justification.trim());
    else sessionStorage.removeItem(JUSTIFICATION_KEY);
    listeners.forEach((l) => l());
    return claims;
  },
  signOut(): void {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(JUSTIFICATION_KEY);
    listeners.forEach((l) => l());
  },
  /** The API said 401: the token is no longer good. */
  expired(): void {
    this.signOut();
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function hasRole(claims: Claims | null, ...roles: Role[]): boolean {
  return !!claims && roles.some((r) => claims.roles.includes(r));
}
