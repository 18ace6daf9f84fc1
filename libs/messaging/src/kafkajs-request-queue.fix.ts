/**
 * kafkajs 2.2.4 (its last release) re-arms a timer on every broker connection after each request,
 * even when no request waits and nothing is throttled: `throttledUntil - Date.now()` is negative,
 * so `setTimeout` fires after 1 ms and arms itself again — a 1 kHz loop per connection, for the
 * life of the process (tulios/kafkajs#1556, #1704; the fix in #1667/#1768 is unreleased). With a
 * consumer per topic, that loop was most of an idle service's CPU (BENCHMARKS.md, issue 17).
 *
 * `fixRequestQueueTimer` replaces that method with the upstream proposal: schedule a check only
 * when requests wait (in 10 ms, or when the throttle ends) or a throttle is still running. It also
 * makes the request-timeout check of each connection run every second instead of every 100 ms.
 * A request that cannot go out at once is queued by `push`, which schedules the check itself, so
 * no request is left waiting. Applied once, before any client is created (`createKafka`).
 */
import { createRequire } from 'node:module';

/** The fields of kafkajs's RequestQueue that the check reads. */
interface RequestQueueLike {
  pending: unknown[];
  inflight: Map<number, { sentAt: number; requestTimeout: number; timeoutRequest(): void }>;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  requestTimeoutIntervalId?: NodeJS.Timeout;
  destroy(): void;
  isConnected(): boolean;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  scheduleRequestTimeoutCheck(): void;
}

/** kafkajs's own interval between checks while requests wait (CHECK_PENDING_REQUESTS_INTERVAL). */
const CHECK_PENDING_INTERVAL_MS = 10;

/**
 * How often a connection looks for requests past their timeout: kafkajs looks every 100 ms, on
 * every connection, for the life of the process — the other half of an idle service's timers. A
 * request then times out at most this much after its `requestTimeout` (10 s, plus the fetch's own
 * wait for a fetch), which changes nothing a caller can tell.
 */
const REQUEST_TIMEOUT_CHECK_MS = 1000;

let applied = false;

/** The RequestQueue class of the installed kafkajs (not part of its public API). */
export function kafkajsRequestQueue(): { prototype: RequestQueueLike } {
  const require = createRequire(__filename);
  return require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueLike };
}

export function fixRequestQueueTimer(): void {
  if (applied) return;
  const prototype = kafkajsRequestQueue().prototype;
  if (typeof prototype.scheduleCheckPendingRequests !== 'function') {
    throw new Error(
      'kafkajs RequestQueue.scheduleCheckPendingRequests is gone: review kafkajs-request-queue.fix.ts',
    );
  }
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueLike) {
    if (this.throttleCheckTimeoutId) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    let delay: number;
    if (this.pending.length > 0) delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_INTERVAL_MS;
    else if (untilUnthrottled > 0) delay = untilUnthrottled;
    else return; // nothing waits, nothing throttled: nothing to check later
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
  prototype.scheduleRequestTimeoutCheck = function scheduleRequestTimeoutCheck(this: RequestQueueLike) {
    if (!this.enforceRequestTimeout) return;
    this.destroy(); // clears the previous interval, as kafkajs's own does
    this.requestTimeoutIntervalId = setInterval(
      () => {
        this.inflight.forEach((request) => {
          if (Date.now() - request.sentAt > request.requestTimeout) request.timeoutRequest();
        });
        if (!this.isConnected()) this.destroy();
      },
      Math.min(this.requestTimeout, REQUEST_TIMEOUT_CHECK_MS),
    );
  };
  applied = true;
}
