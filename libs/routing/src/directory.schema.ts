import { z } from 'zod';
import { OFFENCE_CATEGORIES, type OffenceCategory } from '@ixr/domain';
import { partnerEndpointIssues, partnerEndpointSchema, type PartnerEndpoint } from './partner-endpoints';
import {
  conditionSchema,
  zodIssues,
  type Condition,
  type DestinationSpec,
  type ParseResult,
  DESTINATION_KINDS,
} from './ruleset.schema';

/**
 * The directory: who and what exists (countries, centres, liaison posts, contact points,
 * channel fallbacks). Rules read it through facts; it holds no policy of its own.
 */

export interface CountryEntry {
  name: string;
  euMember: boolean;
  schengenAssociated: boolean;
  /** Takes part in Prüm automated searches (Decision 2008/615/JHA, Regulation 2024/982). */
  prum: boolean;
  /** The one police and customs cooperation centre used for this country's border-region matters. */
  pcccCentre?: string;
  /**
   * The languages its SPOC accepts (Directive 2023/977 Art 11; ISO 639-1): English always for EU
   * states; Interpol's (ar, en, es, fr) for states reached through Interpol. Absent only in
   * directory versions stored before languages (kept for replay).
   */
  languages?: string[];
  /** True while the list is a seed (official languages plus English), not the state's notification. */
  languagesPlaceholder?: boolean;
}

export interface PcccCentre {
  id: string;
  name: string;
  hostCountry: string;
  countries: string[];
  note?: string;
}

export interface LiaisonPost {
  id: string;
  city: string;
  hostCountry: string;
  accreditedFor: string[];
  /** True for plausible placeholder data that an administrator must check and edit. */
  seed: boolean;
  note?: string;
}

/** One step of a channel's fallback chain; `when` uses the facts of scope `outbound.target`. */
export interface FallbackCandidate {
  channel: string;
  destination: DestinationSpec;
  when?: Condition;
}

export interface ContactPoint {
  id: string;
  name: string;
  /** Absent: national coverage of its themes; present: a judicial arrondissement or similar. */
  region?: string;
  themes: OffenceCategory[];
  expertise: string;
  seed: boolean;
}

export interface Directory {
  version: string;
  description: string;
  homeCountry: string;
  /** The SPOC unit that is copied on every exchange (SPEC §4.1.6). */
  spocUnit: string;
  /** Where inbound requests go when no contact point covers them (SPEC §4.4). */
  spocDutyDesk: string;
  countries: Record<string, CountryEntry>;
  pcccCentres: PcccCentre[];
  liaisonPosts: LiaisonPost[];
  channelFallbacks: Record<string, FallbackCandidate[]>;
  contactPoints: ContactPoint[];
  /**
   * Where each foreign partner is reached, per channel and destination. Absent only in directory
   * versions stored before endpoints moved here (kept for replay); a new version must list them.
   */
  partnerEndpoints?: PartnerEndpoint[];
}

const countryCode = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code');
const unitId = z.string().regex(/^[A-Z0-9]+(-[A-Z0-9]+)*$/, 'unit ids are upper-case words joined by dashes');
const destinationSchema = z.union([
  z.enum(DESTINATION_KINDS),
  z.object({ literal: z.string().min(1) }).strict(),
]);

export const directorySchema = z
  .object({
    version: z.string().min(1),
    description: z.string(),
    homeCountry: countryCode,
    spocUnit: unitId,
    spocDutyDesk: unitId,
    countries: z.record(
      countryCode,
      z
        .object({
          name: z.string().min(1),
          euMember: z.boolean(),
          schengenAssociated: z.boolean(),
          prum: z.boolean(),
          pcccCentre: unitId.optional(),
          languages: z
            .array(z.string().regex(/^[a-z]{2}$/, 'an ISO 639-1 code in lower case, e.g. "en"'))
            .min(1)
            .optional(),
          languagesPlaceholder: z.boolean().optional(),
        })
        .strict(),
    ),
    pcccCentres: z.array(
      z
        .object({
          id: unitId,
          name: z.string().min(1),
          hostCountry: countryCode,
          countries: z.array(countryCode).min(2),
          note: z.string().optional(),
        })
        .strict(),
    ),
    liaisonPosts: z.array(
      z
        .object({
          id: unitId,
          city: z.string().min(1),
          hostCountry: countryCode,
          accreditedFor: z.array(countryCode).min(1),
          seed: z.boolean(),
          note: z.string().optional(),
        })
        .strict(),
    ),
    channelFallbacks: z.record(
      z.string().min(1),
      z.array(
        z
          .object({
            channel: z.string().min(1),
            destination: destinationSchema,
            when: conditionSchema.optional(),
          })
          .strict(),
      ),
    ),
    contactPoints: z.array(
      z
        .object({
          id: unitId,
          name: z.string().min(1),
          region: z.string().min(1).optional(),
          themes: z.array(z.enum(OFFENCE_CATEGORIES)).min(1),
          expertise: z.string(),
          seed: z.boolean(),
        })
        .strict(),
    ),
    partnerEndpoints: z.array(partnerEndpointSchema).optional(),
  })
  .strict()
  .superRefine((dir, ctx) => {
    if (dir.partnerEndpoints !== undefined) {
      for (const issue of partnerEndpointIssues(dir.partnerEndpoints))
        ctx.addIssue({ code: 'custom', ...issue });
    }
    const unique = (ids: string[], path: string) => {
      const seen = new Set<string>();
      ids.forEach((id, i) => {
        if (seen.has(id))
          ctx.addIssue({ code: 'custom', path: [path, i, 'id'], message: `duplicate id ${id}` });
        seen.add(id);
      });
    };
    unique(
      dir.pcccCentres.map((c) => c.id),
      'pcccCentres',
    );
    unique(
      dir.liaisonPosts.map((p) => p.id),
      'liaisonPosts',
    );
    unique(
      dir.contactPoints.map((c) => c.id),
      'contactPoints',
    );
    if (!(dir.homeCountry in dir.countries)) {
      ctx.addIssue({
        code: 'custom',
        path: ['homeCountry'],
        message: 'the home country must be listed in countries',
      });
    }
    for (const [code, entry] of Object.entries(dir.countries)) {
      // Art 11: every EU state accepts English.
      if (entry.euMember && entry.languages !== undefined && !entry.languages.includes('en')) {
        ctx.addIssue({
          code: 'custom',
          path: ['countries', code, 'languages'],
          message: `${code} is an EU member state: English must be among its languages (Directive 2023/977 Art 11)`,
        });
      }
      if (entry.pcccCentre === undefined) continue;
      const centre = dir.pcccCentres.find((c) => c.id === entry.pcccCentre);
      if (centre === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['countries', code, 'pcccCentre'],
          message: `unknown centre ${entry.pcccCentre}`,
        });
      } else if (!centre.countries.includes(code) || !centre.countries.includes(dir.homeCountry)) {
        ctx.addIssue({
          code: 'custom',
          path: ['countries', code, 'pcccCentre'],
          message: `centre ${centre.id} does not serve both ${dir.homeCountry} and ${code}`,
        });
      }
    }
  });

/** Checks a directory document (already JSON-parsed): shape and internal references. */
export function parseDirectory(json: unknown): ParseResult<Directory> {
  const result = directorySchema.safeParse(json);
  if (!result.success) return { ok: false, errors: zodIssues(result.error) };
  return { ok: true, value: result.data as Directory };
}
