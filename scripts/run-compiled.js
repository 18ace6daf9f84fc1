// Runs a compiled script from dist/, building first when dist/ is missing.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const [script, ...args] = process.argv.slice(2);
const entry = path.join(root, 'dist', script);
if (!existsSync(entry)) {
  process.stderr.write('dist/ is missing: building once (npm run build)…\n');
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const run = spawnSync(process.execPath, ['-r', path.join(__dirname, 'register-paths.js'), entry, ...args], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
