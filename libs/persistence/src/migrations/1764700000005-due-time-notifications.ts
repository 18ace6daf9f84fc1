import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Timers armed for the next due time instead of periodic scans (issue 17): a statement that adds
 * or moves pending deadline milestones (`ixr_deadlines`) or parked sends (`ixr_send_retries`)
 * notifies, at commit, the earliest due time it wrote (ms since the epoch), so every router or
 * adapter instance moves its timer earlier when needed without reading anything. Claims (which
 * set `emitted_at`, or clear `due_at`) and suspensions write no pending time and notify nothing.
 * Listeners: `DeadlineMonitor` and `SendRetryScheduler`, through `DatabaseWakeups`.
 */
export class DueTimeNotifications1764700000005 implements MigrationInterface {
  name = 'DueTimeNotifications1764700000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION ixr_notify_deadlines() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE due timestamptz;
      BEGIN
        SELECT min(due_at) INTO due FROM written WHERE emitted_at IS NULL AND suspended_at IS NULL;
        IF due IS NOT NULL THEN
          PERFORM pg_notify('ixr_deadlines', floor(extract(epoch FROM due) * 1000)::bigint::text);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION ixr_notify_send_retries() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE due timestamptz;
      BEGIN
        SELECT min(due_at) INTO due FROM written;
        IF due IS NOT NULL THEN
          PERFORM pg_notify('ixr_send_retries', floor(extract(epoch FROM due) * 1000)::bigint::text);
        END IF;
        RETURN NULL;
      END $$`);
    // A trigger with a transition table has one event: one for INSERT, one for UPDATE.
    for (const [table, fn] of [
      ['deadline_milestones', 'ixr_notify_deadlines'],
      ['send_retries', 'ixr_notify_send_retries'],
    ]) {
      for (const event of ['INSERT', 'UPDATE']) {
        await q.query(`
          CREATE TRIGGER ${table}_${event.toLowerCase()}_wakes AFTER ${event} ON ${table}
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['deadline_milestones', 'send_retries']) {
      for (const event of ['insert', 'update'])
        await q.query(`DROP TRIGGER ${table}_${event}_wakes ON ${table}`);
    }
    await q.query(`DROP FUNCTION ixr_notify_send_retries()`);
    await q.query(`DROP FUNCTION ixr_notify_deadlines()`);
  }
}
