import type { MigrationInterface, QueryRunner } from 'typeorm';
import { defaultRuleset, rulesetHash } from '@ixr/routing';

/** The shipped rule set before own-initiative provisions. */
const PREVIOUS_SHIPPED = '2025.1.0';

/**
 * Own-initiative provisions (SPEC §8, Directive 2023/977 Art 7) have no deadline: the shipped rule
 * set 2025.2.0 adds rule DL-PROVISION-NONE (rules may test `request.kind`). A database still running
 * the previously shipped rule set gets the new one, active, and the old one retired (kept for
 * replay); a database whose administrators activated a rule set of their own keeps it — they add
 * the rule themselves. Fresh databases are seeded with 2025.2.0 already and get nothing.
 */
export class ProvisionDeadlineRule1764530000003 implements MigrationInterface {
  name = 'ProvisionDeadlineRule1764530000003';

  async up(q: QueryRunner): Promise<void> {
    const ruleset = defaultRuleset();
    const [active] = (await q.query(`SELECT version FROM rulesets WHERE status = 'active'`)) as {
      version: string;
    }[];
    if (active?.version !== PREVIOUS_SHIPPED) return;
    const [known] = (await q.query(`SELECT 1 FROM rulesets WHERE version = $1`, [
      ruleset.version,
    ])) as unknown[];
    if (known) return;
    await q.query(`UPDATE rulesets SET status = 'retired' WHERE version = $1`, [PREVIOUS_SHIPPED]);
    await q.query(
      `INSERT INTO rulesets (version, hash, document, status, created_by, activated_by, activated_at)
       VALUES ($1, $2, $3, 'active', 'system:migration', 'system:migration', now())`,
      [ruleset.version, rulesetHash(ruleset), JSON.stringify(ruleset)],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const ruleset = defaultRuleset();
    await q.query(`DELETE FROM rulesets WHERE version = $1 AND created_by = 'system:migration'`, [
      ruleset.version,
    ]);
    await q.query(
      `UPDATE rulesets SET status = 'active' WHERE version = $1
         AND NOT EXISTS (SELECT 1 FROM rulesets WHERE status = 'active')`,
      [PREVIOUS_SHIPPED],
    );
  }
}
