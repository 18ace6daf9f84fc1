import { RequestMethod, type Type } from '@nestjs/common';
import {
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { z } from 'zod';
import type { Role } from '@ixr/auth';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { ZodQueryPipe } from '../http/zod-query.pipe';
import { routeAccess } from '../auth/route-access';
import { API_CATALOG, OPS_OPERATIONS, type OperationDoc } from './api-catalog';
import { errorBodySchema, NAMED_SCHEMAS } from './api-schemas';
import { enrichCodes } from './schema-enrichment';

/** One route as the code declares it: method, path, roles, body schema, headers it reads. */
export interface DiscoveredRoute {
  key: string;
  method: string;
  path: string;
  operationId: string;
  /** Exactly the roles the guard admits (every role when the route declares none). */
  roles: Role[];
  isPublic: boolean;
  body?: z.ZodType;
  /** The query string's schema, from the pipe that validates it (ZodQueryPipe). */
  query?: z.ZodType;
  headers: string[];
  pathParams: string[];
  status: number;
}

type JsonObject = Record<string, unknown>;

/** Reads the routes of Nest controllers from their decorators: the documents follow the code. */
export function discoverRoutes(controllers: readonly Type[]): DiscoveredRoute[] {
  const routes: DiscoveredRoute[] = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const methodCode = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (methodCode === undefined) continue;
      const method = RequestMethod[methodCode];
      const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
      const raw = `/${[base, sub].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/');
      const path = raw.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
        string,
        { data?: unknown; pipes?: unknown[] }
      >;
      let body: z.ZodType | undefined;
      let query: z.ZodType | undefined;
      const headers: string[] = [];
      for (const [slot, arg] of Object.entries(args)) {
        const type = Number(slot.split(':')[0]);
        if (type === Number(RouteParamtypes.BODY)) {
          body = arg.pipes?.find((p): p is ZodBodyPipe<z.ZodType> => p instanceof ZodBodyPipe)?.schema;
        } else if (type === Number(RouteParamtypes.QUERY)) {
          query = arg.pipes?.find((p): p is ZodQueryPipe<z.ZodType> => p instanceof ZodQueryPipe)?.schema;
        } else if (type === Number(RouteParamtypes.HEADERS) && typeof arg.data === 'string') {
          headers.push(arg.data.toLowerCase());
        }
      }
      const defaultStatus = method === 'POST' ? 201 : 200;
      const access = routeAccess(handler, controller);
      routes.push({
        key: `${method} ${path}`,
        method,
        path,
        operationId: `${controller.name.replace(/Controller$/, '')}_${name}`,
        roles: access.roles,
        isPublic: access.isPublic,
        body,
        query,
        headers,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
        status: (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? defaultStatus,
      });
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), or a reference to a named one. */
export class SchemaConverter {
  readonly components: Record<string, JsonObject> = {};

  schema(schema: z.ZodType): JsonObject {
    const name = NAMED_SCHEMAS.get(schema);
    if (!name) return convert(schema);
    this.components[name] ??= convert(schema);
    return { $ref: `#/components/schemas/${name}` };
  }
}

function convert(schema: z.ZodType): JsonObject {
  // "output": the accepted values after normalisation — the bounds of text fields live there.
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    reused: 'inline',
  }) as JsonObject;
  delete json.$schema;
  return enrichCodes(json);
}

const ERROR_TEXT: Record<number, string> = {
  400: 'invalid body or header: every bad field is named in `details`',
  401: 'no valid bearer token (missing, malformed, forged, expired, wrong issuer or audience)',
  403: "the caller's role or unit may not do this; the refusal is logged",
  404: 'no such resource',
  409: 'conflict: the Idempotency-Key was used with another body, or the version exists',
  413: 'body larger than the limit',
  415: 'body is not application/json in UTF-8',
  422: 'the document is valid but cannot be applied',
  429: "the unit's rate limit is spent; see Retry-After",
  503: 'a dependency is down; nothing was stored',
};

export interface OpenApiOptions {
  version: string;
  tokenAlgorithms: readonly string[];
}

