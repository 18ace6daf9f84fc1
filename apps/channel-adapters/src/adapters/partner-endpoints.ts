import {
  partnerAddressPolicy,
  partnerEndpointFor,
  partnerUrlProblem,
  type Directory,
  type PartnerAddressPolicy,
} from '@ixr/routing';
import { PartnerUnavailableError } from './partner-errors';

/** The directory has no endpoint for this partner: parked and retried, so a directory fix delivers it. */
export class PartnerEndpointMissingError extends PartnerUnavailableError {
  override readonly code = 'PARTNER.NO_ENDPOINT';
}

/** The endpoint breaks the address policy (https, no private address): parked until the directory is fixed. */
export class PartnerEndpointRefusedError extends PartnerUnavailableError {
  override readonly code = 'PARTNER.ENDPOINT_REFUSED';
}

/** Where the current directory comes from: read at most `maxAgeMs` before a partner call (see RoutingConfigStore). */
export interface DirectorySource {
  latestDirectory(maxAgeMs?: number): Promise<{ directory: Directory; directoryVersion: string }>;
}

/**
 * Each foreign partner's URL, from the directory's `partnerEndpoints` (channel and destination)
 * as it stood at most `maxAgeMs` before the call (DIRECTORY_MAX_AGE_MS): an endpoint edit takes
 * effect within that time, without a restart. Relative endpoints
 * (`/partners/…`) resolve against `baseUrl` — PARTNER_BASE_URL, locally the partner simulator at
 * its (offset) port — so the shipped directory works unchanged on every machine.
 */
export class PartnerEndpoints {
  private readonly baseUrl: string;

  constructor(
    private readonly directories: DirectorySource,
    baseUrl: string,
    private readonly maxAgeMs = 0,
    /** Checked on the resolved URL before every call (and on the addresses, in partnerRequest). */
    readonly policy: PartnerAddressPolicy = partnerAddressPolicy(undefined, false),
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async urlOf(channel: string, destination: string): Promise<string> {
    const { directory, directoryVersion } = await this.directories.latestDirectory(this.maxAgeMs);
    const found = partnerEndpointFor(directory.partnerEndpoints, channel, destination);
    if (found === undefined) {
      throw new PartnerEndpointMissingError(
        `directory ${directoryVersion} has no endpoint for ${channel} partner ${destination}: add one to partnerEndpoints (destination "${destination}" or "*")`,
      );
    }
    const url = found.url.startsWith('/') ? `${this.baseUrl}${found.url}` : found.url;
    const problem = partnerUrlProblem(url, this.policy);
    if (problem !== undefined) {
      throw new PartnerEndpointRefusedError(
        `directory ${directoryVersion}: the endpoint of ${channel} partner ${destination} is refused: ${problem}`,
      );
    }
    return url;
  }
}
