import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type FieldProblem } from './api';

export interface Async<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change; `reload()` runs it again. A late answer never overwrites a newer one. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (error: unknown) => mine === generation.current && setState((s) => ({ ...s, error, loading: false })),
    );
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A refusal of the API (or any failure), said as it came, with every field it named. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const details: readonly FieldProblem[] = error instanceof ApiError ? error.details : [];
  const code =
    error instanceof ApiError ? `${error.status ? `${error.status} ` : ''}${error.code}` : undefined;
  return (
    <div class="notice error" role="alert">
      <p>
        <strong>{messageOf(error)}</strong>
        {code && <span class="code"> ({code})</span>}
      </p>
      {details.length > 0 && (
        <ul>
          {details.map((d) => (
            <li key={d.path}>
              <code>{d.path}</code>: {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Success({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice ok" role="status">
      {children}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return <p aria-live="polite">Loading {what}…</p>;
}

export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span>—</span>;
  const date = new Date(iso);
  return <time dateTime={iso}>{date.toISOString().replace('T', ' ').slice(0, 16)} UTC</time>;
}

export function Status({ value }: { value: string }) {
  return <span class={`status status-${value}`}>{value.replace(/_/g, ' ')}</span>;
}

/** A labelled control with its own error line, announced with the field (aria-describedby). */
export function Field(props: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: (describedBy: string | undefined, invalid: boolean) => ComponentChildren;
}) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = props.error ? `${props.id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.children(describedBy, !!props.error)}
      {props.error && (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

export interface Bar {
  label: string;
  value: number;
}

/**
 * A bar chart drawn as SVG from this page (no chart library, nothing from another host), with
 * the same figures as a table: the picture for the eye, the table for a screen reader.
 */
export function BarChart({ title, bars, id }: { title: string; bars: readonly Bar[]; id: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowHeight = 22;
  const labelWidth = 130;
  const width = 520;
  const height = Math.max(rowHeight, bars.length * rowHeight);
  return (
    <figure class="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{title}</figcaption>
      {bars.length === 0 ? (
        <p>No requests in this period.</p>
      ) : (
        <>
          <svg
            viewBox={`0 0 ${width} ${height}`}
            width={width}
            height={height}
            aria-hidden="true"
            focusable="false"
          >
            {bars.map((bar, i) => {
              const w = ((width - labelWidth - 50) * bar.value) / max;
              return (
                <g key={bar.label} transform={`translate(0 ${i * rowHeight})`}>
                  <text x={labelWidth - 6} y={15} text-anchor="end" class="chart-label">
                    {bar.label}
                  </text>
                  <rect
                    x={labelWidth}
                    y={3}
                    width={Math.max(w, 1)}
                    height={rowHeight - 6}
                    class="chart-bar"
                  />
                  <text x={labelWidth + w + 4} y={15} class="chart-value">
                    {bar.value}
                  </text>
                </g>
              );
            })}
          </svg>
          <table class="chart-table">
            <caption class="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Requests</th>
              </tr>
            </thead>
            <tbody>
              {bars.map((bar) => (
                <tr key={bar.label}>
                  <th scope="row">{bar.label}</th>
                  <td>{bar.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}

/** Sets the page title and moves focus to the page's heading, so a screen reader hears the new page. */
export function PageHeading({ children, title }: { children: ComponentChildren; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · IXR console`;
    ref.current?.focus();
  }, [title]);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

/** A table's column headings (plain text, `scope="col"` for screen readers). */
export function Columns({ names }: { names: readonly string[] }) {
  return (
    <thead>
      <tr>
        {names.map((name) => (
          <th scope="col" key={name}>
            {name}
          </th>
        ))}
      </tr>
    </thead>
  );
}
