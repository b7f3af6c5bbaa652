// `npm test`: lint, typecheck, unit tests, then the tests in a real VS Code. Every step runs even when an
// earlier one fails, so one run shows everything; the last line is `N passed, N failed, N skipped`
// (tests counted one by one; lint and typecheck count as one check each).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSteps = [];
const npx = (args, opts = {}) => spawnSync('npx', ['--no-install', ...args], { stdio: 'inherit', ...opts });

async function step(name, run) {
  console.log(`\n=== ${name}`);
  const started = Date.now();
  const counts = await run();
  for (const k of Object.keys(totals)) totals[k] += counts[k] ?? 0;
  if (counts.failed) failedSteps.push(name);
  console.log(`=== ${name}: ${counts.passed ?? 0} passed, ${counts.failed ?? 0} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const check = (ok) => (ok ? { passed: 1 } : { failed: 1 });

await step('lint', () => check(npx(['eslint', '.']).status === 0));
await step('typecheck', () => check(npx(['tsc', '-p', '.']).status === 0 && npx(['tsc', '-p', 'test/vscode']).status === 0 && npx(['tsc', '-p', 'src/webview']).status === 0));
await step('build', () => check(spawnSync('node', ['scripts/build.mjs'], { stdio: 'inherit' }).status === 0));
// What the tests need, installed before the tests that need it (a failed install fails the run): real bubblewrap
// for the sandbox tests; Chromium and playwright-core for the webview tests, with the test VS Code they come with.
await step('sandbox prerequisites', () => check(spawnSync('bash', ['scripts/sandbox-setup.sh'], { stdio: 'inherit' }).status === 0));
await step('browser and VS Code prerequisites', () => check(spawnSync('bash', ['scripts/real-vscode/setup.sh'], { stdio: 'inherit' }).status === 0));
await step('unit tests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spec-agent-vitest-'));
  const out = join(dir, 'report.json');
  const r = npx(['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  try {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    return { passed: j.numPassedTests, failed: j.numFailedTests + (r.status !== 0 && j.numFailedTests === 0 ? 1 : 0), skipped: j.numPendingTests + j.numTodoTests };
  } catch {
    return { failed: 1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
await step('tests in a real VS Code', async () => {
  // Streamed (the first run installs the test VS Code for minutes) and kept, to read the summary line.
  const child = spawn('node', ['test/vscode/run.mjs'], { stdio: ['inherit', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
    process.stdout.write(chunk);
  });
  const status = await new Promise((resolve) => child.on('close', resolve));
  const m = /^(\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(out);
  if (!m) return { failed: 1 };
  return { passed: Number(m[1]), failed: Number(m[2]) + (status !== 0 && m[2] === '0' ? 1 : 0), skipped: Number(m[3]) };
});

if (failedSteps.length) console.log(`\nfailed: ${failedSteps.join(', ')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed === 0 ? 0 : 1);
