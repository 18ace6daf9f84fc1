import { isForeignChannel } from '@ixr/domain';
import { derivePartnerKey, partnerName, type PartnerId } from '@ixr/messaging';

/** A country code or a directory id (PCCC-HEERLEN, LO-WASHINGTON, EUROPOL). */
const PARTNER_ID = /^[A-Z0-9]+(-[A-Z0-9]+)*$/;

/**
 * Each partner's HMAC key: configured one by one (`PARTNER_KEYS`, a JSON object
 * `{"siena/NL": "<key>", "pccc/PCCC-HEERLEN": "<key>"}`), or derived from a shared seed
 * (development and tests). A partner with no key is unknown and refused. Whether the directory
 * knows the partner on that channel is checked once its signature holds (InboundReceiver).
 */
export class PartnerKeys {
  constructor(
    private readonly explicit: Readonly<Record<string, string>>,
    private readonly seed: string | undefined,
  ) {}

  keyFor(partner: PartnerId): string | undefined {
    if (!isForeignChannel(partner.channel)) return undefined;
    if (!PARTNER_ID.test(partner.id) || partner.id.length > 80) return undefined;
    const configured = this.explicit[partnerName(partner)];
    if (configured !== undefined) return configured;
    return this.seed === undefined ? undefined : derivePartnerKey(this.seed, partner);
  }
}
