/**
 * Refusals recorded without flooding (issue 12): the first refusal of a caller on a resource in a
 * window is recorded at once; the ones after it in the same window are only counted, and when the
 * window closes one more entry says how many there were. 5,000 refused reads of one request by one
 * caller make two entries per window, not 5,000. Memory is bounded: at most `maxKeys` windows are
 * open; a new caller beyond that closes the oldest window early (its count is still recorded).
 */
export interface RepeatedDenials<T> {
  /** The first refusal's facts (who, what), for the summary entry. */
  readonly first: T;
  /** Refusals after the first, within the window. */
  readonly repeated: number;
  readonly from: Date;
  readonly to: Date;
}

interface OpenWindow<T> {
  first: T;
  repeated: number;
  openedAt: number;
  lastAt: number;
}

export class DenialWindows<T> {
  private readonly open = new Map<string, OpenWindow<T>>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /**
   * True when this refusal opens a window (record it now); false when it is counted in an open
   * window. Returns the windows this call closed (too old, or pushed out), to record as summaries.
   */
  offer(key: string, facts: T, now: Date): { recordNow: boolean; closed: RepeatedDenials<T>[] } {
    const closed = this.closeExpired(now);
    const at = now.getTime();
    const current = this.open.get(key);
    if (current) {
      current.repeated++;
      current.lastAt = at;
      return { recordNow: false, closed };
    }
    if (this.open.size >= this.maxKeys) {
      const [oldestKey] = this.open.keys();
      if (oldestKey !== undefined) closed.push(...this.close(oldestKey));
    }
    this.open.set(key, { first: facts, repeated: 0, openedAt: at, lastAt: at });
    return { recordNow: true, closed };
  }

  /** Windows older than the window length, closed now (the recorder's timer calls this). */
  closeExpired(now: Date): RepeatedDenials<T>[] {
    const closed: RepeatedDenials<T>[] = [];
    // Insertion order is opening order: stop at the first window still open.
    for (const [key, window] of this.open) {
      if (now.getTime() - window.openedAt < this.windowMs) break;
      closed.push(...this.close(key));
    }
    return closed;
  }

  /** Every open window, closed (at shutdown). */
  closeAll(): RepeatedDenials<T>[] {
    return [...this.open.keys()].flatMap((key) => this.close(key));
  }

  get size(): number {
    return this.open.size;
  }

  private close(key: string): RepeatedDenials<T>[] {
    const window = this.open.get(key);
    this.open.delete(key);
    if (!window || window.repeated === 0) return [];
    return [
      {
        first: window.first,
        repeated: window.repeated,
        from: new Date(window.openedAt),
        to: new Date(window.lastAt),
      },
    ];
  }
}
