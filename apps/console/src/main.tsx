import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { events } from './events';
import { hasRole, session, type Claims, type Role } from './session';
import { SignInPage } from './pages/sign-in';
import { NewRequestPage } from './pages/new-request';
import { RequestsPage } from './pages/requests';
import { RequestPage } from './pages/request';
import { InboxPage } from './pages/inbox';
import { QueuePage } from './pages/queue';
import { ChannelHealthPage } from './pages/channel-health';
import { DeadLettersPage } from './pages/dead-letters';
import { RulesetsPage } from './pages/rulesets';
import { DirectoryPage } from './pages/directory';
import { StatisticsPage } from './pages/statistics';
import { DataProtectionPage } from './pages/data-protection';

/** The console's pages, by the hash path that opens them, and who may open each (the API's roles). */
interface PageLink {
  path: string;
  label: string;
  roles: readonly Role[];
}

const WORK: readonly Role[] = ['requester', 'spoc_operator', 'auditor', 'admin', 'dpo'];

export const PAGES: readonly PageLink[] = [
  { path: '/requests/new', label: 'New request', roles: ['requester', 'spoc_operator'] },
  { path: '/requests', label: 'Requests', roles: WORK },
  { path: '/inbox', label: 'Inbox', roles: WORK },
  { path: '/queue', label: 'Duty queue', roles: ['spoc_operator'] },
  { path: '/channels', label: 'Channel health', roles: ['spoc_operator', 'admin'] },
  { path: '/dead-letters', label: 'Dead letters', roles: ['spoc_operator', 'admin'] },
  { path: '/rulesets', label: 'Rule sets', roles: ['spoc_operator', 'admin', 'auditor'] },
  { path: '/directory', label: 'Directory', roles: ['spoc_operator', 'admin', 'auditor'] },
  { path: '/statistics', label: 'Statistics', roles: ['spoc_operator', 'admin', 'auditor'] },
  { path: '/data-protection', label: 'Reviews and erasure', roles: ['dpo'] },
];

function currentPath(): string {
  return window.location.hash.replace(/^#/, '') || '/';
}

function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const onChange = () => setPath(currentPath());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return path;
}

function useClaims(): Claims | null {
  const [claims, setClaims] = useState(session.claims());
  useEffect(() => session.subscribe(() => setClaims(session.claims())), []);
  return claims;
}

function allowed(claims: Claims, path: string): PageLink | undefined {
  const page = PAGES.find((p) => p.path === path);
  return page && hasRole(claims, ...page.roles) ? page : undefined;
}

function Page({ path, claims }: { path: string; claims: Claims }) {
  const request = /^\/requests\/([0-9a-f-]{36})$/.exec(path);
  if (request) return <RequestPage id={request[1]} claims={claims} />;
  if (path === '/') {
    const first = PAGES.find((p) => hasRole(claims, ...p.roles) && p.path !== '/requests/new');
    return first ? <Page path={first.path} claims={claims} /> : <NotAllowed />;
  }
  const page = allowed(claims, path);
  if (!page) return PAGES.some((p) => p.path === path) ? <NotAllowed /> : <NotFound />;
  switch (page.path) {
    case '/requests/new':
      return <NewRequestPage claims={claims} />;
    case '/requests':
      return <RequestsPage claims={claims} />;
    case '/inbox':
      return <InboxPage claims={claims} />;
    case '/queue':
      return <QueuePage />;
    case '/channels':
      return <ChannelHealthPage />;
    case '/dead-letters':
      return <DeadLettersPage />;
    case '/rulesets':
      return <RulesetsPage claims={claims} />;
    case '/directory':
      return <DirectoryPage />;
    case '/statistics':
      return <StatisticsPage />;
    case '/data-protection':
      return <DataProtectionPage />;
    default:
      return <NotFound />;
  }
}

function NotAllowed() {
  return (
    <>
      <h1>Not for your roles</h1>
      <p>Your token's roles do not open this page. The pages you may use are in the menu.</p>
    </>
  );
}

function NotFound() {
  return (
    <>
      <h1>No such page</h1>
      <p>
        <a href="#/">Back to the start</a>
      </p>
    </>
  );
}

/** New inbox items, said aloud by screen readers and shown at the top of every page. */
function LiveNotices() {
  const [notice, setNotice] = useState('');
  useEffect(
    () =>
      events.subscribe((e) => {
        if (e.type === 'inbox') setNotice(`New in the inbox: ${e.item.summary}`);
      }),
    [],
  );
  return (
    <p class="live" role="status" aria-live="polite">
      {notice}
    </p>
  );
}

/** An auditor's reads are logged with this justification; it can be changed at any time. */
function AuditJustification() {
  const [text, setText] = useState(session.justification() ?? '');
  return (
    <form
      class="justification"
      onSubmit={(e) => {
        e.preventDefault();
        session.setJustification(text);
      }}
    >
      <label for="audit-justification">Justification logged with your reads</label>{' '}
      <input
        id="audit-justification"
        size={50}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />{' '}
      <button type="submit">Use this justification</button>
    </form>
  );
}

function App() {
  const claims = useClaims();
  const path = usePath();
  useEffect(() => {
    if (claims) void events.start();
    else events.stop();
    return () => events.stop();
  }, [claims?.sub, claims?.unit]);
  if (!claims) {
    return (
      <main id="main">
        <SignInPage />
      </main>
    );
  }
  const links = PAGES.filter((p) => hasRole(claims, ...p.roles));
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <header class="top">
        <p class="brand">IXR console</p>
        <p class="who">
          {claims.sub} · <strong>{claims.unit}</strong> · {claims.roles.join(', ')}
        </p>
        <button type="button" onClick={() => session.signOut()}>
          Sign out
        </button>
      </header>
      {hasRole(claims, 'auditor') && <AuditJustification />}
      <nav aria-label="Main">
        <ul>
          {links.map((p) => (
            <li key={p.path}>
              <a href={`#${p.path}`} aria-current={path === p.path ? 'page' : undefined}>
                {p.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <LiveNotices />
      <main id="main" tabIndex={-1}>
        <Page path={path} claims={claims} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
