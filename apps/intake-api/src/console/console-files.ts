import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * The operator console (SPEC §11): the static files `npm run build` writes to `dist/console`,
 * served by the intake at `/console/` so the console and the API share one origin. Everything is
 * read once at start; nothing under the folder is resolved from a request path, so no path can
 * leave it. The policy allows this origin alone: no inline script or style, no other host.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ConsoleFile {
  readonly body: Buffer;
  readonly contentType: string;
}

/** Every file of the built console, by its path under `/console/` (`index.html`, `app.js`, …). */
export function readConsoleFiles(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  if (!existsSync(dir)) return files;
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const type = CONTENT_TYPES[extname(name)];
        if (type)
          files.set(relative(dir, path).split(sep).join('/'), {
            body: readFileSync(path),
            contentType: type,
          });
      }
    }
  };
  walk(dir);
  return files;
}

/**
 * `GET /console/…`: a built file, or `index.html` for any other path without a file extension (the
 * console's own pages); 404 for a missing file. Without a build the page says how to make one.
 */
export function registerConsoleRoutes(
  fastify: FastifyInstance,
  files: ReadonlyMap<string, ConsoleFile>,
): void {
  const index = files.get('index.html');
  fastify.get('/console', (_request, reply) => reply.redirect('/console/', 302));
  fastify.get('/console/*', (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const file = files.get(path) ?? (extname(path) === '' ? index : undefined);
    void reply.header('content-security-policy', CONSOLE_CONTENT_SECURITY_POLICY);
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('cross-origin-opener-policy', 'same-origin');
    if (!file) {
      const message = index
        ? `no console file ${path}`
        : 'the console is not built: run `npm run build` (it writes dist/console)';
      return reply
        .code(404)
        .type('application/json')
        .send({ error: { code: 'INTAKE.NOT_FOUND', message, details: [] } });
    }
    return reply.type(file.contentType).send(file.body);
  });
}
