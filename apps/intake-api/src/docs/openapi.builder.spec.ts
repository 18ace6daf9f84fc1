/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- walking a JSON document */
import { createHash } from 'node:crypto';
import { API_CONTROLLERS, API_VERSION } from '../intake.module';
import { API_CATALOG } from './api-catalog';
import { renderDocsPage } from './docs-page';
import { buildOpenApiDocument, discoverRoutes } from './openapi.builder';

type Json = Record<string, any>;
const document: Json = buildOpenApiDocument(API_CONTROLLERS, {
  version: API_VERSION,
  tokenAlgorithms: ['HS256'],
});

function resolve(ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], document);
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsIn(value, found);
    }
  }
  return found;
}

describe('OpenAPI document', () => {
  it('documents every route of the code, and nothing that is not a route', () => {
    const routes = discoverRoutes(API_CONTROLLERS).map((r) => r.key);
    const undocumented = routes.filter((key) => !API_CATALOG[key]);
    const stale = Object.keys(API_CATALOG).filter((key) => !routes.includes(key));
    expect({ undocumented, stale }).toEqual({ undocumented: [], stale: [] });
  });

  it('is OpenAPI 3.1 whose references all resolve', () => {
    expect(document.openapi).toBe('3.1.0');
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(resolve(ref)).toBeDefined();
  });

  it('carries the SPEC §2 roles of each route', () => {
    const roles = (method: string, path: string) => document.paths[path][method]['x-roles'];
    expect(roles('post', '/v1/requests')).toEqual(['requester', 'spoc_operator']);
    expect(roles('get', '/v1/requests/{id}')).toEqual(['requester', 'spoc_operator', 'auditor']);
    expect(roles('post', '/v1/routing/simulate')).toEqual(['spoc_operator', 'admin']);
    // Roles set on the controller class (the audit API) are the guard's too.
    for (const [method, path] of [
      ['get', '/v1/audit/verify'],
      ['get', '/v1/audit/requests/{id}/timeline'],
      ['post', '/v1/audit/replay'],
      ['get', '/v1/audit/export'],
    ]) {
      expect(roles(method, path)).toEqual(['auditor']);
      expect(document.paths[path][method].description).toContain('**Roles:** auditor.');
    }
    expect(document.paths['/docs'].get.security).toEqual([]);
    expect(document.paths['/v1/requests'].post.responses['429'].headers['Retry-After']).toBeDefined();
  });

  it('takes the request body schema from the pipe that validates it', () => {
    const body = document.paths['/v1/requests'].post.requestBody.content['application/json'];
    expect(body.schema).toEqual({ $ref: '#/components/schemas/OutboundRequest' });
    const schema = document.components.schemas.OutboundRequest;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(
      expect.arrayContaining([
        'missionType',
        'targetCountries',
        'offence',
        'informationSought',
        'purpose',
        'justification',
        'subjects',
        'urgency',
        'accessibility',
        'handlingCode',
        'language',
      ]),
    );
    expect(schema.properties.informationSought).toMatchObject({ type: 'string', maxLength: 4000 });
    expect(schema.properties.targetCountries.items.pattern).toBe('^[A-Z]{2}$');
    expect(schema.properties.handlingCode.enum).toEqual(['H0', 'H1', 'H2', 'H3']);
    expect(body.example.handlingCode).toBe('H1');
  });

  it('renders /docs with every operation and a CSP that admits only its own script', () => {
    const page = renderDocsPage(document);
    for (const [path, item] of Object.entries(document.paths as Json)) {
      for (const method of Object.keys(item)) {
        expect(page.html).toContain(
          `<span class="m ${method}">${method.toUpperCase()}</span><code>${path}</code>`,
        );
      }
    }
    expect(page.html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!json-schema)/);
    const script = /<script>([\s\S]*)<\/script>/.exec(page.html)![1];
    const hash = createHash('sha256').update(script).digest('base64');
    expect(page.contentSecurityPolicy).toContain(`script-src 'sha256-${hash}'`);
    expect(page.contentSecurityPolicy).toContain("default-src 'none'");
  });
});
