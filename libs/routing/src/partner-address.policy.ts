import { BlockList, isIP } from 'node:net';

/**
 * Where personal data may be sent (issue 12): a partner endpoint must be https in production, and
 * must not be a loopback, link-local (the cloud metadata address 169.254.169.254 among them),
 * private, shared or otherwise non-public address unless its host is listed in
 * PARTNER_ALLOWED_HOSTS. Checked when the directory is saved (the URL as written) and again at
 * each call (the addresses its name resolves to), so a name that later points inside is caught.
 */
export interface PartnerAddressPolicy {
  readonly requireHttps: boolean;
  /** Host names or literal addresses exempt from the address rule (lower-case). */
  readonly allowedHosts: readonly string[];
}

const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fe80::', 10],
  ['fc00::', 7],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** Why an address (IPv4 or IPv6 literal) may not receive partner traffic, or undefined. */
export function nonPublicAddress(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  const version = isIP(bare);
  if (version === 0) return undefined;
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is the IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare)?.[1];
  if (mapped !== undefined) return nonPublicAddress(mapped);
  if (!NON_PUBLIC.check(bare, version === 4 ? 'ipv4' : 'ipv6')) return undefined;
  if (bare.startsWith('169.254.') || bare.startsWith('fe80:'))
    return `${bare} is link-local (cloud metadata lives there)`;
  if (bare.startsWith('127.') || bare === '::1') return `${bare} is loopback`;
  return `${bare} is not a public address`;
}

function isAllowed(host: string, policy: PartnerAddressPolicy): boolean {
  return policy.allowedHosts.includes(host.replace(/^\[|\]$/g, '').toLowerCase());
}

/** The URL as written (directory save, and before each call): scheme and literal host. */
export function partnerUrlProblem(url: string, policy: PartnerAddressPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not an absolute URL`;
  }
  const host = parsed.hostname.toLowerCase();
  if (policy.requireHttps && parsed.protocol !== 'https:' && !isAllowed(host, policy)) {
    return `"${url}" must use https (production mode)`;
  }
  if (isAllowed(host, policy)) return undefined;
  if (host === 'localhost' || host.endsWith('.localhost')) return `"${url}": ${host} is loopback`;
  const problem = nonPublicAddress(host);
  return problem === undefined
    ? undefined
    : `"${url}": ${problem}; list the host in PARTNER_ALLOWED_HOSTS if it is meant`;
}

/** At call time, after DNS: every address the host resolved to must be public (or the host allowed). */
export function resolvedAddressProblem(
  host: string,
  address: string,
  policy: PartnerAddressPolicy,
): string | undefined {
  if (isAllowed(host, policy)) return undefined;
  const problem = nonPublicAddress(address);
  return problem === undefined
    ? undefined
    : `${host} resolves to ${address}: ${problem}; list the host in PARTNER_ALLOWED_HOSTS if it is meant`;
}

/**
 * The policy from PARTNER_ALLOWED_HOSTS (comma-separated) and the mode. Outside production, the
 * local partner simulator's loopback hosts are allowed and cleartext is accepted.
 */
export function partnerAddressPolicy(
  allowedHosts: string | undefined,
  production: boolean,
): PartnerAddressPolicy {
  const listed = (allowedHosts ?? '')
    .split(',')
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ''),
    )
    .filter(Boolean);
  const development = production || allowedHosts !== undefined ? [] : ['127.0.0.1', 'localhost', '::1'];
  return { requireHttps: production, allowedHosts: [...listed, ...development] };
}
