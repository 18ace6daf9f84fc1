import { get } from '../api';
import { Columns, ErrorNotice, Loading, PageHeading, Status, Time, useAsync } from '../ui';

interface Health {
  at: string;
  days: number;
  circuits: {
    channel: string;
    destination: string;
    state: string;
    since: string;
    reportedAt: string;
    reason: string | null;
  }[];
  fallbacks: { channel: string; destination: string; deliveries: number; lastAt: string }[];
}

/** `GET /v1/channels/health`: partner circuits and the fallback routes taken (technical incidents). */
export function ChannelHealthPage() {
  const health = useAsync(() => get<Health>('/v1/channels/health?days=7'), []);
  const open = health.data?.circuits.filter((c) => c.state !== 'closed') ?? [];
  return (
    <section>
      <PageHeading title="Channel health">Channel health</PageHeading>
      <button type="button" onClick={health.reload}>
        Refresh
      </button>
      <ErrorNotice error={health.error} />
      {health.loading && !health.data && <Loading what="the channels" />}
      {health.data && (
        <>
          <p role="status">
            {open.length === 0
              ? 'Every partner circuit is closed: all channels deliver.'
              : `${open.length} partner circuit(s) open or testing: requests take their fallback routes.`}{' '}
            As of <Time iso={health.data.at} />.
          </p>
          <h2>Partner circuits</h2>
          {health.data.circuits.length === 0 ? (
            <p>No adapter has reported a circuit yet.</p>
          ) : (
            <table>
              <caption>Circuit state per channel and partner, as the adapters report it</caption>
              <Columns names={['Channel', 'Partner', 'State', 'Since', 'Reason']} />
              <tbody>
                {health.data.circuits.map((c) => (
                  <tr key={`${c.channel}-${c.destination}`} class={c.state === 'closed' ? '' : 'overdue'}>
                    <td>{c.channel}</td>
                    <td>{c.destination}</td>
                    <td>
                      <Status value={c.state} />
                    </td>
                    <td>
                      <Time iso={c.since} />
                    </td>
                    <td>{c.reason ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Fallbacks taken in the last {health.data.days} days</h2>
          {health.data.fallbacks.length === 0 ? (
            <p>No request took a fallback route.</p>
          ) : (
            <table>
              <caption>Deliveries sent on a fallback route (Art 13(2)(c))</caption>
              <Columns names={['Channel', 'Destination', 'Deliveries', 'Last']} />
              <tbody>
                {health.data.fallbacks.map((f) => (
                  <tr key={`${f.channel}-${f.destination}`}>
                    <td>{f.channel}</td>
                    <td>{f.destination}</td>
                    <td>{f.deliveries}</td>
                    <td>
                      <Time iso={f.lastAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
