import { partnerEndpointFor, type Directory } from '@ixr/routing';
import { PartnerUnavailableError } from './partner-errors';

/** The directory has no endpoint for this partner: parked and retried, so a directory fix delivers it. */
export class PartnerEndpointMissingError extends PartnerUnavailableError {
  override readonly code = 'PARTNER.NO_ENDPOINT';
}

/** Where the current directory comes from: read fresh for each partner call (see RoutingConfigStore). */
export interface DirectorySource {
  latestDirectory(): Promise<{ directory: Directory; directoryVersion: string }>;
}

/**
 * Each foreign partner's URL, from the directory's `partnerEndpoints` (channel and destination)
 * as it stands at the call: an endpoint edit takes effect on the next delivery. Relative endpoints
 * (`/partners/…`) resolve against `baseUrl` — PARTNER_BASE_URL, locally the partner simulator at
 * its (offset) port — so the shipped directory works unchanged on every machine.
 */
export class PartnerEndpoints {
  private readonly baseUrl: string;

  constructor(
    private readonly directories: DirectorySource,
    baseUrl: string,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async urlOf(channel: string, destination: string): Promise<string> {
    const { directory, directoryVersion } = await this.directories.latestDirectory();
    const found = partnerEndpointFor(directory.partnerEndpoints, channel, destination);
    if (found === undefined) {
      throw new PartnerEndpointMissingError(
        `directory ${directoryVersion} has no endpoint for ${channel} partner ${destination}: add one to partnerEndpoints (destination "${destination}" or "*")`,
      );
    }
    return found.url.startsWith('/') ? `${this.baseUrl}${found.url}` : found.url;
  }
}
