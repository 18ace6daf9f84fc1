import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import { events, type InboxItem } from '../events';
import type { Claims } from '../session';
import { Columns, ErrorNotice, Loading, PageHeading, Time, useAsync } from '../ui';

/** `GET /v1/inbox`: what waits for the unit, newest first; new items arrive live over the event stream. */
export function InboxPage({ claims }: { claims: Claims }) {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const page = useAsync(
    () => get<{ items: InboxItem[] }>(`/v1/inbox?limit=100${unreadOnly ? '&unread=true' : ''}`),
    [unreadOnly],
  );
  const [live, setLive] = useState<InboxItem[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    setLive([]);
    return events.subscribe((e) => {
      if (e.type === 'inbox') setLive((items) => [e.item, ...items.filter((i) => i.id !== e.item.id)]);
      if (e.type === 'open') page.reload();
    });
  }, [page.reload]);
  const known = new Set(live.map((i) => i.id));
  const items = [...live, ...(page.data?.items ?? []).filter((i) => !known.has(i.id))];
  const markRead = async (item: InboxItem) => {
    try {
      const read = await post<InboxItem>(`/v1/inbox/${item.id}/read`);
      setLive((l) => [read, ...l.filter((i) => i.id !== read.id)]);
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section>
      <PageHeading title="Inbox">Inbox of {claims.unit}</PageHeading>
      <p class="hint">New items appear here as they happen.</p>
      <div class="field checkbox">
        <input
          id="unread-only"
          type="checkbox"
          checked={unreadOnly}
          onChange={(e) => setUnreadOnly(e.currentTarget.checked)}
        />
        <label for="unread-only">Unread only</label>
      </div>
      <ErrorNotice error={page.error ?? error} />
      {page.loading && !page.data && <Loading what="the inbox" />}
      {items.length === 0 && page.data && <p>Nothing waits for your unit.</p>}
      {items.length > 0 && (
        <table>
          <caption>Inbox items, newest first</caption>
          <Columns names={['When', 'What', 'Summary', 'Request', 'Read']} />
          <tbody>
            {items.map((item) => (
              <tr key={item.id} class={item.readAt ? 'read' : 'unread'}>
                <td>
                  <Time iso={item.at} />
                </td>
                <td>{item.kind.replace(/_/g, ' ')}</td>
                <td>{item.summary}</td>
                <td>
                  <a
                    href={`#/requests/${item.requestId}`}
                    aria-label={`Open request ${item.requestId.slice(0, 8)}: ${item.summary}`}
                  >
                    {item.requestId.slice(0, 8)}
                  </a>
                </td>
                <td>
                  {item.readAt ? (
                    'read'
                  ) : (
                    <button
                      type="button"
                      onClick={() => void markRead(item)}
                      aria-label={`Mark read: ${item.summary}`}
                    >
                      Mark read
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
