import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_TABLES } from './service-role';
import {
  CROSS_SERVICE_WRITES,
  OWNING_SERVICES,
  privilegesOf,
  TABLES,
  tableOwnersMarkdown,
  writersOf,
  type TableName,
} from './table-owners';

describe('table owners', () => {
  it('only the log writer may INSERT into the four log tables, and nobody UPDATE or DELETE them', () => {
    expect(LOG_TABLES).toEqual([
      'exchange_log',
      'exchange_log_nodes',
      'exchange_log_checkpoints',
      'exchange_log_keys',
    ]);
    for (const table of LOG_TABLES) {
      expect(writersOf(table)).toEqual(['log']);
      for (const service of OWNING_SERVICES) {
        const held = privilegesOf(service).get(table) ?? new Set();
        expect(held.has('UPDATE') || held.has('DELETE')).toBe(false);
      }
    }
    expect([...privilegesOf('log').get('exchange_log')!].sort()).toEqual(['INSERT', 'SELECT']);
    expect([...privilegesOf('intake').get('exchange_log')!]).toEqual(['SELECT']);
    expect(privilegesOf('router').has('exchange_log')).toBe(false);
  });

  it('a reader only reads; a table is written by its owner and the listed cross-service writes alone', () => {
    for (const [table, grant] of Object.entries(TABLES) as [TableName, (typeof TABLES)[TableName]][]) {
      if ('perServiceRows' in grant) continue;
      const cross = CROSS_SERVICE_WRITES.filter((w) => w.table === table).map((w) => w.writer);
      expect(writersOf(table).sort()).toEqual([...new Set([grant.owner, ...cross])].sort());
    }
    expect([...(privilegesOf('adapters').get('requests') ?? [])]).toEqual([]);
    expect(privilegesOf('router').has('circuit_states')).toBe(false);
  });

  it('deliveries and unit_inbox have one writer, the router; each writer of data_keys writes its own rows', () => {
    expect(writersOf('deliveries')).toEqual(['router']);
    expect(writersOf('unit_inbox')).toEqual(['router']);
    expect(writersOf('delivery_sends')).toEqual(['adapters']);
    expect(writersOf('data_keys')).toEqual(['intake', 'adapters']);
    expect(TABLES.data_keys.perServiceRows).toEqual(['intake', 'adapters']);
    for (const service of ['router', 'log'] as const) {
      expect([...privilegesOf(service).get('data_keys')!]).toEqual(['SELECT']);
    }
    expect([...privilegesOf('adapters').get('deliveries')!]).toEqual(['SELECT']);
    expect(privilegesOf('adapters').has('unit_inbox')).toBe(false);
    expect(
      CROSS_SERVICE_WRITES.filter((w) => ['deliveries', 'unit_inbox', 'data_keys'].includes(w.table)),
    ).toEqual([]);
  });

  it('the README shows the table generated from the map', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(tableOwnersMarkdown());
  });
});
