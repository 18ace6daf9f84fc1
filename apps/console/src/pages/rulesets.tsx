import { useState } from 'preact/hooks';
import { sampleRequestBody } from '../../../../libs/domain/src/sample-request';
import { get, post } from '../api';
import { hasRole, type Claims } from '../session';
import { Columns, ErrorNotice, Loading, PageHeading, Status, Success, Time, useAsync } from '../ui';

interface Summary {
  version: string;
  hash: string;
  status: string;
  createdBy?: string;
  createdAt?: string;
  activatedAt?: string | null;
}

interface Rule {
  id: string;
  description?: string;
  [key: string]: unknown;
}

interface RulesetDocument {
  version: string;
  rules: Rule[];
}

export interface RuleDiff {
  added: Rule[];
  removed: Rule[];
  changed: { before: Rule; after: Rule }[];
}

/** Rule by rule, by id: what `to` adds, removes and changes against `from`. */
export function diffRules(from: readonly Rule[], to: readonly Rule[]): RuleDiff {
  const before = new Map(from.map((r) => [r.id, r]));
  const after = new Map(to.map((r) => [r.id, r]));
  return {
    added: to.filter((r) => !before.has(r.id)),
    removed: from.filter((r) => !after.has(r.id)),
    changed: to
      .filter((r) => before.has(r.id) && JSON.stringify(before.get(r.id)) !== JSON.stringify(r))
      .map((r) => ({ before: before.get(r.id)!, after: r })),
  };
}

