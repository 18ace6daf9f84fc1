import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import { events } from '../events';
import { Columns, ErrorNotice, Loading, PageHeading, Status, Success, Time, useAsync } from '../ui';
import type { ListItem } from './requests';

interface QueueItem extends ListItem {
  overdue: boolean;
  dueWithinHours: number | null;
}

/** Due within this many hours: amber. */
const DUE_SOON_HOURS = 24;

/** `GET /v1/queue`: the desk's open work by deadline — overdue in red, due soon in amber — and assignment. */
export function QueuePage() {
  const [filter, setFilter] = useState<'all' | 'overdue' | 'soon'>('all');
  const page = useAsync(
    () =>
      get<{ items: QueueItem[] }>(
        `/v1/queue?limit=200${filter === 'overdue' ? '&overdue=true' : filter === 'soon' ? `&dueWithinHours=${DUE_SOON_HOURS}` : ''}`,
      ),
    [filter],
  );
  useEffect(
    () => events.subscribe((e) => (e.type === 'status' || e.type === 'open') && page.reload()),
    [page.reload],
  );
  const [assigning, setAssigning] = useState<QueueItem>();
  return (
    <section>
      <PageHeading title="Duty queue">Duty queue</PageHeading>
      <fieldset class="inline">
        <legend>Show</legend>
        {(
          [
            ['all', 'All open work'],
            ['overdue', 'Overdue only'],
            ['soon', `Due within ${DUE_SOON_HOURS} hours`],
          ] as const
        ).map(([value, text]) => (
          <span key={value} class="radio">
            <input
              type="radio"
              name="queue-filter"
              id={`queue-${value}`}
              checked={filter === value}
              onChange={() => setFilter(value)}
            />
            <label for={`queue-${value}`}>{text}</label>
          </span>
        ))}
      </fieldset>
      <ErrorNotice error={page.error} />
      {page.loading && !page.data && <Loading what="the queue" />}
      {page.data && page.data.items.length === 0 && <p>No open work.</p>}
      {page.data && page.data.items.length > 0 && (
        <table class="queue">
          <caption>Open work, earliest deadline first</caption>
          <Columns
            names={['Due', 'Request', 'Direction', 'Status', 'Unit', 'Countries', 'Offence', 'Action']}
          />
          <tbody>
            {page.data.items.map((item) => {
              const urgency = item.overdue
                ? 'overdue'
                : item.dueWithinHours !== null && item.dueWithinHours <= DUE_SOON_HOURS
                  ? 'due-soon'
                  : 'later';
              return (
                <tr key={item.id} class={urgency} data-urgency={urgency}>
                  <td>
                    <span class={`due ${urgency}`}>
                      {urgency === 'overdue' ? 'OVERDUE' : urgency === 'due-soon' ? 'DUE SOON' : ''}
                    </span>{' '}
                    <Time iso={item.deadline} />
                    {item.dueWithinHours !== null && (
                      <span class="hint">
                        {' '}
                        (
                        {item.dueWithinHours < 0
                          ? `${-item.dueWithinHours} h late`
                          : `${item.dueWithinHours} h left`}
                        )
                      </span>
                    )}
                  </td>
                  <td>
                    <a href={`#/requests/${item.id}`} aria-label={`Request ${item.id.slice(0, 8)}`}>
                      {item.id.slice(0, 8)}
                    </a>
                  </td>
                  <td>{item.direction}</td>
                  <td>
                    <Status value={item.status} />
                  </td>
                  <td>{item.unit}</td>
                  <td>{item.targetCountries.join(', ')}</td>
                  <td>{item.offenceCategory?.replace(/_/g, ' ') ?? '—'}</td>
                  <td>
                    {item.direction === 'inbound' && (
                      <button
                        type="button"
                        aria-label={`Assign request ${item.id.slice(0, 8)}`}
                        onClick={() => setAssigning(item)}
                      >
                        Assign
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {assigning && (
        <AssignForm
          item={assigning}
          onClose={() => {
            setAssigning(undefined);
            page.reload();
          }}
        />
      )}
    </section>
  );
}

function AssignForm({ item, onClose }: { item: QueueItem; onClose: () => void }) {
  const [unit, setUnit] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const contactPoints = useAsync(
    () => get<{ contactPoints?: { id: string; name: string }[] }>('/v1/directory'),
    [],
  );
  useEffect(() => document.getElementById('assign-unit')?.focus(), [item.id]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const result = await post<{ unit: string }>(`/v1/requests/${item.id}/assign`, {
        unit: unit.trim(),
        reason,
      });
      setDone(`Request ${item.id.slice(0, 8)} assigned to ${result.unit}.`);
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section class="assign" aria-labelledby="assign-heading">
      <h2 id="assign-heading">Assign request {item.id.slice(0, 8)}</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div class="field">
          <label for="assign-unit">Assign to unit</label>
          <input
            id="assign-unit"
            list="contact-points"
            value={unit}
            onInput={(e) => setUnit(e.currentTarget.value)}
          />
          <datalist id="contact-points">
            {(contactPoints.data?.contactPoints ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </datalist>
        </div>
        <div class="field">
          <label for="assign-reason">Reason for the assignment</label>
          <textarea
            id="assign-reason"
            rows={2}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </div>
        <ErrorNotice error={error} />
        {done && <Success>{done}</Success>}
        <button type="submit">Assign</button>{' '}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </form>
    </section>
  );
}
