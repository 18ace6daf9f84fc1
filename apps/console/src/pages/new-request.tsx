import { useState } from 'preact/hooks';
import {
  ACCESSIBILITY,
  HANDLING_CODES,
  MISSION_TYPES,
  URGENCY_GROUNDS,
} from '../../../../libs/domain/src/request';
import { OFFENCE_CATEGORIES } from '../../../../libs/domain/src/offence';
import { ISO_COUNTRY_CODES } from '../../../../libs/domain/src/iso-codes';
import { ApiError, post } from '../api';
import { hasRole, type Claims } from '../session';
import { Columns, ErrorNotice, Field, PageHeading } from '../ui';

interface Form {
  missionType: string;
  targetCountries: string;
  offenceCategory: string;
  offenceDescription: string;
  informationSought: string;
  purpose: string;
  justification: string;
  subjectName: string;
  subjectDateOfBirth: string;
  urgent: boolean;
  urgencyGround: string;
  urgencyReason: string;
  accessibility: string;
  handlingCode: string;
  language: string;
  borderRegion: boolean;
}

const EMPTY: Form = {
  missionType: 'judicial',
  targetCountries: '',
  offenceCategory: '',
  offenceDescription: '',
  informationSought: '',
  purpose: '',
  justification: '',
  subjectName: '',
  subjectDateOfBirth: '',
  urgent: false,
  urgencyGround: 'threat_to_life',
  urgencyReason: '',
  accessibility: 'direct',
  handlingCode: 'H1',
  language: 'en',
  borderRegion: false,
};

type Field = keyof Form;
type Problems = Partial<Record<Field, string>>;

/** The form field an API error path (`offence.category`, `subjects.0.name`) belongs to. */
function fieldOf(path: string): Field | undefined {
  const map: [RegExp, Field][] = [
    [/^missionType/, 'missionType'],
    [/^targetCountries/, 'targetCountries'],
    [/^offence\.category/, 'offenceCategory'],
    [/^offence(\.description)?$/, 'offenceDescription'],
    [/^informationSought/, 'informationSought'],
    [/^purpose/, 'purpose'],
    [/^justification/, 'justification'],
    [/^subjects\.0\.dateOfBirth/, 'subjectDateOfBirth'],
    [/^subjects/, 'subjectName'],
    [/^urgency\.ground/, 'urgencyGround'],
    [/^urgency/, 'urgencyReason'],
    [/^accessibility/, 'accessibility'],
    [/^handlingCode/, 'handlingCode'],
    [/^language/, 'language'],
    [/^borderRegion/, 'borderRegion'],
  ];
  return map.find(([pattern]) => pattern.test(path))?.[1];
}

function countriesOf(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean);
}

/** What is missing or wrong before anything is sent; the API checks it all again. */
function checkLocally(form: Form): Problems {
  const problems: Problems = {};
  const countries = countriesOf(form.targetCountries);
  const unknown = countries.filter((c) => !ISO_COUNTRY_CODES.has(c));
  if (countries.length === 0)
    problems.targetCountries = 'Name at least one country (ISO codes such as NL, DE).';
  else if (unknown.length > 0) problems.targetCountries = `Not a country code: ${unknown.join(', ')}.`;
  else if (new Set(countries).size !== countries.length)
    problems.targetCountries = 'A country is named twice.';
  if (!form.offenceCategory) problems.offenceCategory = 'Choose the offence category.';
  const required: [Field, string][] = [
    ['offenceDescription', 'Describe the offence.'],
    ['informationSought', 'Say what information is sought.'],
    ['purpose', 'Give the purpose.'],
    ['justification', 'Give the justification.'],
    ['subjectName', "Give the subject's name."],
  ];
  for (const [field, message] of required) if (!String(form[field]).trim()) problems[field] = message;
  if (form.urgent && !form.urgencyReason.trim()) problems.urgencyReason = 'Say why it is urgent.';
  return problems;
}

