import type { MigrationInterface, QueryRunner } from 'typeorm';
import { canonicalDocument, defaultDirectory, sha256Hex } from '@ixr/routing';

/**
 * The directory holds each state's accepted languages (Directive 2023/977 Art 11; SPEC §8). A
 * database seeded before gets a new directory version: its latest one, edits kept, with the
 * shipped (placeholder) languages added to each country that has none. Fresh databases are seeded
 * with them already and get nothing.
 */
export class DirectoryLanguages1764530000002 implements MigrationInterface {
  name = 'DirectoryLanguages1764530000002';

  async up(q: QueryRunner): Promise<void> {
    const rows = (await q.query(
      `SELECT version, document FROM directory_versions ORDER BY id DESC LIMIT 1`,
    )) as { version: string; document: { countries?: Record<string, Record<string, unknown>> } }[];
    const latest = rows[0];
    const countries = latest?.document.countries;
    if (!latest || !countries || Object.values(countries).every((c) => c.languages !== undefined)) return;
    const shipped = defaultDirectory().countries;
    const withLanguages = Object.fromEntries(
      Object.entries(countries).map(([code, entry]) => {
        const seed = shipped[code];
        if (entry.languages !== undefined || !seed?.languages) return [code, entry];
        return [code, { ...entry, languages: seed.languages, languagesPlaceholder: true }];
      }),
    );
    const document = { ...latest.document, version: `${latest.version}+languages`, countries: withLanguages };
    await q.query(
      `INSERT INTO directory_versions (version, hash, document, changed_by, justification)
       VALUES ($1, $2, $3, 'system:migration', 'accepted languages added to the directory (Art 11)')`,
      [document.version, sha256Hex(canonicalDocument(document)), JSON.stringify(document)],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM directory_versions WHERE version LIKE '%+languages'`);
  }
}
