// Executor figures (issue 5): overhead per step with the replay model (no model time; checkpoints measured
// apart), journal appends per second, and Stop latency (Stop to run.stopped with the command's group dead)
// for a command that exits on SIGTERM and for one that ignores it.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Executor } from '../src/core/agent/executor.js';
import { selectTasks } from '../src/core/agent/taskSelection.js';
import { ReplayModel } from '../src/core/models/replayModel.js';
import { PolicyGate } from '../src/core/policy/gate.js';
import { realFileSystem } from '../src/core/policy/paths.js';
import { Journal } from '../src/core/runs/journal.js';
import { agentSettingsSchema } from '../src/core/settings/schema.js';
import { loadTasks } from '../src/core/spec/index.js';

const TASKS = '.kiro/specs/todo-priorities/tasks.md';
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const row = (label: string, value: string, extra = '') => console.log(`${label.padEnd(58)} ${value.padStart(12)}${extra ? `  ${extra}` : ''}`);

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'spec-agent-bench-agent-'));
  cpSync(join(process.cwd(), 'examples/todo-app'), ws, { recursive: true });
  return ws;
}

async function execute(ws: string, turns: unknown[], level: 'balanced' | 'full', stop = new AbortController(), onEvent?: (type: string) => void) {
  const gate = await PolicyGate.create();
  const settings = agentSettingsSchema.parse({ autonomyLevel: level, allowedCommands: ['npm test'], forbiddenCommands: ['rm -rf'] });
  const spec = await loadTasks(join(ws, TASKS));
  const journal = Journal.open(ws, `bench-${Math.random().toString(16).slice(2, 8)}`);
  if (onEvent) journal.onEvent((e) => onEvent(e.type));
  const model = new ReplayModel('replay:bench', { turns: turns as never });
  const executor = new Executor({ workspace: ws, tasksFile: join(ws, TASKS), tasks: selectTasks(spec.tree, '2.1').tasks, model, gate, settings: () => settings, context: { workspaceRoot: ws }, fsView: realFileSystem, journal, signal: stop.signal });
  const started = performance.now();
  const outcome = await executor.run();
  journal.close();
  return { ms: performance.now() - started, outcome };
}

export async function benchAgent(): Promise<void> {
  console.log('\nagent executor (replay model, no checkpoints)');
  // Overhead per step: 200 read_file steps, one per model turn, then complete.
  const steps = 150;
  const turns = [...Array.from({ length: steps }, () => ({ toolCalls: [{ tool: 'read_file', input: { path: 'src/todo.js' } }] })), { toolCalls: [{ tool: 'complete_task', input: { summary: 'bench' } }] }];
  await execute(workspace(), turns.slice(-5), 'balanced');
  // The fixed cost of a task (marks in tasks.md, the workspace listing for the prompt) is measured apart.
  const fixed = await execute(workspace(), turns.slice(-1), 'balanced');
  const r = await execute(workspace(), turns, 'balanced');
  if (r.outcome.state !== 'completed') throw new Error(`bench run ended ${r.outcome.state}: ${r.outcome.reason}`);
  row(`  overhead per step (${steps} model turns with a read_file each)`, `${((r.ms - fixed.ms) / steps).toFixed(2)} ms`, `target <= 5 ms (a task's fixed cost: ${fixed.ms.toFixed(0)} ms)`);
  const ws = workspace();

  // Journal appends per second.
  const j = Journal.open(ws, 'bench-journal');
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) j.append({ type: 'tool.output', callId: 'c', stream: 'stdout', text: 'line of output from a command\n' });
  const appendMs = performance.now() - t0;
  j.close();
  row('  journal appends per second (validated, written before dispatch)', `${Math.round((n / appendMs) * 1000).toLocaleString('en')} /s`);

  // Stop latency, p95 over runs: Stop 300 ms into the command.
  for (const [label, script, target] of [
    ['a command that exits on SIGTERM', 'sleep 30', '500 ms'],
    ['a command that ignores SIGTERM', 'trap "" TERM; sleep 30', '2.5 s'],
  ] as const) {
    const latencies: number[] = [];
    const runs = label.includes('ignores') ? 5 : 20;
    for (let i = 0; i < runs; i++) {
      writeFileSync(join(ws, 'job.sh'), `${script}\n`);
      const stop = new AbortController();
      let stoppedAt = 0;
      // Stop 300 ms after the command is dispatched.
      const onEvent = (type: string) => {
        if (type === 'gate.decided' && stoppedAt === 0) {
          stoppedAt = -1;
          setTimeout(() => {
            stoppedAt = performance.now();
            stop.abort();
          }, 300);
        }
      };
      const run = await execute(workspace(), [{ toolCalls: [{ tool: 'run_command', input: { command: `sh ${join(ws, 'job.sh')}` } }] }], 'full', stop, onEvent);
      if (run.outcome.state !== 'stopped') throw new Error(`bench run ended ${run.outcome.state}: ${run.outcome.reason}`);
      latencies.push(performance.now() - stoppedAt);
    }
    row(`  Stop latency, p95 over ${runs} runs: ${label}`, `${pct(latencies, 0.95).toFixed(0)} ms`, `target <= ${target}`);
  }
  rmSync(ws, { recursive: true, force: true });
}