function bodyOf(form: Form) {
  const subject: Record<string, string> = { type: 'person', name: form.subjectName.trim() };
  if (form.subjectDateOfBirth) subject.dateOfBirth = form.subjectDateOfBirth;
  return {
    missionType: form.missionType,
    targetCountries: countriesOf(form.targetCountries),
    offence: { category: form.offenceCategory, description: form.offenceDescription.trim() },
    informationSought: form.informationSought.trim(),
    purpose: form.purpose.trim(),
    justification: form.justification.trim(),
    subjects: [subject],
    urgency: form.urgent
      ? { urgent: true, ground: form.urgencyGround, reason: form.urgencyReason.trim() }
      : { urgent: false },
    accessibility: form.accessibility,
    handlingCode: form.handlingCode,
    language: form.language.trim(),
    ...(form.borderRegion ? { borderRegion: true } : {}),
  };
}

interface Decision {
  rulesetVersion: string;
  routes: { channel: string; destination: string; role: string; ruleId: string; reason: string }[];
  europolCopy: { copy: boolean; reason: string };
  deadline: { at: string | null; basis: string };
}

const label = (value: string) => value.replace(/_/g, ' ');

export function NewRequestPage({ claims }: { claims: Claims }) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState<unknown>();
  const [preview, setPreview] = useState<Decision>();
  const [busy, setBusy] = useState(false);
  // One key per filled-in form: a double submit or a retry after a lost answer stores it once.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const canPreview = hasRole(claims, 'spoc_operator', 'admin');

  const set = <K extends Field>(field: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [field]: value }));
    setIdempotencyKey(crypto.randomUUID());
    setPreview(undefined);
  };

  const fromApi = (failure: unknown) => {
    if (failure instanceof ApiError) {
      const next: Problems = {};
      for (const d of failure.details) {
        const field = fieldOf(d.path);
        if (field && !next[field]) next[field] = d.message;
      }
      setProblems(next);
      const first = Object.keys(next)[0];
      if (first) window.setTimeout(() => document.getElementById(first)?.focus(), 0);
    }
    setError(failure);
  };

  const checked = (): boolean => {
    const local = checkLocally(form);
    setProblems(local);
    setError(undefined);
    const first = Object.keys(local)[0];
    if (first) {
      setError(new Error(`Some fields need attention (${Object.keys(local).length}); nothing was sent.`));
      document.getElementById(first)?.focus();
      return false;
    }
    return true;
  };

  const simulate = async () => {
    if (!checked()) return;
    setBusy(true);
    try {
      setPreview(
        await post<Decision>('/v1/routing/simulate', { request: bodyOf(form), requestingUnit: claims.unit }),
      );
    } catch (failure) {
      fromApi(failure);
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!checked()) return;
    setBusy(true);
    try {
      const accepted = await post<{ id: string }>('/v1/requests', bodyOf(form), { idempotencyKey });
      window.location.hash = `#/requests/${accepted.id}`;
    } catch (failure) {
      fromApi(failure);
    } finally {
      setBusy(false);
    }
  };

  const text = (
    field: Field,
    labelText: string,
    options: { area?: boolean; hint?: string; type?: string } = {},
  ) => (
    <Field id={field} label={labelText} error={problems[field]} hint={options.hint}>
      {(describedBy, invalid) =>
        options.area ? (
          <textarea
            id={field}
            rows={3}
            maxLength={4000}
            value={String(form[field])}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onInput={(e) => set(field, e.currentTarget.value as never)}
          />
        ) : (
          <input
            id={field}
            type={(options.type ?? 'text') as 'text'}
            value={String(form[field])}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onInput={(e) => set(field, e.currentTarget.value as never)}
          />
        )
      }
    </Field>
  );

  const select = (field: Field, labelText: string, values: readonly string[], placeholder?: string) => (
    <Field id={field} label={labelText} error={problems[field]}>
      {(describedBy, invalid) => (
        <select
          id={field}
          value={String(form[field])}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onChange={(e) => set(field, e.currentTarget.value as never)}
        >
          {placeholder && <option value="">{placeholder}</option>}
          {values.map((v) => (
            <option key={v} value={v}>
              {label(v)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );

  return (
    <section>
      <PageHeading title="New request">New request</PageHeading>
      <p>
        Fields are checked here before anything is sent, then by the API; each problem shows under its field.
      </p>
      <ErrorNotice error={error} />
      <form onSubmit={(e) => void submit(e)} noValidate aria-describedby="new-request-help">
        <p id="new-request-help" class="visually-hidden">
          A request to foreign partners. Every field can be reached with the Tab key; Enter in a one-line
          field submits the form.
        </p>
        <fieldset>
          <legend>Where and what</legend>
          {text('targetCountries', 'Target countries', {
            hint: 'ISO codes separated by commas, e.g. NL, DE',
          })}
          {select('offenceCategory', 'Offence category', OFFENCE_CATEGORIES, 'Choose a category')}
          {text('offenceDescription', 'Offence description')}
          {select('missionType', 'Mission type', MISSION_TYPES)}
        </fieldset>
        <fieldset>
          <legend>The request</legend>
          {text('informationSought', 'Information sought', { area: true })}
          {text('purpose', 'Purpose', { area: true })}
          {text('justification', 'Justification', { area: true })}
        </fieldset>
        <fieldset>
          <legend>Subject (a person)</legend>
          {text('subjectName', 'Subject name')}
          {text('subjectDateOfBirth', 'Subject date of birth', { type: 'date', hint: 'Optional' })}
        </fieldset>
        <fieldset>
          <legend>Urgency and handling</legend>
          <div class="field checkbox">
            <input
              id="urgent"
              type="checkbox"
              checked={form.urgent}
              onChange={(e) => set('urgent', e.currentTarget.checked)}
            />
            <label for="urgent">Urgent</label>
          </div>
          {form.urgent && select('urgencyGround', 'Urgency ground', URGENCY_GROUNDS)}
          {form.urgent && text('urgencyReason', 'Urgency reason')}
          {select('accessibility', 'Accessibility of the information', ACCESSIBILITY)}
          {select('handlingCode', 'Handling code', HANDLING_CODES)}
          {text('language', 'Language', { hint: 'ISO 639-1, e.g. en' })}
          <div class="field checkbox">
            <input
              id="borderRegion"
              type="checkbox"
              checked={form.borderRegion}
              onChange={(e) => set('borderRegion', e.currentTarget.checked)}
            />
            <label for="borderRegion">A local matter of a border region</label>
          </div>
        </fieldset>
        <div class="actions">
          {canPreview ? (
            <button type="button" disabled={busy} onClick={() => void simulate()}>
              Preview routing
            </button>
          ) : (
            <p class="hint">The routing preview is for SPOC operators and administrators (SPEC §2).</p>
          )}
          <button type="submit" class="primary" disabled={busy}>
            Submit request
          </button>
        </div>
      </form>
      {preview && (
        <section aria-labelledby="preview-heading" class="preview">
          <h2 id="preview-heading">Routing preview (rule set {preview.rulesetVersion})</h2>
          <table>
            <caption class="visually-hidden">Routes the request would take</caption>
            <Columns names={['Channel', 'Destination', 'Role', 'Reason']} />
            <tbody>
              {preview.routes.map((r) => (
                <tr key={`${r.channel}-${r.destination}-${r.role}`}>
                  <td>{r.channel}</td>
                  <td>{r.destination}</td>
                  <td>{r.role}</td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            Europol copy: {preview.europolCopy.copy ? 'yes' : 'no'} — {preview.europolCopy.reason}
          </p>
          <p>
            Deadline: {label(preview.deadline.basis)}
            {preview.deadline.at ? ` (${preview.deadline.at})` : ''}
          </p>
        </section>
      )}
    </section>
  );
}
