import { useState } from 'preact/hooks';
import { CHANNELS } from '../../../../libs/domain/src/channel';
import { REQUEST_STATUSES } from '../../../../libs/domain/src/status';
import { UNIT_LEVELS } from '../../../../libs/domain/src/request';
import { get, query } from '../api';
import { hasRole, type Claims } from '../session';
import { Columns, ErrorNotice, Loading, PageHeading, Status, Time, useAsync } from '../ui';

export interface ListItem {
  id: string;
  direction: string;
  status: string;
  unit: string;
  level: string | null;
  targetCountries: string[];
  offenceCategory: string | null;
  urgent: boolean;
  deadline: string | null;
  receivedAt: string;
  updatedAt: string;
}

interface Filters {
  q: string;
  direction: string;
  status: string;
  country: string;
  channel: string;
  level: string;
  urgent: string;
}

const NONE: Filters = { q: '', direction: '', status: '', country: '', channel: '', level: '', urgent: '' };

/** `GET /v1/requests` (SPEC §7): the requests the caller may see, searched and filtered, a page at a time. */
export function RequestsPage({ claims }: { claims: Claims }) {
  const [draft, setDraft] = useState<Filters>(NONE);
  const [filters, setFilters] = useState<Filters>(NONE);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = useAsync(
    () =>
      get<{ items: ListItem[]; nextCursor: string | null }>(
        `/v1/requests${query({ ...filters, country: filters.country.toUpperCase(), limit: 50, cursor })}`,
      ),
    [filters, cursor],
  );
  const everything = hasRole(claims, 'spoc_operator', 'auditor');
  const select = (key: keyof Filters, labelText: string, values: readonly string[]) => (
    <div class="filter">
      <label for={`f-${key}`}>{labelText}</label>
      <select
        id={`f-${key}`}
        value={draft[key]}
        onChange={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })}
      >
        <option value="">any</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {v.replace(/_/g, ' ')}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <section>
      <PageHeading title="Requests">{everything ? 'All requests' : `Requests of ${claims.unit}`}</PageHeading>
      <form
        class="filters"
        role="search"
        aria-label="Search and filter the requests"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([]);
          setFilters(draft);
        }}
      >
        <div class="filter wide">
          <label for="f-q">Search text and subject names</label>
          <input
            id="f-q"
            type="search"
            value={draft.q}
            onInput={(e) => setDraft({ ...draft, q: e.currentTarget.value })}
          />
        </div>
        {select('direction', 'Direction', ['outbound', 'inbound'])}
        {select('status', 'Status', REQUEST_STATUSES)}
        <div class="filter">
          <label for="f-country">Country</label>
          <input
            id="f-country"
            size={4}
            maxLength={2}
            value={draft.country}
            onInput={(e) => setDraft({ ...draft, country: e.currentTarget.value })}
          />
        </div>
        {select('channel', 'Channel', CHANNELS)}
        {select('level', 'Level', UNIT_LEVELS)}
        {select('urgent', 'Urgent', ['true', 'false'])}
        <button type="submit">Search</button>
      </form>
      <ErrorNotice error={page.error} />
      {page.loading && !page.data ? <Loading what="the requests" /> : null}
      {page.data && <RequestTable items={page.data.items} caption="Requests, earliest deadline first" />}
      <div class="pager">
        {cursors.length > 0 && (
          <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
        )}
        {page.data?.nextCursor && (
          <button type="button" onClick={() => setCursors([...cursors, page.data!.nextCursor!])}>
            Next page
          </button>
        )}
      </div>
    </section>
  );
}

export function RequestTable({ items, caption }: { items: readonly ListItem[]; caption: string }) {
  if (items.length === 0) return <p>No request matches.</p>;
  return (
    <table>
      <caption>{caption}</caption>
      <Columns
        names={['Request', 'Direction', 'Status', 'Unit', 'Countries', 'Offence', 'Deadline', 'Received']}
      />
      <tbody>
        {items.map((item) => (
          <tr key={item.id}>
            <td>
              <a href={`#/requests/${item.id}`} aria-label={`Request ${item.id.slice(0, 8)}`}>
                {item.id.slice(0, 8)}
              </a>
              {item.urgent && <span class="tag urgent">urgent</span>}
            </td>
            <td>{item.direction}</td>
            <td>
              <Status value={item.status} />
            </td>
            <td>{item.unit}</td>
            <td>{item.targetCountries.join(', ')}</td>
            <td>{item.offenceCategory?.replace(/_/g, ' ') ?? '—'}</td>
            <td>
              <Time iso={item.deadline} />
            </td>
            <td>
              <Time iso={item.receivedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
