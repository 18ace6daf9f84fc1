import { useState } from 'preact/hooks';
import { get, query } from '../api';
import { BarChart, ErrorNotice, Loading, PageHeading, useAsync } from '../ui';

interface Row {
  group: Record<string, string | null>;
  requests: number;
  answered: number;
  answeredInTime: number;
  late: number;
  unansweredPastDeadline: number;
  refused: number;
  medianSecondsToAnswer: number | null;
}

const DIMENSIONS = [
  ['level', 'Requests by level of the submitting unit'],
  ['country', 'Requests by country'],
  ['channel', 'Requests by channel'],
  ['month', 'Requests by month of receipt'],
] as const;

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `GET /v1/statistics` (SPEC §9): the period's counts by level, country, channel and month, as charts and tables. */
export function StatisticsPage() {
  const today = new Date();
  const [draft, setDraft] = useState({
    from: isoDay(new Date(today.getTime() - 365 * 86_400_000)),
    to: isoDay(new Date(today.getTime() + 86_400_000)),
  });
  const [period, setPeriod] = useState(draft);
  const data = useAsync(async () => {
    const [total, ...groups] = await Promise.all([
      get<{ rows: Row[] }>(`/v1/statistics${query({ from: period.from, to: period.to })}`),
      ...DIMENSIONS.map(([dimension]) =>
        get<{ rows: Row[] }>(
          `/v1/statistics${query({ from: period.from, to: period.to, groupBy: dimension })}`,
        ),
      ),
    ]);
    return { total: total.rows[0], groups: groups.map((g) => g.rows) };
  }, [period.from, period.to]);
  const t = data.data?.total;
  return (
    <section>
      <PageHeading title="Statistics">Statistics</PageHeading>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setPeriod(draft);
        }}
      >
        <div class="filter">
          <label for="stats-from">From (received on or after)</label>
          <input
            id="stats-from"
            type="date"
            value={draft.from}
            onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })}
          />
        </div>
        <div class="filter">
          <label for="stats-to">To (before)</label>
          <input
            id="stats-to"
            type="date"
            value={draft.to}
            onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })}
          />
        </div>
        <button type="submit">Show</button>
      </form>
      <ErrorNotice error={data.error} />
      {data.loading && !data.data && <Loading what="the statistics" />}
      {t && (
        <dl class="facts totals">
          <dt>Requests</dt>
          <dd>{t.requests}</dd>
          <dt>Answered in time</dt>
          <dd>{t.answeredInTime}</dd>
          <dt>Answered late</dt>
          <dd>{t.late}</dd>
          <dt>Unanswered past the deadline</dt>
          <dd>{t.unansweredPastDeadline}</dd>
          <dt>Refused</dt>
          <dd>{t.refused}</dd>
          <dt>Median time to answer</dt>
          <dd>
            {t.medianSecondsToAnswer === null ? '—' : `${(t.medianSecondsToAnswer / 3600).toFixed(1)} h`}
          </dd>
        </dl>
      )}
      {data.data && (
        <div class="charts">
          {DIMENSIONS.map(([dimension, title], i) => (
            <BarChart
              key={dimension}
              id={`chart-${dimension}`}
              title={title}
              bars={data.data!.groups[i].map((row) => ({
                label: row.group[dimension] ?? 'none',
                value: row.requests,
              }))}
            />
          ))}
        </div>
      )}
    </section>
  );
}