/** Rule sets: list, diff two versions, simulate a request, validate and (administrators) activate. */
export function RulesetsPage({ claims }: { claims: Claims }) {
  const list = useAsync(() => get<Summary[] | { rulesets: Summary[] }>('/v1/rulesets'), []);
  const rulesets = Array.isArray(list.data) ? list.data : (list.data?.rulesets ?? []);
  const active = rulesets.find((r) => r.status === 'active')?.version ?? '';
  return (
    <section>
      <PageHeading title="Rule sets">Rule sets</PageHeading>
      <ErrorNotice error={list.error} />
      {list.loading && !list.data && <Loading what="the rule sets" />}
      {rulesets.length > 0 && (
        <>
          <table>
            <caption>Every rule set with its status</caption>
            <Columns names={['Version', 'Status', 'Created', 'Activated', 'Hash']} />
            <tbody>
              {rulesets.map((r) => (
                <tr key={r.version}>
                  <td>{r.version}</td>
                  <td>
                    <Status value={r.status} />
                  </td>
                  <td>
                    <Time iso={r.createdAt} /> {r.createdBy ?? ''}
                  </td>
                  <td>
                    <Time iso={r.activatedAt} />
                  </td>
                  <td>
                    <code>{r.hash.slice(0, 12)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Diff versions={rulesets.map((r) => r.version)} active={active} />
          {hasRole(claims, 'spoc_operator', 'admin') && (
            <Simulate versions={rulesets.map((r) => r.version)} active={active} />
          )}
          {hasRole(claims, 'admin', 'spoc_operator') && (
            <Activate
              versions={rulesets.map((r) => r.version)}
              canActivate={hasRole(claims, 'admin')}
              onDone={list.reload}
            />
          )}
        </>
      )}
    </section>
  );
}

function VersionSelect(props: {
  id: string;
  label: string;
  versions: string[];
  value: string;
  onChange: (v: string) => void;
}) {
  return (
    <div class="filter">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.versions.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </div>
  );
}

function Diff({ versions, active }: { versions: string[]; active: string }) {
  const [from, setFrom] = useState(versions[0] ?? '');
  const [to, setTo] = useState(active || (versions.at(-1) ?? ''));
  const [diff, setDiff] = useState<RuleDiff>();
  const [error, setError] = useState<unknown>();
  const compare = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const [a, b] = await Promise.all(
        [from, to].map((v) => get<{ document: RulesetDocument }>(`/v1/rulesets/${encodeURIComponent(v)}`)),
      );
      setDiff(diffRules(a.document.rules, b.document.rules));
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section aria-labelledby="diff-heading">
      <h2 id="diff-heading">Compare two versions</h2>
      <form class="filters" onSubmit={(e) => void compare(e)}>
        <VersionSelect
          id="diff-from"
          label="From version"
          versions={versions}
          value={from}
          onChange={setFrom}
        />
        <VersionSelect id="diff-to" label="To version" versions={versions} value={to} onChange={setTo} />
        <button type="submit">Compare</button>
      </form>
      <ErrorNotice error={error} />
      {diff && (
        <div class="diff" role="region" aria-label={`Differences from ${from} to ${to}`}>
          {diff.added.length + diff.removed.length + diff.changed.length === 0 && (
            <p>The rules are the same.</p>
          )}
          {diff.added.map((r) => (
            <p key={`a-${r.id}`} class="added">
              + added <code>{r.id}</code>: {r.description}
            </p>
          ))}
          {diff.removed.map((r) => (
            <p key={`r-${r.id}`} class="removed">
              − removed <code>{r.id}</code>: {r.description}
            </p>
          ))}
          {diff.changed.map(({ before, after }) => (
            <details key={`c-${after.id}`} class="changed">
              <summary>
                ~ changed <code>{after.id}</code>
              </summary>
              <pre>{`before: ${JSON.stringify(before, null, 1)}\nafter:  ${JSON.stringify(after, null, 1)}`}</pre>
            </details>
          ))}
        </div>
      )}
    </section>
  );
}

function Simulate({ versions, active }: { versions: string[]; active: string }) {
  const [version, setVersion] = useState(active || (versions[0] ?? ''));
  const [body, setBody] = useState(() => JSON.stringify(sampleRequestBody(), null, 2));
  const [result, setResult] = useState<unknown>();
  const [error, setError] = useState<unknown>();
  const run = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setResult(undefined);
    let request: unknown;
    try {
      request = JSON.parse(body);
    } catch {
      setError(new Error('The request is not JSON.'));
      return;
    }
    try {
      setResult(await post('/v1/routing/simulate', { request, rulesetVersion: version }));
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section aria-labelledby="simulate-heading">
      <h2 id="simulate-heading">Simulate a request</h2>
      <form onSubmit={(e) => void run(e)}>
        <VersionSelect
          id="simulate-version"
          label="Rule set version"
          versions={versions}
          value={version}
          onChange={setVersion}
        />
        <div class="field">
          <label for="simulate-body">Request (JSON)</label>
          <textarea
            id="simulate-body"
            rows={10}
            class="code"
            value={body}
            onInput={(e) => setBody(e.currentTarget.value)}
          />
        </div>
        <button type="submit">Simulate</button>
      </form>
      <ErrorNotice error={error} />
      {result !== undefined && (
        <section aria-label="Simulated decision">
          <pre class="result">{JSON.stringify(result, null, 2)}</pre>
        </section>
      )}
    </section>
  );
}

function Activate({
  versions,
  canActivate,
  onDone,
}: {
  versions: string[];
  canActivate: boolean;
  onDone: () => void;
}) {
  const [version, setVersion] = useState(versions.at(-1) ?? '');
  const [justification, setJustification] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const act = async (what: 'validate' | 'activate') => {
    setError(undefined);
    setDone(undefined);
    try {
      const answer = await post<{ valid?: boolean; issues?: string[] }>(
        `/v1/rulesets/${encodeURIComponent(version)}/${what}`,
        {},
        { justification },
      );
      if (what === 'validate') {
        setDone(
          answer.valid
            ? `${version} is valid.`
            : `${version} is not valid: ${(answer.issues ?? []).join('; ')}`,
        );
      } else {
        setDone(`${version} is now the active rule set.`);
        onDone();
      }
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section aria-labelledby="activate-heading">
      <h2 id="activate-heading">Validate and activate</h2>
      <div class="filters">
        <VersionSelect
          id="activate-version"
          label="Version"
          versions={versions}
          value={version}
          onChange={setVersion}
        />
        {canActivate && (
          <div class="filter wide">
            <label for="activate-justification">Justification for the activation</label>
            <input
              id="activate-justification"
              value={justification}
              onInput={(e) => setJustification(e.currentTarget.value)}
            />
          </div>
        )}
      </div>
      <button type="button" onClick={() => void act('validate')}>
        Validate
      </button>{' '}
      {canActivate && (
        <button type="button" onClick={() => void act('activate')}>
          Activate
        </button>
      )}
      <ErrorNotice error={error} />
      {done && <Success>{done}</Success>}
    </section>
  );
}
