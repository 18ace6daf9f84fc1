import { fixRequestQueueTimer, kafkajsRequestQueue } from './kafkajs-request-queue.fix';

/** A RequestQueue of the installed kafkajs, with only the fields its check reads. */
function queue(fields: { pending?: unknown[]; throttledUntil?: number }) {
  const q = Object.create(kafkajsRequestQueue().prototype) as {
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    checkPendingRequests: jest.Mock;
    scheduleCheckPendingRequests(): void;
  };
  q.pending = fields.pending ?? [];
  q.throttledUntil = fields.throttledUntil ?? -1;
  q.throttleCheckTimeoutId = null;
  q.checkPendingRequests = jest.fn();
  return q;
}

describe('kafkajs request queue timer fix', () => {
  beforeAll(() => fixRequestQueueTimer());
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('arms no timer when nothing waits and nothing is throttled (kafkajs 2.2.4 looped every 1 ms)', () => {
    const q = queue({});
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('checks waiting requests again after 10 ms', () => {
    const q = queue({ pending: [{}] });
    q.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(9);
    expect(q.checkPendingRequests).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(q.checkPendingRequests).toHaveBeenCalledTimes(1);
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('checks waiting requests when a throttle ends, and arms one timer at a time', () => {
    const q = queue({ pending: [{}], throttledUntil: Date.now() + 300 });
    q.scheduleCheckPendingRequests();
    q.scheduleCheckPendingRequests();
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(299);
    expect(q.checkPendingRequests).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(q.checkPendingRequests).toHaveBeenCalledTimes(1);
  });

  it('looks for timed-out requests every second, not every 100 ms, and still times them out', () => {
    const timeoutRequest = jest.fn();
    const q = Object.create(kafkajsRequestQueue().prototype) as {
      enforceRequestTimeout: boolean;
      requestTimeout: number;
      requestTimeoutIntervalId?: NodeJS.Timeout;
      inflight: Map<number, { sentAt: number; requestTimeout: number; timeoutRequest: () => void }>;
      isConnected: jest.Mock;
      destroy(): void;
      scheduleRequestTimeoutCheck(): void;
    };
    q.enforceRequestTimeout = true;
    q.requestTimeout = 10_000;
    q.inflight = new Map([[1, { sentAt: Date.now(), requestTimeout: 1500, timeoutRequest }]]);
    q.isConnected = jest.fn(() => true);
    q.destroy = function destroy() {
      clearInterval(this.requestTimeoutIntervalId);
    };
    q.scheduleRequestTimeoutCheck();
    jest.advanceTimersByTime(1999);
    expect(timeoutRequest).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(timeoutRequest).toHaveBeenCalled();
    jest.advanceTimersByTime(8000);
    expect(q.isConnected).toHaveBeenCalledTimes(10);
    q.destroy();
  });
});
