/**
 * Offence categories within Europol's mandate (SPEC §4.3; Regulation 2016/794 Annex I,
 * Directive 2023/977 Art 12). `other` is outside the mandate.
 */
export const EUROPOL_MANDATE_CATEGORIES = [
  'terrorism',
  'drug_trafficking',
  'money_laundering',
  'nuclear_radioactive',
  'migrant_smuggling',
  'trafficking_in_human_beings',
  'motor_vehicle_crime',
  'murder',
  'organ_trafficking',
  'kidnapping',
  'racism_xenophobia',
  'organised_robbery',
  'cultural_goods_trafficking',
  'fraud',
  'racketeering_extortion',
  'counterfeiting',
  'forgery_administrative_documents',
  'euro_counterfeiting',
  'cybercrime',
  'corruption',
  'arms_trafficking',
  'endangered_species_trafficking',
  'environmental_crime',
  'child_sexual_exploitation',
  'genocide_war_crimes',
  'sanctions_violation',
  'insider_dealing',
] as const;
export type MandateCategory = (typeof EUROPOL_MANDATE_CATEGORIES)[number];
export const OFFENCE_CATEGORIES = [...EUROPOL_MANDATE_CATEGORIES, 'other'] as const;
export type OffenceCategory = (typeof OFFENCE_CATEGORIES)[number];

export function isWithinEuropolMandate(category: OffenceCategory): category is MandateCategory {
  return category !== 'other';
}
