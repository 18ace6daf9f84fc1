import { z } from 'zod';
import { FOREIGN_CHANNELS, type ForeignChannel } from '@ixr/domain';

/**
 * Where the channel adapters reach each foreign partner (issue #5: "partner endpoints are
 * configured per channel and destination in the directory"). Data like the rest of the directory:
 * an edit takes effect on the next delivery, without a restart.
 */
export interface PartnerEndpoint {
  channel: ForeignChannel;
  /** A destination as the routes name it (a country, a PCCC, a liaison post, EUROPOL), or `*`. */
  destination: string;
  /**
   * An absolute http(s) URL, or a path starting with `/` that the adapters resolve against their
   * `PARTNER_BASE_URL` (locally: the partner simulator). `{destination}` stands for the destination,
   * so one `*` entry serves every partner of a channel.
   */
  url: string;
  note?: string;
}

/** The one placeholder an endpoint URL may hold. */
export const DESTINATION_PLACEHOLDER = '{destination}';
const ANY_DESTINATION = '*';

export const partnerEndpointSchema = z
  .object({
    channel: z.enum(FOREIGN_CHANNELS, {
      error: `a channel that reaches foreign partners: ${FOREIGN_CHANNELS.join(', ')}`,
    }),
    destination: z
      .string()
      .regex(
        /^(\*|[A-Za-z0-9]+(-[A-Za-z0-9]+)*)$/,
        'a destination id (e.g. NL, PCCC-HEERLEN, EUROPOL) or "*"',
      ),
    url: z.string().min(1).max(500),
    note: z.string().optional(),
  })
  .strict();

/**
 * What is wrong with an endpoint URL, or undefined. Credentials, queries and fragments are refused:
 * secrets do not belong in the directory, and the adapters append the partner's paths
 * (`/messages`, `/messages/{key}`, `/health`) to the URL.
 */
export function endpointUrlProblem(url: string): string | undefined {
  const unknown = [...url.matchAll(/\{[^}]*\}?/g)]
    .map((m) => m[0])
    .find((p) => p !== DESTINATION_PLACEHOLDER);
  if (unknown !== undefined)
    return `unknown placeholder "${unknown}": only ${DESTINATION_PLACEHOLDER} is replaced`;
  const sample = url.replaceAll(DESTINATION_PLACEHOLDER, 'XX');
  let parsed: URL;
  if (sample.startsWith('/')) {
    if (sample.startsWith('//'))
      return `"${url}" is neither an http(s) URL nor a path starting with a single "/"`;
    try {
      parsed = new URL(sample, 'http://partner.invalid');
    } catch {
      return `"${url}" is not a valid path`;
    }
  } else {
    try {
      parsed = new URL(sample);
    } catch {
      return `"${url}" is neither an http(s) URL nor a path starting with "/"`;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      return `"${url}" must use http or https, not ${parsed.protocol.replace(/:$/, '')}`;
    if (parsed.username !== '' || parsed.password !== '')
      return `"${url}" must not carry credentials: partner keys are configured in the adapters`;
  }
  if (parsed.search !== '' || parsed.hash !== '' || /[?#]/.test(sample))
    return `"${url}" must not have a query or fragment: the adapters append the partner's paths to it`;
  return undefined;
}

/** Shape-and-meaning issues of the directory's endpoints, located by path (for the directory's schema). */
export function partnerEndpointIssues(
  endpoints: readonly PartnerEndpoint[],
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const seen = new Map<string, number>();
  endpoints.forEach((endpoint, i) => {
    const name = `${endpoint.channel}/${endpoint.destination}`;
    const problem = endpointUrlProblem(endpoint.url);
    if (problem !== undefined)
      issues.push({ path: ['partnerEndpoints', i, 'url'], message: `endpoint ${name}: ${problem}` });
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      issues.push({
        path: ['partnerEndpoints', i],
        message: `endpoint ${name} is listed twice (also partnerEndpoints[${earlier}])`,
      });
    }
    seen.set(name, i);
  });
  const missing = FOREIGN_CHANNELS.filter((c) => !endpoints.some((e) => e.channel === c));
  if (missing.length > 0) {
    issues.push({
      path: ['partnerEndpoints'],
      message: `no endpoint for channel(s) ${missing.join(', ')}: give each foreign channel at least one (destination "*" serves all)`,
    });
  }
  return issues;
}

export interface ResolvedPartnerEndpoint {
  /** The partner's URL, placeholder filled in, without a trailing slash; may still be a path. */
  url: string;
  /** The entry it came from, for error messages. */
  entry: PartnerEndpoint;
}

/** The endpoint of one partner: its own entry first, else the channel's `*` entry. */
export function partnerEndpointFor(
  endpoints: readonly PartnerEndpoint[] | undefined,
  channel: string,
  destination: string,
): ResolvedPartnerEndpoint | undefined {
  const list = endpoints ?? [];
  const entry =
    list.find((e) => e.channel === channel && e.destination === destination) ??
    list.find((e) => e.channel === channel && e.destination === ANY_DESTINATION);
  if (entry === undefined) return undefined;
  const url = entry.url
    .replaceAll(DESTINATION_PLACEHOLDER, encodeURIComponent(destination))
    .replace(/\/+$/, '');
  return { url, entry };
}