/** The OpenAPI 3.1 document of the intake API, built from the controllers and the catalog. */
export function buildOpenApiDocument(controllers: readonly Type[], options: OpenApiOptions): JsonObject {
  const converter = new SchemaConverter();
  const errorRef = converter.schema(errorBodySchema);
  const paths: Record<string, Record<string, unknown>> = {};
  const add = (route: DiscoveredRoute, doc: OperationDoc | undefined): void => {
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = operation(route, doc, converter, errorRef);
  };
  for (const route of discoverRoutes(controllers)) add(route, API_CATALOG[route.key]);
  for (const [key, doc] of Object.entries(OPS_OPERATIONS)) {
    const [method, path] = key.split(' ') as [string, string];
    add(
      {
        key,
        method,
        path,
        operationId: path.slice(1),
        roles: [],
        isPublic: true,
        headers: [],
        pathParams: [],
        status: 200,
      },
      doc,
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'IXR — intake and audit API',
      version: options.version,
      description:
        'The HTTP API of the information-exchange router (SPEC §2). Every /v1 route needs `Authorization: Bearer <JWT>` ' +
        'with the claims sub, unit, level and roles. Callers acting as auditor must send `X-Justification` on every ' +
        'call; every read of personal data is logged as a consultation, every refusal as a denial.',
    },
    servers: [{ url: '/' }],
    tags: ['requests', 'work', 'replies', 'case', 'routing', 'audit', 'documents', 'operations'].map(
      (name) => ({
        name,
      }),
    ),
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `JWT signed with ${options.tokenAlgorithms.join(' or ')}; claims sub, unit, level, roles.`,
        },
      },
      schemas: converter.components,
    },
  };
}

function operation(
  route: DiscoveredRoute,
  doc: OperationDoc | undefined,
  converter: SchemaConverter,
  errorRef: JsonObject,
): JsonObject {
  const parameters: JsonObject[] = route.pathParams.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: name === 'id' ? { type: 'string', format: 'uuid' } : { type: 'string', maxLength: 100 },
  }));
  parameters.push(...queryParameters(route.query));
  if (route.headers.includes('idempotency-key')) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Replays return the first answer; another body with the same key gets 409.',
      schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,200}$' },
    });
  }
  const auditorReads = route.roles.includes('auditor');
  if (route.headers.includes('x-justification') || auditorReads) {
    parameters.push({
      name: 'X-Justification',
      in: 'header',
      required: false,
      description: auditorReads
        ? 'Why you read this. Required when acting as auditor (400 without it, nothing read); logged.'
        : 'Why you do this; logged with the change.',
      schema: { type: 'string', maxLength: 1000 },
    });
  }
  const errors = new Set<number>();
  if (route.pathParams.length > 0) errors.add(404);
  if (!route.isPublic) [401, 403, 429, 503].forEach((s) => errors.add(s));
  if (route.body || parameters.some((p) => p.in === 'header')) errors.add(400);
  if (route.query) errors.add(400);
  if (route.body) [413, 415].forEach((s) => errors.add(s));
  if (
    route.headers.includes('idempotency-key') ||
    route.key === 'POST /v1/rulesets' ||
    route.key === 'PUT /v1/directory'
  ) {
    errors.add(409);
  }
  if (route.key.endsWith('/activate')) errors.add(422);

  const success = doc?.response;
  const responses: Record<string, unknown> = {
    [String(route.status)]: {
      description: success?.description ?? 'success',
      content: {
        [success?.contentType ?? 'application/json']: success?.schema
          ? { schema: converter.schema(success.schema) }
          : {},
      },
    },
  };
  for (const status of [...errors].sort()) {
    const headers =
      status === 429
        ? { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } }
        : undefined;
    responses[String(status)] = {
      description: ERROR_TEXT[status] ?? 'error',
      ...(headers ? { headers } : {}),
      content: { 'application/json': { schema: errorRef } },
    };
  }
  const roles = route.isPublic ? 'anyone' : route.roles.join(', ');
  return {
    operationId: route.operationId,
    summary: doc?.summary ?? '(undocumented)',
    description: [doc?.description, `**Roles:** ${roles}.`].filter(Boolean).join('\n\n'),
    tags: [doc?.tag ?? 'other'],
    'x-roles': route.isPublic ? [] : route.roles,
    ...(route.isPublic ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: converter.schema(route.body),
                ...(doc?.example ? { example: doc.example } : {}),
              },
            },
          },
        }
      : {}),
    responses,
  };
}

/** Each property of a query schema as an `in: query` parameter. */
function queryParameters(schema: z.ZodType | undefined): JsonObject[] {
  if (!schema) return [];
  // "input": what a caller writes in the URL (text that the pipe then turns into numbers, flags).
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    reused: 'inline',
  }) as JsonObject;
  const properties = (json.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query',
      required: required.has(name) && property.default === undefined,
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}
