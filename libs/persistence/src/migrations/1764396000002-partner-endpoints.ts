import type { MigrationInterface, QueryRunner } from 'typeorm';
import { canonicalDocument, defaultDirectory, sha256Hex } from '@ixr/routing';

/**
 * Partner endpoints move into the directory (issue #5: per channel and destination). A database
 * seeded before gets a new directory version: its latest one, edits kept, with the shipped
 * endpoints added (relative, resolved against the adapters' PARTNER_BASE_URL). Fresh databases
 * are seeded with them already and get nothing.
 */
export class PartnerEndpoints1764396000002 implements MigrationInterface {
  name = 'PartnerEndpoints1764396000002';

  async up(q: QueryRunner): Promise<void> {
    const rows = (await q.query(
      `SELECT version, document FROM directory_versions ORDER BY id DESC LIMIT 1`,
    )) as { version: string; document: Record<string, unknown> }[];
    const latest = rows[0];
    if (!latest || latest.document.partnerEndpoints !== undefined) return;
    const document = {
      ...latest.document,
      version: `${latest.version}+partner-endpoints`,
      partnerEndpoints: defaultDirectory().partnerEndpoints,
    };
    await q.query(
      `INSERT INTO directory_versions (version, hash, document, changed_by, justification)
       VALUES ($1, $2, $3, 'system:migration', 'partner endpoints moved into the directory')`,
      [document.version, sha256Hex(canonicalDocument(document)), JSON.stringify(document)],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM directory_versions WHERE version LIKE '%+partner-endpoints'`);
  }
}
