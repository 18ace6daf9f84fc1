import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Log epochs (SPEC §6, issue 12): when entries under a signed checkpoint are lost and no copy of
 * them is left, the operator opens a new epoch — a fresh tree whose first entry records the old
 * epoch's latest checkpoint and why. Entries, tree nodes and checkpoints are keyed by their epoch;
 * every row of an existing log is epoch 0, so its checkpoints and proofs read as before. Adding a
 * column with a constant default rewrites no row, so the append-only triggers are not involved.
 */
export class ExchangeLogEpochs1764550000002 implements MigrationInterface {
  name = 'ExchangeLogEpochs1764550000002';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['exchange_log', 'exchange_log_nodes', 'exchange_log_checkpoints']) {
      await q.query(
        `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS epoch integer NOT NULL DEFAULT 0 CHECK (epoch >= 0)`,
      );
    }
    await q.query('ALTER TABLE exchange_log DROP CONSTRAINT IF EXISTS exchange_log_pkey');
    await q.query('ALTER TABLE exchange_log ADD CONSTRAINT exchange_log_pkey PRIMARY KEY (epoch, seq)');
    await q.query('DROP INDEX IF EXISTS exchange_log_request');
    await q.query('CREATE INDEX exchange_log_request ON exchange_log (request_id, epoch, seq)');
    await q.query('ALTER TABLE exchange_log_nodes DROP CONSTRAINT IF EXISTS exchange_log_nodes_pkey');
    await q.query(
      'ALTER TABLE exchange_log_nodes ADD CONSTRAINT exchange_log_nodes_pkey PRIMARY KEY (epoch, level, idx)',
    );
    await q.query(
      'ALTER TABLE exchange_log_checkpoints DROP CONSTRAINT IF EXISTS exchange_log_checkpoints_pkey',
    );
    await q.query(
      'ALTER TABLE exchange_log_checkpoints ADD CONSTRAINT exchange_log_checkpoints_pkey PRIMARY KEY (epoch, tree_size)',
    );
  }

  async down(): Promise<void> {
    // The epochs are part of the evidence, like the log itself: nothing is dropped.
  }
}
