import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { Ruleset } from './ruleset.schema';

export type HashHex = (data: string) => string;

export const sha256Hex: HashHex = (data) => createHash('sha256').update(data, 'utf8').digest('hex');

/**
 * SHA-256 (hex) of the RFC 8785 canonical JSON of a rule set: the same rule set gives the same
 * hash whatever the key order or spacing of its file. Pass `hash` to use another function.
 */
export function rulesetHash(ruleset: Ruleset, hash: HashHex = sha256Hex): string {
  return hash(canonicalJson(ruleset));
}
