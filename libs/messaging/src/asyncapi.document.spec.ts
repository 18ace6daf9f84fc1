import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildAsyncApiDocument, renderAsyncApiDocument } from './asyncapi.document';
import { TOPIC_PARTIES } from './topic-parties';
import { TOPICS, type Topic } from './topics';

const root = join(__dirname, '..', '..', '..');
type Json = Record<string, unknown>;

function resolve(document: Json, ref: string): unknown {
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

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('AsyncAPI document (docs/asyncapi.json)', () => {
  const document = buildAsyncApiDocument();

  it('is checked in and up to date with the topic schemas (else: npm run docs:asyncapi)', () => {
    const checkedIn = readFileSync(join(root, 'docs', 'asyncapi.json'), 'utf8');
    const upToDate = checkedIn === renderAsyncApiDocument();
    if (!upToDate) throw new Error('docs/asyncapi.json is out of date: run npm run docs:asyncapi');
    expect(upToDate).toBe(true);
  });

  it('describes every topic with its message schema, and every reference resolves', () => {
    const channels = document.channels as Record<string, { address: string }>;
    expect(
      Object.values(channels)
        .map((c) => c.address)
        .sort(),
    ).toEqual(Object.values(TOPICS).sort());
    for (const ref of refsIn(document)) expect(resolve(document, ref)).toBeDefined();
    const received = resolve(document, '#/components/messages/requestReceived/payload/schema') as Json;
    expect(received.required).toEqual(expect.arrayContaining(['id', 'type', 'subject', 'data']));
    const data = (received.properties as Record<string, Json>).data;
    expect(data.required).toEqual(expect.arrayContaining(['requestId', 'actor', 'receivedAt', 'body']));
    expect(document.asyncapi).toBe('3.0.0');
  });

  it('names as receivers exactly the services whose handlers consume each topic', () => {
    const consumed = new Map<string, Set<string>>();
    for (const app of readdirSync(join(root, 'apps'))) {
      for (const file of sourceFiles(join(root, 'apps', app, 'src'))) {
        for (const match of readFileSync(file, 'utf8').matchAll(
          // A handler, or a consumer of its own (the router's circuit events: every instance all of them).
          /(?:@EventPattern|\bconsume(?:Batches)?)\(TOPICS\.(\w+)|\bsubscribe\(\{ topic: TOPICS\.(\w+)/g,
        )) {
          const topic = TOPICS[(match[1] ?? match[2]) as keyof typeof TOPICS];
          if (!consumed.has(topic)) consumed.set(topic, new Set());
          consumed.get(topic)!.add(app);
        }
      }
    }
    for (const topic of Object.values(TOPICS) as Topic[]) {
      expect({ topic, receive: [...TOPIC_PARTIES[topic].receive].sort() }).toEqual({
        topic,
        receive: [...(consumed.get(topic) ?? [])].sort(),
      });
    }
  });
});
