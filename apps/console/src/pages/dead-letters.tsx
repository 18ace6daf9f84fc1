import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { Columns, ErrorNotice, Loading, PageHeading, Success, Time, useAsync } from '../ui';

interface DeadLetter {
  id: string;
  failedIn: string;
  topic: string;
  requestId: string | null;
  error: { code: string; message: string };
  attempts: number;
  deadLetteredAt: string;
  status: string;
  redriveCount: number;
}

/** `GET /v1/dead-letters` and re-drive (`X-Justification`, logged with who and why). */
export function DeadLettersPage() {
  const [status, setStatus] = useState('open');
  const list = useAsync(
    () => get<{ deadLetters: DeadLetter[] }>(`/v1/dead-letters?status=${status}`),
    [status],
  );
  const [justification, setJustification] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const redrive = async (letter: DeadLetter) => {
    setError(undefined);
    setDone(undefined);
    try {
      await post(`/v1/dead-letters/${letter.id}/redrive`, {}, { justification });
      setDone(`${letter.id} sent back to ${letter.topic}.`);
      list.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section>
      <PageHeading title="Dead letters">Dead letters</PageHeading>
      <div class="filters">
        <div class="filter">
          <label for="dl-status">Show</label>
          <select id="dl-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="open">open</option>
            <option value="redriven">re-driven</option>
            <option value="all">all</option>
          </select>
        </div>
        <div class="filter wide">
          <label for="dl-justification">Justification for a re-drive</label>
          <input
            id="dl-justification"
            value={justification}
            onInput={(e) => setJustification(e.currentTarget.value)}
          />
        </div>
      </div>
      <ErrorNotice error={list.error ?? error} />
      {done && <Success>{done}</Success>}
      {list.loading && !list.data && <Loading what="the dead letters" />}
      {list.data && list.data.deadLetters.length === 0 && <p>No dead letter.</p>}
      {list.data && list.data.deadLetters.length > 0 && (
        <table>
          <caption>Messages no consumer could handle</caption>
          <Columns names={['When', 'Topic', 'Failed in', 'Error', 'Request', 'Action']} />
          <tbody>
            {list.data.deadLetters.map((d) => (
              <tr key={d.id}>
                <td>
                  <Time iso={d.deadLetteredAt} />
                </td>
                <td>{d.topic}</td>
                <td>{d.failedIn}</td>
                <td>
                  {d.error.code}: {d.error.message}
                </td>
                <td>
                  {d.requestId ? <a href={`#/requests/${d.requestId}`}>{d.requestId.slice(0, 8)}</a> : '—'}
                </td>
                <td>
                  {d.status === 'open' ? (
                    <button type="button" aria-label={`Re-drive ${d.id}`} onClick={() => void redrive(d)}>
                      Re-drive
                    </button>
                  ) : (
                    `re-driven ${d.redriveCount}×`
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
