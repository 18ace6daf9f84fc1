// Writes Jest's aggregated JSON results to .data/jest-results.json, whatever the command line,
// so that .ci/run can print `tests: N passed, N failed` from the report of the exact test command.
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const file = path.join(__dirname, '..', '..', '.data', 'jest-results.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(results, null, 1));
  }
}
module.exports = SummaryReporter;
