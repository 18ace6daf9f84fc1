import { CHANNELS, type Channel } from '@ixr/domain';
import { BeneluxAdapter } from './benelux.adapter';
import type { ChannelAdapter } from './channel-adapter';
import { EuropolAdapter } from './europol.adapter';
import { InterpolAdapter } from './interpol.adapter';
import { LiaisonOfficerAdapter } from './liaison-officer.adapter';
import { NationalInboxAdapter } from './national-inbox.adapter';
import type { PartnerHttpClient } from './partner-http.client';
import { PcccAdapter } from './pccc.adapter';
import { PrumAdapter } from './prum.adapter';
import { SienaAdapter } from './siena.adapter';
import { SireneAdapter } from './sirene.adapter';

/** Finds the adapter of a channel. Every channel of SPEC §3 has exactly one. */
export class AdapterRegistry {
  private readonly byChannel: ReadonlyMap<Channel, ChannelAdapter>;

  constructor(adapters: readonly ChannelAdapter[]) {
    const map = new Map<Channel, ChannelAdapter>();
    for (const adapter of adapters) {
      if (map.has(adapter.channel)) throw new Error(`two adapters for channel ${adapter.channel}`);
      map.set(adapter.channel, adapter);
    }
    const missing = CHANNELS.filter((c) => !map.has(c));
    if (missing.length > 0) throw new Error(`no adapter for channel(s): ${missing.join(', ')}`);
    this.byChannel = map;
  }

  get(channel: Channel): ChannelAdapter {
    const adapter = this.byChannel.get(channel);
    if (!adapter) throw new Error(`no adapter for channel ${channel}`);
    return adapter;
  }
}

export function createAdapterRegistry(http: PartnerHttpClient): AdapterRegistry {
  return new AdapterRegistry([
    new SienaAdapter(http),
    new EuropolAdapter(http),
    new InterpolAdapter(http),
    new SireneAdapter(http),
    new PrumAdapter(http),
    new PcccAdapter(http),
    new LiaisonOfficerAdapter(http),
    new BeneluxAdapter(http),
    new NationalInboxAdapter('national_spoc'),
    new NationalInboxAdapter('national_unit'),
  ]);
}
