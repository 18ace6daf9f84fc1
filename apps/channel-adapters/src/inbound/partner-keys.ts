import { CHANNELS, type Channel } from '@ixr/domain';
import { derivePartnerKey, partnerName, type PartnerId } from '@ixr/messaging';

/** Channels over which foreign partners write to us (not the national inboxes). */
export const FOREIGN_CHANNELS: readonly Channel[] = CHANNELS.filter(
  (c) => c !== 'national_spoc' && c !== 'national_unit',
);

/**
 * Each partner's HMAC key: configured one by one (`PARTNER_KEYS`, a JSON object
 * `{"siena/NL": "<key>"}`), or derived from a shared seed (development and tests). A partner with
 * no key is unknown and refused.
 */
export class PartnerKeys {
  constructor(
    private readonly explicit: Readonly<Record<string, string>>,
    private readonly seed: string | undefined,
  ) {}

  keyFor(partner: PartnerId): string | undefined {
    if (!FOREIGN_CHANNELS.includes(partner.channel as Channel)) return undefined;
    if (!/^[A-Z]{2}$/.test(partner.country)) return undefined;
    const configured = this.explicit[partnerName(partner)];
    if (configured !== undefined) return configured;
    return this.seed === undefined ? undefined : derivePartnerKey(this.seed, partner);
  }
}
