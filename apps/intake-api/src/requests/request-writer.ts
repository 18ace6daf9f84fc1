import type { UnitLevel } from '@ixr/domain';
import { DependencyUnavailableError } from '@ixr/platform';
import { toDependencyError } from '../http/dependency-errors';

/** A new outbound request's row and its `received` event, stored together or not at all. */
export interface NewRequest {
  id: string;
  requestingUnit: string;
  requestedBy: string;
  /** The submitting unit's level, from the token (SPEC §9). */
  level: UnitLevel | null;
  missionType: string;
  /** The request body as JSON text (the `body` column). */
  bodyJson: string;
  bodyHash: string;
  idempotencyKey: string | null;
  receivedAt: Date;
  deadlineAt: Date | null;
  deadlineBasis: string;
  /** The outbox row of the `received` event. */
  event: { topic: string; key: string; value: string };
}

/** Stores a group of requests and their events in one transaction: all of them or none. */
export interface RequestRowsStore {
  insert(requests: readonly NewRequest[]): Promise<void>;
}

/** What the writer needs of the outbox relay. */
export interface OutboxNudge {
  nudge(): void;
}

interface Waiting {
  request: NewRequest;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export const MAX_REQUESTS_PER_WRITE = 256;

/**
 * Group commit of submissions: concurrent callers are written together, one transaction and one
 * nudge of the relay per group, because the per-request round trips to PostgreSQL were most of
 * the intake's cost. No timer: when nothing is being written a request is written at once; those
 * arriving meanwhile wait for the write in progress and form the next group (at most `maxGroup`).
 *
 * Each caller still gets its own answer. A group that fails for a row's reason (e.g. a unique
 * violation of its Idempotency-Key) is written again row by row, each in its own transaction, so
 * the other rows are stored and only that row's caller sees its error. A database that cannot be
 * reached fails the whole group at once: nothing of it was stored.
 */
export class RequestWriter {
  private readonly queue: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly store: RequestRowsStore,
    private readonly relay: OutboxNudge,
    private readonly maxGroup: number = MAX_REQUESTS_PER_WRITE,
  ) {
    if (!Number.isInteger(maxGroup) || maxGroup < 1) {
      throw new Error(`the request writer's group size must be a positive integer, got ${maxGroup}`);
    }
  }

  /** Resolves once the request and its event are committed; rejects with this request's error. */
  write(request: NewRequest): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        await this.writeGroup(this.queue.splice(0, this.maxGroup));
      }
    } finally {
      this.writing = false;
    }
  }

  /** Settles every caller of the group; never throws. */
  private async writeGroup(group: Waiting[]): Promise<void> {
    try {
      await this.store.insert(group.map((w) => w.request));
    } catch (error) {
      if (group.length === 1 || toDependencyError(error) instanceof DependencyUnavailableError) {
        for (const waiting of group) waiting.reject(error);
        return;
      }
      await this.writeOneByOne(group);
      return;
    }
    this.relay.nudge();
    for (const waiting of group) waiting.resolve();
  }

  /** In order, so that of two rows with one Idempotency-Key the first is stored and the second refused. */
  private async writeOneByOne(group: Waiting[]): Promise<void> {
    let stored = 0;
    for (const waiting of group) {
      try {
        await this.store.insert([waiting.request]);
        stored++;
        waiting.resolve();
      } catch (error) {
        waiting.reject(error);
      }
    }
    if (stored > 0) this.relay.nudge();
  }
}
