import { useState } from 'preact/hooks';
import { DEFAULT_AUDIT_JUSTIFICATION, session } from '../session';
import { Field, PageHeading } from '../ui';

/**
 * Development sign-in: a token made with `npm run token` is pasted here. With an identity
 * provider, this page becomes a "Sign in with …" button starting the OIDC authorization-code flow
 * (PKCE); the access token it returns is what `session.signIn` keeps (README of the console).
 */
export function SignInPage() {
  const [token, setToken] = useState('');
  const [justification, setJustification] = useState('');
  const [error, setError] = useState<string>();
  const submit = (e: Event) => {
    e.preventDefault();
    try {
      session.signIn(token, justification);
      if (!window.location.hash) window.location.hash = '#/';
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <section class="sign-in">
      <PageHeading title="Sign in">Sign in to the IXR console</PageHeading>
      <p>
        Paste an access token. In development: <code>npm run token -- --unit PZ-5339 --roles requester</code>.
      </p>
      <form onSubmit={submit} noValidate>
        <Field id="token" label="Access token" error={error} hint="A JWT: three parts separated by dots.">
          {(describedBy, invalid) => (
            <textarea
              id="token"
              name="token"
              rows={4}
              required
              autoComplete="off"
              spellcheck={false}
              value={token}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onInput={(e) => setToken(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          id="justification"
          label="Justification for reads (auditors)"
          hint={`Sent and logged with every read of an auditor; without one: “${DEFAULT_AUDIT_JUSTIFICATION}”.`}
        >
          {(describedBy) => (
            <input
              id="justification"
              name="justification"
              autoComplete="off"
              value={justification}
              aria-describedby={describedBy}
              onInput={(e) => setJustification(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}
