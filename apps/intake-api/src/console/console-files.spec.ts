import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { CONSOLE_CONTENT_SECURITY_POLICY, readConsoleFiles, registerConsoleRoutes } from './console-files';

function builtConsole(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ixr-console-'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="/console/app.js"></script>',
  );
  writeFileSync(join(dir, 'app.js'), 'export {};');
  writeFileSync(join(dir, 'app.css'), 'body{}');
  writeFileSync(join(dir, 'notes.exe'), 'MZ');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'assets', 'logo.svg'), '<svg/>');
  return dir;
}

describe('the console files the intake serves at /console/', () => {
  async function app(dir: string) {
    const fastify = Fastify();
    registerConsoleRoutes(fastify, readConsoleFiles(dir));
    await fastify.ready();
    return fastify;
  }

  it('serves each built file with its type under the strict policy, and the page for console paths', async () => {
    const fastify = await app(builtConsole());
    const page = await fastify.inject({ url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
    expect(CONSOLE_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|https?:|\*/);
    expect((await fastify.inject({ url: '/console/app.js' })).headers['content-type']).toBe(
      'text/javascript; charset=utf-8',
    );
    expect((await fastify.inject({ url: '/console/assets/logo.svg' })).body).toBe('<svg/>');
    expect((await fastify.inject({ url: '/console/queue' })).body).toContain('<!doctype html>');
    expect((await fastify.inject({ url: '/console' })).headers.location).toBe('/console/');
  });

  it('answers 404 for a file it does not hold, a type it does not serve, or a path leaving the folder', async () => {
    const fastify = await app(builtConsole());
    for (const url of [
      '/console/missing.js',
      '/console/notes.exe',
      '/console/../package.json',
      '/console/%2e%2e/x.js',
    ]) {
      const res = await fastify.inject({ url });
      expect([url, res.statusCode]).toEqual([url, 404]);
    }
  });

  it('says how to build the console when it is not built', async () => {
    const fastify = await app(join(tmpdir(), 'ixr-console-none'));
    const res = await fastify.inject({ url: '/console/' });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ error: { message: string } }>().error.message).toContain('npm run build');
  });
});
