import type { DataSource } from 'typeorm';
import type { EventEnvelope, RequestErased } from '@ixr/messaging';
import { markProcessed } from './processed-events';

/**
 * A service's part of an erasure (SPEC §10): on `ixr.requests.erased`, the owner of each table
 * clears what it holds of the request, once (the event recorded as processed in the same
 * transaction). Each statement takes the request id as `$1`.
 */
export async function eraseOwnRows(
  dataSource: DataSource,
  consumer: string,
  event: EventEnvelope<RequestErased>,
  statements: readonly string[],
): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    if (!(await markProcessed(manager, consumer, event.id))) return false;
    for (const sql of statements) await manager.query(sql, [event.data.requestId]);
    return true;
  });
}
