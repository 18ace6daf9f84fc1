import { createHash } from 'node:crypto';

type JsonObject = Record<string, unknown>;

/**
 * /docs: the OpenAPI document as one self-contained page — every operation with its roles,
 * parameters, body and answer schemas, rendered on the server (readable without JavaScript), and a
 * small inline script that lets a user paste a token and try each operation. Nothing is loaded
 * from elsewhere: the page works on an isolated police network, and its Content-Security-Policy
 * allows only its own inline script and style (by hash) and calls to this origin.
 */
export interface DocsPage {
  html: string;
  contentSecurityPolicy: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#17324d;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
.auth{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px;margin-bottom:16px}
.auth input{width:100%;font:13px monospace}
section.op{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:10px 0;padding:10px 14px}
section.op h3{margin:4px 0;font-size:16px}.m{display:inline-block;min-width:56px;text-align:center;border-radius:4px;color:#fff;font:bold 12px monospace;padding:3px 6px;margin-right:6px}
.get{background:#1f6feb}.post{background:#2da44e}.put{background:#bf8700}.delete{background:#cf222e}.patch{background:#8250df}
.roles{color:#57606a;font-size:13px}pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:8px;overflow:auto;max-height:420px;font-size:12px}
form.try label{display:block;font-size:13px;margin-top:6px}form.try input,form.try textarea{width:100%;font:12px monospace}
form.try textarea{min-height:140px}form.try button{margin-top:8px;padding:4px 14px}table{border-collapse:collapse}td{padding:2px 8px;vertical-align:top}
`;

const SCRIPT = `
document.querySelectorAll('form.try').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var out = form.querySelector('output');
    var path = form.dataset.path.replace(/\\{([^}]+)\\}/g, function (_, name) {
      return encodeURIComponent(form.elements['p-' + name].value);
    });
    var headers = {};
    var token = document.getElementById('token').value.trim();
    if (token) headers['Authorization'] = 'Bearer ' + token;
    Array.prototype.forEach.call(form.querySelectorAll('input[data-header]'), function (input) {
      if (input.value) headers[input.dataset.header] = input.value;
    });
    var init = { method: form.dataset.method.toUpperCase(), headers: headers };
    var body = form.elements['body'];
    if (body) { headers['Content-Type'] = 'application/json'; init.body = body.value; }
    out.textContent = '…';
    fetch(path, init).then(function (response) {
      return response.text().then(function (text) {
        var shown = text;
        try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
        var retry = response.headers.get('retry-after');
        out.textContent = response.status + ' ' + response.statusText + (retry ? ' (Retry-After: ' + retry + ')' : '') + '\\n' + shown;
      });
    }, function (error) { out.textContent = String(error); });
  });
});
`;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function markdown(text: string): string {
  return escape(text)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>');
}

function json(value: unknown): string {
  return `<pre>${escape(JSON.stringify(value, null, 2))}</pre>`;
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function renderOperation(method: string, path: string, op: JsonObject): string {
  const parameters = (op.parameters as JsonObject[] | undefined) ?? [];
  const body = (op.requestBody as { content: Record<string, JsonObject> } | undefined)?.content[
    'application/json'
  ];
  const responses = op.responses as Record<
    string,
    { description: string; content?: Record<string, JsonObject> }
  >;
  const roles = op['x-roles'] as string[];
  const id = String(op.operationId);
  const rows = Object.entries(responses)
    .map(([status, r]) => {
      const schema = Object.values(r.content ?? {})[0]?.schema;
      return `<tr><td><b>${status}</b></td><td>${markdown(r.description)}</td><td>${
        schema ? `<details><summary>schema</summary>${json(schema)}</details>` : ''
      }</td></tr>`;
    })
    .join('');
  const inputs = parameters
    .map((p) =>
      p.in === 'path'
        ? `<label>${escape(String(p.name))} (path)<input name="p-${escape(String(p.name))}" required></label>`
        : `<label>${escape(String(p.name))} (header)<input data-header="${escape(String(p.name))}"></label>`,
    )
    .join('');
  const example = body?.example === undefined ? '{}' : JSON.stringify(body.example, null, 2);
  return `<section class="op" id="${escape(id)}">
<h3><span class="m ${method}">${method.toUpperCase()}</span><code>${escape(path)}</code> — ${escape(String(op.summary))}</h3>
<div class="roles">roles: ${roles.length ? roles.map(escape).join(', ') : 'anyone'}</div>
<p>${markdown(typeof op.description === 'string' ? op.description : '')}</p>
${parameters.length ? `<details><summary>parameters</summary>${json(parameters)}</details>` : ''}
${body ? `<details><summary>request body schema</summary>${json(body.schema)}</details>` : ''}
<details><summary>responses</summary><table>${rows}</table></details>
<details><summary>try it</summary><form class="try" data-method="${method}" data-path="${escape(path)}">${inputs}${
    body ? `<label>body (application/json)<textarea name="body">${escape(example)}</textarea></label>` : ''
  }<button type="submit">send</button><pre><output></output></pre></form></details>
</section>`;
}

export function renderDocsPage(document: JsonObject): DocsPage {
  const info = document.info as { title: string; version: string; description: string };
  const paths = document.paths as Record<string, Record<string, JsonObject>>;
  const operations = Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => renderOperation(m, path, item[m])),
  );
  const schemas = (document.components as { schemas: Record<string, unknown> }).schemas;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(info.title)}</title><style>${STYLE}</style></head>
<body><header><h1>${escape(info.title)} <small>v${escape(info.version)}</small></h1></header>
<main><p>${markdown(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). A development token: <code>npm run -s token -- --unit PZ-5339 --roles requester</code>.</p>
<div class="auth"><label for="token">Bearer token (kept in this page only)</label><input id="token" autocomplete="off" spellcheck="false"></div>
<h2>Operations</h2>
${operations.join('\n')}
<h2>Schemas</h2>
${Object.entries(schemas)
  .map(
    ([name, schema]) =>
      `<section class="op" id="schema-${escape(name)}"><h3>${escape(name)}</h3>${json(schema)}</section>`,
  )
  .join('\n')}
</main><script>${SCRIPT}</script></body></html>`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${sha256(SCRIPT)}`,
    `style-src ${sha256(STYLE)}`,
    "connect-src 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
