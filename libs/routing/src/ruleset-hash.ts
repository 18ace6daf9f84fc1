import { createHash } from 'node:crypto';
import { canonicalJson } from '@ixr/exchange-log';
import type { Ruleset } from './ruleset.schema';

export type HashHex = (data: string) => string;

export const sha256Hex: HashHex = (data) => createHash('sha256').update(data, 'utf8').digest('hex');

/**
 * SHA-256 (hex) of the RFC 8785 canonical JSON of a rule set (the one codec of the codebase, the
 * exchange log's): the same rule set gives the same hash whatever the key order or spacing of its
 * file. Members left undefined by a parse are dropped first, as JSON.stringify drops them. Pass
 * `hash` to use another function.
 */
export function rulesetHash(ruleset: Ruleset, hash: HashHex = sha256Hex): string {
  return hash(canonicalDocument(ruleset));
}

/**
 * The canonical JSON of a parsed document (a rule set, a directory, a partner message) for its
 * hash: members left undefined by a parse are dropped first, as JSON.stringify drops them, then
 * the exchange log's RFC 8785 codec writes it.
 */
export function canonicalDocument(document: unknown): string {
  return canonicalJson(JSON.parse(JSON.stringify(document)) as unknown);
}
