import type { FastifyInstance } from 'fastify';
import type { DataSource } from 'typeorm';

/**
 * The log's public face, as transparency logs publish it: its latest signed checkpoint and its
 * public key, both plain text. Nothing here is personal data: audits of entries go through the
 * audit API, which checks roles and records every read.
 */
export function registerLogRoutes(
  fastify: FastifyInstance,
  dataSource: DataSource,
  verifierKey: string,
): void {
  fastify.get('/log/vkey', async (_request, reply) => reply.type('text/plain').send(`${verifierKey}\n`));
  fastify.get('/log/checkpoint', async (_request, reply) => {
    const [row]: { note: string }[] = await dataSource.query(
      'SELECT note FROM exchange_log_checkpoints ORDER BY epoch DESC, tree_size DESC LIMIT 1',
    );
    if (!row) return reply.code(404).type('text/plain').send('no checkpoint signed yet\n');
    return reply.type('text/plain').send(row.note);
  });
}
