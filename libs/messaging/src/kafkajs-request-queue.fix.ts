/**
 * kafkajs 2.2.4 (its last release) re-arms a timer on every broker connection after each request,
 * even when no request waits and nothing is throttled: `throttledUntil - Date.now()` is negative,
 * so `setTimeout` fires after 1 ms and arms itself again — a 1 kHz loop per connection, for the
 * life of the process (tulios/kafkajs#1556, #1704; the fix in #1667/#1768 is unreleased). With a
 * consumer per topic, that loop was most of an idle service's CPU (BENCHMARKS.md, issue 17).
 *
 * `fixRequestQueueTimer` replaces that one method with the upstream proposal: schedule a check
 * only when requests wait (in 10 ms, or when the throttle ends) or a throttle is still running.
 * A request that cannot go out at once is queued by `push`, which schedules the check itself, so
 * no request is left waiting. Applied once, before any client is created (`createKafka`).
 */
import { createRequire } from 'node:module';

/** The fields of kafkajs's RequestQueue that the check reads. */
interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own interval between checks while requests wait (CHECK_PENDING_REQUESTS_INTERVAL). */
const CHECK_PENDING_INTERVAL_MS = 10;

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
  applied = true;
}
