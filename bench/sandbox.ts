// What confinement costs per command (issue 10, target: <= 30 ms p50 added): `true` and `npm test` on the example
// project, unconfined and confined by the run's sandbox, in the same run; beside them the peer way of confining
// one command, the `srt` command line of the same library (a node process and a proxy per command).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandSandbox } from '../src/core/sandbox/commandSandbox.js';
import { sandboxSettingsSchema } from '../src/core/settings/schema.js';
import { runInProcessGroup } from '../src/core/tools/runCommand.js';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** Both ways of running one command, alternated, so that a load that comes and goes weighs on both alike. */
async function paired(n: number, fn: (confined: boolean) => Promise<unknown>): Promise<[number[], number[]]> {
  await fn(false); // warm-up: caches, the first fork of npm
  await fn(true);
  const plain: number[] = [];
  const boxed: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const confined of i % 2 ? [true, false] : [false, true]) {
      const t = performance.now();
      await fn(confined);
      (confined ? boxed : plain).push(performance.now() - t);
    }
  }
  return [plain, boxed];
}

function row(label: string, xs: number[], base?: number[]): void {
  const added = base ? `  added p50 ${(pct(xs, 50) - pct(base, 50)).toFixed(1)} ms` : '';
  console.log(`${label.padEnd(44)} p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms  p95 ${pct(xs, 95).toFixed(1).padStart(7)} ms${added}`);
}

export async function benchSandbox(): Promise<void> {
  console.log('\nsandbox (cost per command; the example project)');
  const ws = mkdtempSync(join(tmpdir(), 'spec-agent-bench-sandbox-'));
  cpSync(join(__dirname, '../examples/todo-app'), ws, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: ws });
  const t = performance.now();
  const { sandbox, status } = await CommandSandbox.open({ workspace: ws, runId: 'bench', settings: sandboxSettingsSchema.parse({}) });
  console.log(`${'opening the run\'s sandbox (host process, probe)'.padEnd(44)} ${(performance.now() - t).toFixed(0)} ms  ${status.confined ? status.backend : `not confined: ${status.why}`}`);
  if (!sandbox) return;
  try {
    const signal = new AbortController().signal;
    const run = (command: string, confined: boolean) => runInProcessGroup(command, { cwd: ws, timeoutSeconds: 120, signal, ...(confined ? { sandbox } : {}) });
    const [plainTrue, boxedTrue] = await paired(40, (confined) => run('true', confined));
    row('true, unconfined', plainTrue);
    row('true, confined (bubblewrap)', boxedTrue, plainTrue);
    for (const c of ['node -e 0', ...(process.env.SPEC_AGENT_BENCH_SANDBOX_EXTRA ?? '').split(';').filter(Boolean)]) {
      const [a, b] = await paired(10, (confined) => run(c, confined));
      row(`${c}, unconfined`, a);
      row(`${c}, confined`, b, a);
    }
    const [plainTest, boxedTest] = await paired(10, (confined) => run('npm test', confined));
    row('npm test, unconfined', plainTest);
    row('npm test, confined', boxedTest, plainTest);
    const srt = join(__dirname, '../node_modules/.bin/srt');
    const [, peer] = await paired(8, (confined) => run(confined ? `${srt} true` : 'true', false));
    row('peer: `srt true` per command', peer, plainTrue);
    console.log(`${'ratio peer / ours (true, p50 added)'.padEnd(44)} ${((pct(peer, 50) - pct(plainTrue, 50)) / Math.max(0.1, pct(boxedTrue, 50) - pct(plainTrue, 50))).toFixed(1)}x`);
  } finally {
    await sandbox.close();
    rmSync(ws, { recursive: true, force: true });
  }
}
