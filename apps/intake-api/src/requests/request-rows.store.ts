import type { DataSource } from 'typeorm';
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
 * The requests and their outbox rows in one statement: a data-modifying WITH runs to completion
 * with the statement, and a single statement is its own transaction, so both tables get all the
 * rows or none, in one round trip (no BEGIN and COMMIT).
 */
export class PostgresRequestRows implements RequestRowsStore {
  constructor(private readonly dataSource: DataSource) {}

  async insert(requests: readonly NewRequest[]): Promise<void> {
    if (requests.length === 0) return;
    const params: unknown[] = requests.flatMap(requestParams);
    const outboxColumns = ['topic', 'key', 'value'];
    const outboxValues = placeholders(requests.length, outboxColumns, params.length + 1);
    for (const r of requests) params.push(r.event.topic, r.event.key, r.event.value);
    await this.dataSource.query(
      `WITH stored AS (
         INSERT INTO requests (${REQUEST_COLUMNS.join(', ')})
         VALUES ${placeholders(requests.length, REQUEST_COLUMNS, 1)}
       )
       INSERT INTO outbox (${outboxColumns.join(', ')}) VALUES ${outboxValues}`,
      params,
    );
  }
}
