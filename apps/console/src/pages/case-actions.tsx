import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { REFUSAL_GROUNDS } from '../../../../libs/domain/src/case-step';
import { HANDLING_CODES } from '../../../../libs/domain/src/request';
import { post } from '../api';
import { hasRole, type Claims } from '../session';
import { ErrorNotice, Success } from '../ui';
import type { RequestView } from './request-view';

const CLOSED = new Set(['refused', 'withdrawn', 'erased', 'answered', 'closed']);

/**
 * The case steps of SPEC §8 that this caller may take on this request: on a partner's request the
 * handling unit (or the SPOC) answers, asks, refuses or gives notice of a delay; on one of ours the
 * requesting unit withdraws it or answers a partner's question. The API decides; its refusal shows.
 */
export function CaseActions({
  view,
  claims,
  onDone,
}: {
  view: RequestView;
  claims: Claims;
  onDone: () => void;
}) {
  const spoc = hasRole(claims, 'spoc_operator');
  const requester = hasRole(claims, 'requester');
  if (view.erasure) return null;
  const inbound = view.origin.direction === 'inbound';
  const handles = spoc || (requester && view.origin.assignedUnit === claims.unit);
  const owns = spoc || (requester && view.requestingUnit === claims.unit);
  const open = !CLOSED.has(view.status);
  const questions = view.replies.filter(
    (m) => m.kind === 'clarification' && m.direction === 'inbound' && m.closedAt === null,
  );
  if (inbound ? !handles : !owns) return null;
  return (
    <section aria-labelledby="actions-heading" class="actions-panel">
      <h2 id="actions-heading">Case actions</h2>
      {inbound && (
        <>
          <Step
            id="reply"
            title="Answer the partner"
            button="Send reply"
            send={(v) =>
              post(`/v1/requests/${view.id}/replies`, { text: v.text, handlingCode: v.handlingCode })
            }
            onDone={onDone}
            initial={{ text: '', handlingCode: view.request.handlingCode ?? 'H1' }}
          >
            {(v, set) => (
              <>
                <TextField
                  id="reply-text"
                  label="Reply text"
                  value={v.text}
                  onInput={(x) => set('text', x)}
                  area
                />
                <SelectField
                  id="reply-handling"
                  label="Handling code of the reply"
                  value={v.handlingCode}
                  values={HANDLING_CODES}
                  onChange={(x) => set('handlingCode', x)}
                />
              </>
            )}
          </Step>
          {open && (
            <TextStep
              id="clarify"
              title="Ask the partner for clarification"
              button="Ask for clarification"
              field="clarify-question"
              label="Question"
              send={(question) => post(`/v1/requests/${view.id}/clarifications`, { question })}
              onDone={onDone}
            />
          )}
          {open && (
            <Step
              id="refuse"
              title="Refuse (Art 6(1))"
              button="Refuse"
              send={(v) =>
                post(`/v1/requests/${view.id}/refusal`, {
                  ground: v.ground,
                  reason: v.reason,
                  ...(v.partial === 'yes' ? { partial: true } : {}),
                })
              }
              onDone={onDone}
              initial={{ ground: 'not_available', reason: '', partial: 'no' }}
            >
              {(v, set) => (
                <>
                  <SelectField
                    id="refuse-ground"
                    label="Refusal ground"
                    value={v.ground}
                    values={REFUSAL_GROUNDS}
                    onChange={(x) => set('ground', x)}
                  />
                  <TextField
                    id="refuse-reason"
                    label="Refusal reason"
                    value={v.reason}
                    onInput={(x) => set('reason', x)}
                    area
                  />
                  <div class="field checkbox">
                    <input
                      id="refuse-partial"
                      type="checkbox"
                      checked={v.partial === 'yes'}
                      onChange={(e) => set('partial', e.currentTarget.checked ? 'yes' : 'no')}
                    />
                    <label for="refuse-partial">Partial refusal</label>
                  </div>
                </>
              )}
            </Step>
          )}
          {open && (
            <Step
              id="delay"
              title="Notice of a delay (judicial authorisation, Art 5(2))"
              button="Send delay notice"
              send={(v) =>
                post(`/v1/requests/${view.id}/delay-notice`, {
                  reason: v.reason,
                  expectedBy: v.expectedBy ? new Date(v.expectedBy).toISOString() : '',
                })
              }
              onDone={onDone}
              initial={{ reason: '', expectedBy: '' }}
            >
              {(v, set) => (
                <>
                  <TextField
                    id="delay-reason"
                    label="Delay reason"
                    value={v.reason}
                    onInput={(x) => set('reason', x)}
                    area
                  />
                  <TextField
                    id="delay-expected"
                    label="Answer expected by"
                    type="datetime-local"
                    value={v.expectedBy}
                    onInput={(x) => set('expectedBy', x)}
                  />
                </>
              )}
            </Step>
          )}
        </>
      )}
      {!inbound &&
        questions.map((q) => (
          <TextStep
            key={q.id}
            id={`answer-${q.id}`}
            title={`Answer the question of ${q.partner}: “${q.text}”`}
            button="Send answer"
            field={`answer-text-${q.id}`}
            label="Answer"
            send={(answer) => post(`/v1/requests/${view.id}/clarifications`, { inReplyTo: q.id, answer })}
            onDone={onDone}
          />
        ))}
      {!inbound && open && (
        <TextStep
          id="withdraw"
          title="Withdraw the request"
          button="Withdraw request"
          field="withdraw-reason"
          label="Withdrawal reason"
          send={(reason) => post(`/v1/requests/${view.id}/withdraw`, { reason })}
          onDone={onDone}
        />
      )}
    </section>
  );
}

