import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { Columns, ErrorNotice, Loading, PageHeading, Success, Time, useAsync } from '../ui';

interface DueReview {
  requestId: string;
  direction: string;
  receivedAt: string;
  exchangeEndedAt: string;
  dueAt?: string;
  lastReviewedAt?: string | null;
}

/** SPEC §10 for the data-protection officer: reviews due, keep (a review) or erase, each with a justification. */
export function DataProtectionPage() {
  const list = useAsync(() => get<{ asOf: string; reviews: DueReview[] }>('/v1/data-protection/reviews'), []);
  const [requestId, setRequestId] = useState('');
  const [reason, setReason] = useState('');
  const [justification, setJustification] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const act = async (what: 'review' | 'erasure') => {
    setError(undefined);
    setDone(undefined);
    try {
      await post(`/v1/requests/${requestId.trim()}/${what}`, { reason }, { justification });
      setDone(
        what === 'review'
          ? `Review of ${requestId} recorded: the data is kept.`
          : `The personal data of ${requestId} is erased.`,
      );
      list.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section>
      <PageHeading title="Reviews and erasure">Reviews and erasure</PageHeading>
      <ErrorNotice error={list.error} />
      {list.loading && !list.data && <Loading what="the reviews" />}
      {list.data && list.data.reviews.length === 0 && <p>No review is due.</p>}
      {list.data && list.data.reviews.length > 0 && (
        <table>
          <caption>Requests whose review is due, most overdue first</caption>
          <Columns names={['Request', 'Direction', 'Exchange ended', 'Review due', 'Action']} />
          <tbody>
            {list.data.reviews.map((r) => (
              <tr key={r.requestId}>
                <td>
                  <a href={`#/requests/${r.requestId}`}>{r.requestId.slice(0, 8)}</a>
                </td>
                <td>{r.direction}</td>
                <td>
                  <Time iso={r.exchangeEndedAt} />
                </td>
                <td>
                  <Time iso={r.dueAt} />
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={`Choose request ${r.requestId.slice(0, 8)}`}
                    onClick={() => setRequestId(r.requestId)}
                  >
                    Choose
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Decide on one request</h2>
      <form onSubmit={(e) => e.preventDefault()} noValidate>
        <div class="field">
          <label for="dp-request">Request id</label>
          <input id="dp-request" value={requestId} onInput={(e) => setRequestId(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="dp-reason">Reason</label>
          <textarea
            id="dp-reason"
            rows={2}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="dp-justification">Justification</label>
          <input
            id="dp-justification"
            value={justification}
            onInput={(e) => setJustification(e.currentTarget.value)}
          />
        </div>
        <ErrorNotice error={error} />
        {done && <Success>{done}</Success>}
        <button type="button" onClick={() => void act('review')}>
          Keep (record a review)
        </button>{' '}
        <button type="button" class="danger" onClick={() => void act('erasure')}>
          Erase personal data
        </button>
      </form>
    </section>
  );
}
