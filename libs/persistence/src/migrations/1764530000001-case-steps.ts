import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The case steps of Directive 2023/977 (SPEC §8). A refusal, a clarification question or answer, a
 * delay notice and a withdrawal are messages on a request, in either direction, like answers and
 * replies: `replies` gains their kind and what each says (ground, expected date, the question a
 * clarification answers, when a question was answered), and keeps its sending columns, so each is
 * sent once as replies are. A delivery whose request was withdrawn before it was made is
 * `cancelled`. A deadline milestone is suspended while a clarification asked by the handling side
 * is open (`suspended_at`), and moves by the time it was suspended when the clarification closes.
 */
export class CaseSteps1764530000001 implements MigrationInterface {
  name = 'CaseSteps1764530000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE replies
        ADD COLUMN kind text NOT NULL DEFAULT 'answer' CHECK (kind IN
          ('answer', 'refusal', 'clarification', 'clarification_answer', 'delay_notice', 'withdrawal',
           'onward_transfer')),
        ADD COLUMN consent_reference text,
        ADD COLUMN ground text,
        ADD COLUMN partial boolean,
        ADD COLUMN expected_by timestamptz,
        ADD COLUMN clarification_of uuid,
        ADD COLUMN closed_at timestamptz,
        ADD CONSTRAINT replies_refusal_ground CHECK ((kind = 'refusal') = (ground IS NOT NULL))`);
    await q.query(
      `CREATE INDEX replies_open_clarifications ON replies (request_id)
         WHERE kind = 'clarification' AND closed_at IS NULL`,
    );
    await q.query(`
      ALTER TABLE inbound_messages DROP CONSTRAINT inbound_messages_kind_check,
        ADD CONSTRAINT inbound_messages_kind_check CHECK (kind IN
          ('request', 'provision', 'answer', 'refusal', 'clarification', 'clarification_answer', 'delay_notice',
           'withdrawal'))`);
    await q.query(`
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check,
        ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled'))`);
    await q.query(`ALTER TABLE deadline_milestones ADD COLUMN suspended_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deadline_milestones DROP COLUMN suspended_at`);
    await q.query(`
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check,
        ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed'))`);
    await q.query(`
      ALTER TABLE inbound_messages DROP CONSTRAINT inbound_messages_kind_check,
        ADD CONSTRAINT inbound_messages_kind_check CHECK (kind IN ('request', 'answer'))`);
    await q.query(`DROP INDEX replies_open_clarifications`);
    await q.query(`
      ALTER TABLE replies DROP CONSTRAINT replies_refusal_ground, DROP COLUMN closed_at,
        DROP COLUMN clarification_of, DROP COLUMN consent_reference, DROP COLUMN expected_by, DROP COLUMN partial, DROP COLUMN ground,
        DROP COLUMN kind`);
  }
}
