import type { DataSource } from 'typeorm';
import { sealPersonalData } from '@ixr/messaging';
import type { DataKeyVault } from '@ixr/persistence';
import type { NewRequest, RequestRowsStore } from './request-writer';

const REQUEST_COLUMNS = [
  'id',
  'requesting_unit',
  'requested_by',
  'level',
  'mission_type',
  'body',
  'body_hash',
  'idempotency_key',
  'status',
  'received_at',
  'deadline_at',
  'deadline_basis',
] as const;

/** The parameters of one request row, in the order of REQUEST_COLUMNS. */
function requestParams(r: NewRequest): unknown[] {
  return [
    r.id,
    r.requestingUnit,
    r.requestedBy,
    r.level,
    r.missionType,
    r.bodyJson,
    r.bodyHash,
    r.idempotencyKey,
    'received',
    r.receivedAt,
    r.deadlineAt,
    r.deadlineBasis,
  ];
}

/** `($1, $2::json, ...), (...)`: one placeholder tuple per row, from parameter `first` on. */
function placeholders(rows: number, columns: readonly string[], first: number): string {
  const tuples: string[] = [];
  let n = first;
  for (let row = 0; row < rows; row++) {
    const cells = columns.map((column) => `$${n++}${column === 'body' ? '::json' : ''}`);
    tuples.push(`(${cells.join(', ')})`);
  }
  return tuples.join(', ');
}

/**
 * The requests, their data keys and their outbox rows in one statement: a data-modifying WITH runs
 * to completion with the statement, and a single statement is its own transaction, so the tables
 * get all the rows or none, in one round trip (no BEGIN and COMMIT). The event carries the
 * request's personal data sealed under the request's new key (SPEC §10).
 */
export class PostgresRequestRows implements RequestRowsStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dataKeys: DataKeyVault,
  ) {}

  async insert(requests: readonly NewRequest[]): Promise<void> {
    if (requests.length === 0) return;
    const params: unknown[] = requests.flatMap(requestParams);
    const keyColumns = ['key_id', 'wrapped', 'created_at'];
    const keyValues = placeholders(requests.length, keyColumns, params.length + 1);
    const events: string[] = [];
    for (const r of requests) {
      const { key, wrapped } = this.dataKeys.fresh(r.id);
      params.push(r.id, wrapped, r.receivedAt);
      events.push(await sealedEvent(r.event.topic, r.event.value, key));
    }
    const outboxColumns = ['topic', 'key', 'value'];
    const outboxValues = placeholders(requests.length, outboxColumns, params.length + 1);
    requests.forEach((r, i) => params.push(r.event.topic, r.event.key, events[i]));
    await this.dataSource.query(
      `WITH stored AS (
         INSERT INTO requests (${REQUEST_COLUMNS.join(', ')})
         VALUES ${placeholders(requests.length, REQUEST_COLUMNS, 1)}
       ), keys AS (
         INSERT INTO data_keys (${keyColumns.join(', ')}) VALUES ${keyValues}
       )
       INSERT INTO outbox (${outboxColumns.join(', ')}) VALUES ${outboxValues}`,
      params,
    );
  }
}

async function sealedEvent(topic: string, value: string, key: Buffer): Promise<string> {
  const envelope = JSON.parse(value) as { data: unknown };
  const data = await sealPersonalData(topic, envelope.data, () => Promise.resolve(key));
  return JSON.stringify({ ...envelope, data });
}