type Values = Record<string, string>;

/** A step whose only input is one text (a question, an answer, a reason). */
function TextStep(props: {
  id: string;
  title: string;
  button: string;
  /** The text area's element id. */
  field: string;
  label: string;
  send: (text: string) => Promise<unknown>;
  onDone: () => void;
}) {
  return (
    <Step
      id={props.id}
      title={props.title}
      button={props.button}
      send={(v) => props.send(v.text)}
      onDone={props.onDone}
      initial={{ text: '' }}
    >
      {(v, set) => (
        <TextField id={props.field} label={props.label} value={v.text} onInput={(x) => set('text', x)} area />
      )}
    </Step>
  );
}

function Step(props: {
  id: string;
  title: string;
  button: string;
  initial: Values;
  send: (values: Values) => Promise<unknown>;
  onDone: () => void;
  children: (values: Values, set: (key: string, value: string) => void) => ComponentChildren;
}) {
  const [values, setValues] = useState<Values>(props.initial);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      await props.send(values);
      setDone(`${props.button}: accepted and queued for the partner.`);
      setValues(props.initial);
      props.onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="step">
      <summary>{props.title}</summary>
      <form onSubmit={(e) => void submit(e)} noValidate aria-label={props.title}>
        {props.children(values, (key, value) => setValues((v) => ({ ...v, [key]: value })))}
        <ErrorNotice error={error} />
        {done && <Success>{done}</Success>}
        <button type="submit" disabled={busy}>
          {props.button}
        </button>
      </form>
    </details>
  );
}

export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  area?: boolean;
  type?: string;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.area ? (
        <textarea
          id={props.id}
          rows={3}
          value={props.value}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      ) : (
        <input
          id={props.id}
          type={(props.type ?? 'text') as 'text'}
          value={props.value}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      )}
    </div>
  );
}

export function SelectField(props: {
  id: string;
  label: string;
  value: string;
  values: readonly string[];
  onChange: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.values.map((v) => (
          <option key={v} value={v}>
            {v.replace(/_/g, ' ')}
          </option>
        ))}
      </select>
    </div>
  );
}
