// `npm run demo`: the agent runs one task of examples/todo-app in a temp copy, with a recorded model (replay):
// it reads the spec, writes code and tests, runs the tests (they fail), fixes the code, runs them again (they
// pass), tries a forbidden command (denied), and completes; the checkbox ends up ticked.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const ws = mkdtempSync(join(tmpdir(), 'spec-agent-demo-'));
cpSync(join(root, 'examples/todo-app'), ws, { recursive: true });
const env = { ...process.env, GIT_AUTHOR_NAME: 'Demo', GIT_AUTHOR_EMAIL: 'demo@example.com', GIT_COMMITTER_NAME: 'Demo', GIT_COMMITTER_EMAIL: 'demo@example.com' };
const git = (...args) => spawnSync('git', args, { cwd: ws, env, stdio: 'ignore' });
git('init', '-q', '-b', 'main');
git('add', '-A');
git('commit', '-q', '-m', 'the example project');

// The demo's acceptance of the example policy is recorded in the temp dir, not in the user's config.
const cliEnv = { ...process.env, SPEC_AGENT_ACCEPTANCE_FILE: join(mkdtempSync(join(tmpdir(), 'spec-agent-demo-accept-')), 'accepted.json') };
const cli = (...args) => spawnSync(process.execPath, [join(root, 'dist/cli.js'), ...args], { cwd: ws, stdio: 'inherit', env: cliEnv });
const tasks = '.kiro/specs/todo-priorities/tasks.md';
console.log(`Spec Agent demo in ${ws}\n`);
const run = cli('run', tasks, '--task', '2.1', '--accept-policy', '--model', `replay:${join(root, 'examples/demo/replay-priorities.json')}`);
console.log('\nThe plan afterwards:');
cli('parse', tasks);
console.log('\nWhat changed (git status):');
spawnSync('git', ['status', '--short'], { cwd: ws, stdio: 'inherit' });
console.log(`\nThe journal and summary are in ${join(ws, '.kiro/runs')}; \`spec-agent runs\` commands come next.`);
process.exit(run.status ?? 1);
