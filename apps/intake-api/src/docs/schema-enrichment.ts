import { SIS_ARTICLES } from '@ixr/domain';

type JsonObject = Record<string, unknown>;

/**
 * Some request-body checks are refinements (ISO code lists, SIS articles) that JSON Schema cannot
 * carry over from zod; the document states them by field name instead, so that a reader and a
 * client generator see the format. The validation itself stays the zod schema's.
 */
const BY_FIELD: Record<string, JsonObject> = {
  nationality: { pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code' },
  country: { pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code' },
  issuingCountry: { pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code' },
  language: { pattern: '^[a-z]{2}$', description: 'ISO 639-1 code' },
  article: { type: 'integer', enum: [...SIS_ARTICLES], description: 'SIS Regulation article' },
};
const COUNTRY_LIST: JsonObject = {
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 code, not BE (the requesting state); no duplicates',
};

export function enrichCodes(schema: JsonObject): JsonObject {
  const properties = schema.properties as Record<string, JsonObject> | undefined;
  if (properties) {
    for (const [name, property] of Object.entries(properties)) {
      const extra = BY_FIELD[name];
      if (extra && (property.type === 'string' || Object.keys(property).length === 0)) {
        Object.assign(property, extra);
      }
      if (name === 'targetCountries' && property.items)
        Object.assign(property.items as JsonObject, COUNTRY_LIST);
      enrichCodes(property);
    }
  }
  for (const key of ['items', 'additionalProperties']) {
    const child = schema[key];
    if (child && typeof child === 'object' && !Array.isArray(child)) enrichCodes(child as JsonObject);
  }
  for (const key of ['oneOf', 'anyOf', 'allOf', 'prefixItems']) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((child) => enrichCodes(child as JsonObject));
  }
  return schema;
}
