import type { MigrationInterface, QueryRunner } from 'typeorm';
import { defaultDirectory, defaultRuleset, rulesetHash, sha256Hex, canonicalDocument } from '@ixr/routing';

/**
 * Rule sets and directory versions as data (issue: rule-set lifecycle), and the deadline
 * monitor's milestones. The shipped rule set and directory are seeded as the active ones.
 */
export class RoutingConfig1764380000000 implements MigrationInterface {
  name = 'RoutingConfig1764380000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rulesets (
        version text PRIMARY KEY,
        hash text NOT NULL,
        document json NOT NULL,
        status text NOT NULL CHECK (status IN ('draft', 'active', 'retired')),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        activated_by text,
        activated_at timestamptz
      )`);
    // At most one active rule set; activation swaps it atomically.
    await q.query(`CREATE UNIQUE INDEX rulesets_one_active ON rulesets ((status)) WHERE status = 'active'`);
    await q.query(`
      CREATE TABLE directory_versions (
        id bigserial PRIMARY KEY,
        version text NOT NULL UNIQUE,
        hash text NOT NULL,
        document json NOT NULL,
        changed_by text NOT NULL,
        justification text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE deadline_milestones (
        request_id uuid NOT NULL REFERENCES requests (id),
        milestone text NOT NULL,
        due_at timestamptz NOT NULL,
        emitted_at timestamptz,
        PRIMARY KEY (request_id, milestone)
      )`);
    await q.query(
      `CREATE INDEX deadline_milestones_due ON deadline_milestones (due_at) WHERE emitted_at IS NULL`,
    );

    const ruleset = defaultRuleset();
    await q.query(
      `INSERT INTO rulesets (version, hash, document, status, created_by, activated_by, activated_at)
       VALUES ($1, $2, $3, 'active', 'system:migration', 'system:migration', now())`,
      [ruleset.version, rulesetHash(ruleset), JSON.stringify(ruleset)],
    );
    const directory = defaultDirectory();
    await q.query(
      `INSERT INTO directory_versions (version, hash, document, changed_by, justification)
       VALUES ($1, $2, $3, 'system:migration', 'seed directory shipped with IXR')`,
      [directory.version, sha256Hex(canonicalDocument(directory)), JSON.stringify(directory)],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deadline_milestones, directory_versions, rulesets`);
  }
}
