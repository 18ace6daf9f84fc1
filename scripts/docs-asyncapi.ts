import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAsyncApiDocument } from '@ixr/messaging';

/**
 * `npm run docs:asyncapi`: writes docs/asyncapi.json from the topic registry and its zod schemas.
 * `-- --check` only compares, and fails when the checked-in document is out of date.
 */
const file = join(__dirname, '..', '..', 'docs', 'asyncapi.json');
const text = renderAsyncApiDocument();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing: out of date
  }
  if (current !== text) {
    process.stderr.write('docs/asyncapi.json is out of date: run npm run docs:asyncapi\n');
    process.exit(1);
  }
  process.stdout.write('docs/asyncapi.json is up to date\n');
} else {
  writeFileSync(file, text);
  process.stdout.write(`wrote ${file}\n`);
}
