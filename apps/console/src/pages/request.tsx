import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { events } from '../events';
import { hasRole, type Claims } from '../session';
import { Columns, ErrorNotice, Loading, PageHeading, Status, Time, useAsync } from '../ui';
import { CaseActions } from './case-actions';
import { TimelinePanel } from './timeline';
import type { RequestView } from './request-view';

type Tab = 'overview' | 'timeline';
const TABS: { id: Tab; label: string }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'timeline', label: 'Timeline' },
];

/** One request: status, decision and reasons, deliveries, messages, the case's steps and its timeline. */
export function RequestPage({ id, claims }: { id: string; claims: Claims }) {
  const view = useAsync(() => get<RequestView>(`/v1/requests/${id}`), [id]);
  const [tab, setTab] = useState<Tab>('overview');
  // Live: a status change of this request (or a reconnected stream) reads it again.
  useEffect(
    () =>
      events.subscribe((e) => {
        if (e.type === 'open' || (e.type === 'status' && e.change.requestId === id)) view.reload();
      }),
    [id, view.reload],
  );
  const onTabKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const next =
      TABS[
        (TABS.findIndex((t) => t.id === tab) + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length
      ];
    setTab(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };
  const data = view.data;
  return (
    <section>
      <PageHeading title={`Request ${id.slice(0, 8)}`}>Request {id.slice(0, 8)}</PageHeading>
      <ErrorNotice error={view.error} />
      {!data && view.loading && <Loading what="the request" />}
      {data && (
        <>
          <p class="status-line" aria-live="polite">
            Status: <Status value={data.status} />
            {data.deadline.suspended && <span class="tag">deadline suspended</span>}
          </p>
          <div role="tablist" aria-label="Request views" onKeyDown={onTabKey}>
            {TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                id={`tab-${t.id}`}
                aria-selected={tab === t.id}
                aria-controls={`panel-${t.id}`}
                tabIndex={tab === t.id ? 0 : -1}
                onClick={() => setTab(t.id)}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id="panel-overview" aria-labelledby="tab-overview" hidden={tab !== 'overview'}>
            <Overview view={data} />
            <CaseActions view={data} claims={claims} onDone={view.reload} />
          </div>
          <div role="tabpanel" id="panel-timeline" aria-labelledby="tab-timeline" hidden={tab !== 'timeline'}>
            {tab === 'timeline' &&
              (hasRole(claims, 'auditor') ? <TimelinePanel requestId={id} /> : <History view={data} />)}
          </div>
        </>
      )}
    </section>
  );
}

function Overview({ view }: { view: RequestView }) {
  const r = view.request;
  return (
    <>
      {view.erasure && (
        <p class="notice">
          Personal data erased on <Time iso={view.erasure.at} /> by {view.erasure.by} ({view.erasure.unit}):{' '}
          {view.erasure.reason}
        </p>
      )}
      <dl class="facts">
        <dt>Direction</dt>
        <dd>
          {view.origin.direction}
          {view.origin.originPartner
            ? ` from ${view.origin.originPartner} over ${view.origin.originChannel}`
            : ''}
        </dd>
        <dt>Requesting unit</dt>
        <dd>
          {view.requestingUnit} ({view.level ?? 'foreign partner'})
        </dd>
        {view.origin.assignedUnit && (
          <>
            <dt>Handled by</dt>
            <dd>{view.origin.assignedUnit}</dd>
          </>
        )}
        <dt>Target countries</dt>
        <dd>{r.targetCountries?.join(', ') || '—'}</dd>
        <dt>Offence</dt>
        <dd>
          {r.offence?.category?.replace(/_/g, ' ')}
          {r.offence?.description ? `: ${r.offence.description}` : ''}
        </dd>
        {r.informationSought && (
          <>
            <dt>Information sought</dt>
            <dd>{r.informationSought}</dd>
          </>
        )}
        <dt>Urgency</dt>
        <dd>{r.urgency?.urgent ? `urgent (${r.urgency.ground?.replace(/_/g, ' ')})` : 'not urgent'}</dd>
        <dt>Handling code · language</dt>
        <dd>
          {r.handlingCode} · {r.language}
        </dd>
        <dt>Received</dt>
        <dd>
          <Time iso={view.receivedAt} />
        </dd>
        <dt>Deadline</dt>
        <dd>
          <Time iso={view.deadline.at} /> ({view.deadline.basis.replace(/_/g, ' ')})
        </dd>
      </dl>
      <h2>Decision and reasons</h2>
      {view.decision ? (
        <>
          <table>
            <caption>Routes chosen by rule set {view.decision.rulesetVersion}</caption>
            <Columns names={['Channel', 'Destination', 'Role', 'Rule', 'Reason']} />
            <tbody>
              {view.decision.routes.map((route) => (
                <tr key={`${route.channel}-${route.destination}-${route.role}`}>
                  <td>{route.channel}</td>
                  <td>{route.destination}</td>
                  <td>{route.role}</td>
                  <td>{route.ruleId}</td>
                  <td>{route.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            Europol copy: {view.decision.europolCopy.copy ? 'yes' : 'no'} — {view.decision.europolCopy.reason}
          </p>
        </>
      ) : (
        <p>Not routed yet.</p>
      )}
      <h2>Deliveries</h2>
      {view.deliveries.length === 0 ? (
        <p>None yet.</p>
      ) : (
        <table>
          <caption>Each route's delivery to its partner</caption>
          <Columns names={['Channel', 'Destination', 'Role', 'Status', 'Attempts', 'Completed']} />
          <tbody>
            {view.deliveries.map((d) => (
              <tr key={d.id}>
                <td>{d.channel}</td>
                <td>{d.destination}</td>
                <td>{d.role}</td>
                <td>
                  <Status value={d.status} />
                  {d.lastError && <span class="hint"> {d.lastError}</span>}
                </td>
                <td>{d.attempts}</td>
                <td>
                  <Time iso={d.completedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Messages</h2>
      {view.replies.length === 0 ? (
        <p>No answer or other message yet.</p>
      ) : (
        <ol class="messages">
          {view.replies.map((m) => (
            <li key={m.id}>
              <p>
                <strong>{m.kind.replace(/_/g, ' ')}</strong> {m.direction === 'inbound' ? 'from' : 'to'}{' '}
                {m.partner} over {m.channel} · <Status value={m.status} />
                {m.ground && ` · ground ${m.ground.replace(/_/g, ' ')}${m.partial ? ' (partial)' : ''}`}
                {m.expectedBy && (
                  <>
                    {' '}
                    · expected by <Time iso={m.expectedBy} />
                  </>
                )}
                {m.kind === 'clarification' && m.closedAt === null && <span class="tag">open</span>}
              </p>
              {m.text && <blockquote>{m.text}</blockquote>}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

/** The case's steps as the request view tells them (every role that may read the request). */
function History({ view }: { view: RequestView }) {
  return (
    <>
      <h2>Timeline</h2>
      <p>The steps of this case. Auditors see the exchange log's entries here, each with its proof.</p>
      <ol class="timeline">
        {view.history.map((step, i) => (
          <li key={i}>
            <Time iso={step.at} /> — {step.kind.replace(/_/g, ' ')}
            {typeof step.channel === 'string' &&
              ` (${step.channel}${typeof step.destination === 'string' ? ` → ${step.destination}` : ''})`}
          </li>
        ))}
      </ol>
    </>
  );
}
