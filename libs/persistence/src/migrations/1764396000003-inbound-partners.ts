import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound from partners that are not countries (SPEC §4.4, DOMAIN "The channels"): police and
 * customs cooperation centres, liaison posts and Europol. An inbound request keeps its sender
 * (`origin_partner`, where the reply goes) beside the state it comes from (`origin_country`, which
 * Europol's own requests lack); the replay guard is per sender.
 */
export class InboundPartners1764396000003 implements MigrationInterface {
  name = 'InboundPartners1764396000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests ADD COLUMN origin_partner text`);
    await q.query(`UPDATE requests SET origin_partner = origin_country WHERE direction = 'inbound'`);
    await q.query(`
      ALTER TABLE requests DROP CONSTRAINT requests_inbound_origin,
        ADD CONSTRAINT requests_inbound_origin CHECK (
          direction = 'outbound'
          OR (origin_channel IS NOT NULL AND origin_partner IS NOT NULL AND partner_message_id IS NOT NULL))`);
    await q.query(`ALTER TABLE inbound_messages RENAME COLUMN origin_country TO partner`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE inbound_messages RENAME COLUMN partner TO origin_country`);
    await q.query(`
      ALTER TABLE requests DROP CONSTRAINT requests_inbound_origin,
        ADD CONSTRAINT requests_inbound_origin CHECK (
          direction = 'outbound'
          OR (origin_channel IS NOT NULL AND origin_country IS NOT NULL AND partner_message_id IS NOT NULL))`);
    await q.query(`ALTER TABLE requests DROP COLUMN origin_partner`);
  }
}
