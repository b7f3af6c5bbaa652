// `npm run eval:demo`: `spec-agent eval` over the five cases of examples/eval with their recorded model
// (replay:scripted): each case runs in a fresh temp copy, is judged by its hidden checks, and the markdown report
// is printed. Offline; SPEC_AGENT_CLI runs another build of the CLI (the test of this script gives its own).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const cli = process.env.SPEC_AGENT_CLI ?? join(root, 'dist/cli.js');
const out = mkdtempSync(join(tmpdir(), 'spec-agent-eval-demo-'));
const run = spawnSync(process.execPath, [cli, 'eval', 'examples/eval', '--model', 'replay:scripted', '--out', out], { cwd: root, stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);
console.log(`\n${readFileSync(join(out, 'report.md'), 'utf8')}`);
console.log(`results.json, report.md and each run's journal are in ${out}`);
