import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Work woken by the database instead of found by polling (issue 17): a statement that adds outbox
 * rows notifies its writer's relay (`ixr_outbox_<login>`, delivered at commit, once per transaction),
 * and a change of rule sets or directory versions notifies every service that keeps them in memory
 * (`ixr_routing_config`). Listeners: `DatabaseWakeups` (libs/persistence).
 */
export class WakeupNotifications1764700000004 implements MigrationInterface {
  name = 'WakeupNotifications1764700000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION ixr_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ixr_outbox_' || current_user, '');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER outbox_wakes_relay AFTER INSERT ON outbox
        FOR EACH STATEMENT EXECUTE FUNCTION ixr_notify_outbox()`);
    await q.query(`
      CREATE FUNCTION ixr_notify_routing_config() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ixr_routing_config', '');
        RETURN NULL;
      END $$`);
    for (const table of ['rulesets', 'directory_versions']) {
      await q.query(`
        CREATE TRIGGER ${table}_wake_readers AFTER INSERT OR UPDATE OR DELETE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION ixr_notify_routing_config()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['rulesets', 'directory_versions']) {
      await q.query(`DROP TRIGGER ${table}_wake_readers ON ${table}`);
    }
    await q.query(`DROP FUNCTION ixr_notify_routing_config()`);
    await q.query(`DROP TRIGGER outbox_wakes_relay ON outbox`);
    await q.query(`DROP FUNCTION ixr_notify_outbox()`);
  }
}
