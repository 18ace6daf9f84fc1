import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { api, tokenFor } from './support/api';
import { TestStack, waitFor } from './support/stack';
import { partnerRequest } from './support/partner-request';

/**
 * The operator console (SPEC §11) in a real browser: Chromium driven by playwright-core inside
 * Jest, against the whole running system and the partner simulator. Each journey of the issue is
 * played as a person would — by accessible names, with the keyboard where a form is filled — and
 * every page is checked by axe-core (no serious or critical violation) and photographed into
 * .data/console-screenshots/.
 */
const CHROMIUM =
  process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const SCREENSHOTS = join(__dirname, '..', '.data', 'console-screenshots');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const STEP_TIMEOUT = 30_000;
/** A word only this run's request holds: the list is searched for it among every suite's requests. */
const CASE_WORD = `konsole${Date.now().toString(36)}`;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

describe('the operator console in a real browser', () => {
  const stack = new TestStack();
  let browser: Browser;
  let intake: string;
  let simulator: string;
  const opened: BrowserContext[] = [];
  /** Whatever the pages reported: CSP violations, script errors, requests to another host. */
  const problems: string[] = [];
  let deliveredRequest: string | undefined;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await stack.start();
    intake = stack.url('intake-api', '');
    simulator = stack.url('partner-simulator', '');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    for (const context of opened) await context.close();
    await browser?.close();
    await api(simulator, 'DELETE', '/simulator/partners').catch(() => undefined);
    await stack.stop();
  });

  /** A fresh browser profile, signed in with a token pasted into the sign-in page. */
  async function signedIn(token: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    opened.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text()))
        problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(intake) && !r.url().startsWith('data:')) problems.push(`request to ${r.url()}`);
    });
    await page.goto(`${intake}/console/`);
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    return page;
  }

  /** axe-core on the page as it stands: no serious or critical violation; then a screenshot. */
  async function checkPage(page: Page, name: string): Promise<void> {
    // Injected through the DevTools protocol: the console's policy forbids inline scripts.
    await page.evaluate(AXE_SOURCE);
    // Page code as text: this suite is compiled without the DOM's types.
    const violations = await page.evaluate<AxeViolation[]>(
      'axe.run(document).then((result) => result.violations)',
    );
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const blocking = violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    expect({ page: name, blocking }).toEqual({ page: name, blocking: [] });
  }

  async function partnerSends(partner: string, message: Record<string, unknown>): Promise<string> {
    return (await partnerMessage(partner, message)).reference;
  }

  async function partnerMessage(partner: string, message: Record<string, unknown>) {
    const res = await api<{ messageId: string; ixr: { status: number; body: { reference: string } } }>(
      simulator,
      'POST',
      `/simulator/partners/siena/${partner}/send`,
      { body: message },
    );
    expect(res.body.ixr.status).toBe(202);
    return { reference: res.body.ixr.body.reference, messageId: res.body.messageId };
  }

  it('is served by the intake at /console/ under a strict policy: this origin only, no inline script', async () => {
    const page = await fetch(`${intake}/console/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect((await fetch(`${intake}/console/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${intake}/console/missing.js`)).status).toBe(404);
    // A page of the console opened directly (a bookmark) gets the same page.
    expect((await fetch(`${intake}/console/requests`)).status).toBe(200);
  });

  it('refuses a token that is not one, and says why, on the sign-in page', async () => {
    const context = await browser.newContext();
    opened.push(context);
    const page = await context.newPage();
    await page.goto(`${intake}/console/`);
    await checkPage(page, '01-sign-in');
    await page.getByLabel('Access token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This is not a token').waitFor();
    await expect(page.getByLabel('Access token').getAttribute('aria-invalid')).resolves.toBe('true');
  });

  it('a requester fills the form with the keyboard, sees what is missing, and sees the request delivered', async () => {
    const page = await signedIn(await tokenFor('PZ-5339', ['requester']));
    await page.getByRole('link', { name: 'New request' }).click();
    await page.getByRole('heading', { name: 'New request' }).waitFor();

    // Nothing filled: each missing field says so next to itself, and nothing is sent.
    await page.getByRole('button', { name: 'Submit request' }).click();
    await expect(page.locator('#targetCountries-error').textContent()).resolves.toContain(
      'at least one country',
    );
    await expect(page.getByLabel('Subject name').getAttribute('aria-invalid')).resolves.toBe('true');
    await checkPage(page, '02-new-request-missing-fields');

    // By keyboard alone: focus moves with Tab, values are typed, Enter submits.
    await page.getByLabel('Target countries').focus();
    await page.keyboard.type('NL');
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('offenceCategory');
    await page.getByLabel('Offence category').selectOption('drug_trafficking');
    await page.keyboard.press('Tab');
    await page.keyboard.type(`Cocaine through the port of Antwerp, case ${CASE_WORD}`);
    await page.getByLabel('Information sought').focus();
    await page.keyboard.type('Known addresses of the subject');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Investigation 2026/123');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Subject crosses the border weekly');
    await page.getByLabel('Subject name').focus();
    await page.keyboard.type('Jan Jansen');
    // A language no target accepts: the API's refusal names the field, shown under it.
    await page.getByLabel('Language').fill('xx');
    await page.getByLabel('Subject name').press('Enter');
    await page.locator('#language-error').waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/language/i);
    await checkPage(page, '03-new-request-api-errors');

    await page.getByLabel('Language').fill('en');
    await page.getByLabel('Language').press('Enter');
    await page.waitForURL(/#\/requests\/[0-9a-f-]{36}$/);
    deliveredRequest = /#\/requests\/([0-9a-f-]{36})$/.exec(page.url())![1];
    // The status follows the event stream: delivered without a reload.
    await page.locator('.status-line').getByText('delivered').waitFor({ timeout: 60_000 });
    await page.getByRole('cell', { name: 'siena' }).first().waitFor();
    await checkPage(page, '04-request-delivered');
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await checkPage(page, '05-request-history');

    await page.getByRole('link', { name: 'Requests', exact: true }).click();
    await page.getByLabel('Search text and subject names').fill(CASE_WORD);
    await page.getByLabel('Direction').selectOption('outbound');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: `Request ${deliveredRequest.slice(0, 8)}` }).waitFor();
    await expect(page.getByRole('link', { name: /^Request [0-9a-f]{8}$/ }).count()).resolves.toBe(1);
    await checkPage(page, '06-requests');
  });

  it('shapes the page by role: a requester sees no administration, and every refusal of the API shows its message', async () => {
    const page = await signedIn(await tokenFor('PZ-5339', ['requester']));
    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(links).toEqual(['New request', 'Requests', 'Inbox']);
    await page.goto(`${intake}/console/#/channels`);
    await page.getByRole('heading', { name: 'Not for your roles' }).waitFor();

    // Another unit's request: the API refuses (403) and the page says what it said.
    expect(deliveredRequest).toBeDefined();
    const other = await signedIn(await tokenFor('PZ-1111', ['requester']));
    await other.goto(`${intake}/console/#/requests/${deliveredRequest}`);
    const alert = other.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/403/);
  });

  it('a contact point sees an inbound request arrive in its inbox live and answers it', async () => {
    const page = await signedIn(await tokenFor('FGP-ANTWERPEN', ['requester'], 'federal'));
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { name: /Inbox of FGP-ANTWERPEN/ }).waitFor();
    await page
      .getByText(/Nothing waits|Inbox items/)
      .first()
      .waitFor();

    const { reference: id, messageId } = await partnerMessage('NL', partnerRequest());
    // No reload: the item comes over the event stream.
    const link = page.getByRole('link', { name: new RegExp(`^Open request ${id.slice(0, 8)}`) });
    await link.waitFor();
    await checkPage(page, '07-inbox');
    await link.click();
    await page.getByRole('heading', { name: `Request ${id.slice(0, 8)}` }).waitFor();
    await page.getByText('Answer the partner').click();
    await page.getByLabel('Reply text').fill('The subject is known at Kerkstraat 1, Antwerpen.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText('Send reply: accepted').waitFor();
    await checkPage(page, '08-inbound-answered');

    const sent = await waitFor(async () => {
      const res = await api<{ channel: string; destination: string }[]>(
        simulator,
        'GET',
        `/simulator/messages?inReplyTo=${messageId}`,
      );
      return res.body.length > 0 ? res.body : undefined;
    }, 'the answer at the partner');
    expect(sent).toEqual([expect.objectContaining({ channel: 'siena', destination: 'NL' })]);
  });

  it('the SPOC sees due work by colour in the duty queue and assigns an inbound request', async () => {
    const soon = await partnerSends(
      'NL',
      partnerRequest({
        urgency: { urgent: true, ground: 'threat_to_life', reason: 'Imminent' },
        accessibility: 'direct',
      }),
    );
    const late = await partnerSends('DE', partnerRequest());
    const operator = await tokenFor('CGI-SPOC', ['spoc_operator'], 'federal');
    await waitFor(async () => {
      const q = await api<{ items: { id: string }[] }>(intake, 'GET', '/v1/queue?limit=200', {
        token: operator,
      });
      return [soon, late].every((id) => q.body.items.some((i) => i.id === id));
    }, 'both requests in the queue');
    // Time passes for one of them: its deadline is behind us.
    await stack.db.query(`UPDATE requests SET deadline_at = now() - interval '1 hour' WHERE id = $1`, [late]);
    await stack.db.query(
      `UPDATE deadline_milestones SET due_at = now() - interval '1 second' WHERE request_id = $1 AND milestone = 'breach'`,
      [late],
    );
    await waitFor(async () => {
      const q = await api<{ items: { id: string; overdue: boolean }[] }>(
        intake,
        'GET',
        '/v1/queue?overdue=true&limit=200',
        {
          token: operator,
        },
      );
      return q.body.items.some((i) => i.id === late);
    }, 'the request overdue in the queue');

    const page = await signedIn(operator);
    await page.getByRole('link', { name: 'Duty queue' }).click();
    const lateRow = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: `Request ${late.slice(0, 8)}` }) });
    const soonRow = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: `Request ${soon.slice(0, 8)}` }) });
    await lateRow.waitFor();
    await expect(lateRow.getAttribute('data-urgency')).resolves.toBe('overdue');
    await expect(soonRow.getAttribute('data-urgency')).resolves.toBe('due-soon');
    // Red and amber, as the eye sees them.
    const rows = await page.evaluate<{ text: string; colour: string }[]>(
      "[...document.querySelectorAll('tr[data-urgency]')].map((tr) => ({ text: tr.textContent, colour: getComputedStyle(tr).backgroundColor }))",
    );
    const colourOf = (id: string) => rows.find((r) => r.text.includes(id.slice(0, 8)))?.colour;
    expect([colourOf(late), colourOf(soon)]).toEqual(['rgb(253, 232, 231)', 'rgb(255, 241, 204)']);
    await checkPage(page, '09-duty-queue');

    await soonRow.getByRole('button', { name: `Assign request ${soon.slice(0, 8)}` }).click();
    await page.getByLabel('Assign to unit').fill('DJSOC-DRUGS');
    await page.getByLabel('Reason for the assignment').fill('Urgent drug case: the central service takes it');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.getByText(`assigned to DJSOC-DRUGS`).waitFor();
    await checkPage(page, '10-duty-queue-assigned');
    const view = await api<{ origin: { assignedUnit: string } }>(intake, 'GET', `/v1/requests/${soon}`, {
      token: operator,
    });
    expect(view.body.origin.assignedUnit).toBe('DJSOC-DRUGS');

    // The other desk pages of the SPOC, each checked and photographed.
    for (const [link, heading, shot] of [
      ['Channel health', 'Channel health', '11-channel-health'],
      ['Dead letters', 'Dead letters', '12-dead-letters'],
      ['Rule sets', 'Rule sets', '13-rulesets'],
      ['Directory', /Directory/, '14-directory'],
      ['Statistics', 'Statistics', '15-statistics'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.getByText(/Loading/).waitFor({ state: 'detached' });
      await checkPage(page, shot);
    }
    await page
      .getByRole('figure', { name: 'Requests by country' })
      .getByRole('rowheader', { name: 'NL' })
      .waitFor();
    await page.getByRole('link', { name: 'Rule sets', exact: true }).click();
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.getByRole('region', { name: /Differences from/ }).waitFor();
    await page.getByRole('button', { name: 'Simulate' }).click();
    const decision = page.getByRole('region', { name: 'Simulated decision' });
    await decision.waitFor();
    await expect(decision.textContent()).resolves.toContain('"rulesetVersion"');
  });

  it('an auditor opens the timeline and sees every proof checked in the browser against the signed checkpoint', async () => {
    expect(deliveredRequest).toBeDefined();
    const id = deliveredRequest!;
    const auditor = await tokenFor('AIG-AUDIT', ['auditor'], 'federal');
    // A checkpoint covering the request's steps (the writer signs one every few seconds).
    await waitFor(async () => {
      const res = await api<{ entries: { kind: string; inclusion: unknown }[] }>(
        intake,
        'GET',
        `/v1/audit/requests/${id}/timeline`,
        { token: auditor, headers: { 'x-justification': 'console test: wait for the checkpoint' } },
      );
      const steps = res.body.entries.filter((e) => e.kind === 'delivered');
      return steps.length > 0 && steps.every((e) => e.inclusion !== null);
    }, 'a checkpoint over the delivered request');
    // The key the running log signs with, as it publishes it (another suite of the same run may
    // have run the log under a key of its own: the table holds every key ever used).
    const vkey = (await (await fetch(stack.url('exchange-log', '/log/vkey'))).text()).trim();

    const page = await signedIn(auditor);
    await page.goto(`${intake}/console/#/requests/${id}`);
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByLabel('Log verifier key').fill(vkey);
    await page.getByRole('button', { name: 'Read the log' }).click();
    // The check's conclusion shows in one line, verified or failed (a failure names itself here);
    // the page may first say the signature is not checked yet, before the key is used.
    const concluded = page.locator('p[data-signature="verified"], p[data-signature="failed"]');
    await concluded.waitFor();
    expect(await concluded.textContent()).toContain('Checkpoint signature verified in this browser');
    const marks = await page.evaluate<{ proof: string; text: string }[]>(
      "[...document.querySelectorAll('li[data-proof]')].map((li) => ({ proof: li.getAttribute('data-proof'), text: li.textContent || '' }))",
    );
    const steps = marks.filter((m) => /received|routed|delivered/.test(m.text));
    expect(steps.length).toBeGreaterThanOrEqual(3);
    expect(steps.every((m) => m.proof === 'verified')).toBe(true);
    expect(marks.some((m) => m.proof === 'failed')).toBe(false);
    await expect(
      page.getByRole('img', { name: 'Proof verified in this browser' }).count(),
    ).resolves.toBeGreaterThan(2);
    await checkPage(page, '16-auditor-timeline-verified');

    // The check is the browser's own: an entry altered on its way shows as failed.
    await page.route('**/v1/audit/requests/*/timeline*', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { entries: { kind: string; canonical: string }[] };
      const routed = body.entries.find((e) => e.kind === 'routed')!;
      routed.canonical = routed.canonical.replace('"routed"', '"rerouted"');
      await route.fulfill({ response, json: body });
    });
    await page.getByRole('button', { name: 'Read the log' }).click();
    await page.getByText(/1 FAILED/).waitFor();
    await checkPage(page, '17-auditor-timeline-tampered');
  });

  it('the data-protection officer sees the reviews and erasure page', async () => {
    const page = await signedIn(await tokenFor('DPO-OFFICE', ['dpo'], 'federal'));
    await page.getByRole('link', { name: 'Reviews and erasure' }).click();
    await page.getByRole('heading', { name: 'Reviews and erasure' }).waitFor();
    await page.getByText(/Loading/).waitFor({ state: 'detached' });
    await checkPage(page, '18-data-protection');
    // An erasure without a justification: the API's refusal, as it said it.
    await page.getByLabel('Request id').fill(deliveredRequest!);
    await page.getByLabel('Reason', { exact: true }).fill('test');
    await page.getByRole('button', { name: 'Erase personal data' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/justification/i);
  });

  it('raised no policy violation, script error or request to another host on any page', () => {
    expect(problems).toEqual([]);
  });
});
