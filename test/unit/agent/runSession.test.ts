import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Approver } from '../../../src/core/agent/executor.js';
import { RunInProgressError, runSession, RunSetupError, type SessionOptions } from '../../../src/core/agent/runSession.js';
import { selectTasks } from '../../../src/core/agent/taskSelection.js';
import { ReplayModel, type ReplayScript } from '../../../src/core/models/replayModel.js';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { readJournal, runDir, RUNS_DIR } from '../../../src/core/runs/journal.js';
import { agentSettingsSchema, type AgentSettings } from '../../../src/core/settings/schema.js';
import { loadTasks } from '../../../src/core/spec/index.js';
import { processStartTime } from '../../../src/core/tools/processGroup.js';
import { budget } from '../../support/budget.js';
import { EXAMPLE_TASKS, exampleRepo } from '../../support/exampleRepo.js';

const TASKS = EXAMPLE_TASKS;

const workspace = () => exampleRepo('session');

async function session(ws: string, script: ReplayScript, o: { settings?: Partial<AgentSettings>; approver?: Approver } = {}): Promise<SessionOptions & { events: RunEvent[] }> {
  const settings = agentSettingsSchema.parse({ autonomyLevel: 'balanced', allowedCommands: [], verifyCommands: [], ...o.settings });
  const spec = await loadTasks(join(ws, TASKS));
  const events: RunEvent[] = [];
  return {
    events,
    workspace: ws,
    file: join(ws, TASKS),
    tasks: selectTasks(spec.tree, '2.2').tasks,
    model: new ReplayModel('replay:test', script),
    policy: { settings, levelSource: 'test' },
    level: () => settings.autonomyLevel,
    levelSource: 'test',
    signal: new AbortController().signal,
    onEvent: (e) => events.push(e),
    ...(o.approver ? { approver: o.approver } : {}),
  };
}

const complete = { tool: 'complete_task', input: { summary: 'done' } };
const runIds = (ws: string) => readdirSync(join(ws, RUNS_DIR), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

describe('runSession', () => {
  it('refuses to start while another process runs a run in the workspace, and leaves no run behind', { timeout: budget({ git: 3, run: 1 }) }, async () => {
    const ws = await workspace();
    const other = spawn('sleep', ['30']);
    try {
      mkdirSync(runDir(ws, 'theirs'), { recursive: true });
      writeFileSync(join(runDir(ws, 'theirs'), 'lock.json'), JSON.stringify({ pid: other.pid, host: hostname(), startTime: processStartTime(other.pid!) }));
      const err = await runSession(await session(ws, { turns: [{ toolCalls: [complete] }] })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunInProgressError);
      expect((err as Error).message).toBe(`run theirs is under way in this workspace (pid ${other.pid}, started from another window or a terminal); stop it there, or wait for it to end; if it is not running any more, delete ${join(runDir(ws, 'theirs'), 'lock.json')}`);
      expect(runIds(ws)).toEqual(['theirs']);
    } finally {
      other.kill('SIGKILL');
    }
    // Once that process is gone, a run starts.
    await new Promise((r) => other.once('exit', r));
    const s = await session(ws, { turns: [{ toolCalls: [complete] }] });
    expect((await runSession(s)).outcome.state).toBe('completed');
  });

  it('ends the journal with run.failed, saying what to do, when git is missing before the first step', { timeout: budget({ git: 3, run: 2 }) }, async () => {
    const ws = await workspace();
    const s = await session(ws, { turns: [{ toolCalls: [complete] }] });
    const path = process.env.PATH;
    process.env.PATH = join(ws, 'no-git-here');
    let err: unknown;
    try {
      err = await runSession(s).catch((e: unknown) => e);
    } finally {
      process.env.PATH = path;
    }
    const reason = 'git is needed for checkpoints and was not found on PATH: install git, or add it to PATH';
    expect(err).toBeInstanceOf(RunSetupError);
    expect((err as Error).message).toMatch(new RegExp(`^run \\S+ failed before its first step: ${reason}$`));
    const [id] = runIds(ws);
    const journal = await readJournal(ws, id!);
    expect(journal.ended).toBe(true);
    expect(journal.events.map((e) => e.type)).toEqual(['run.started', 'run.failed']);
    expect(journal.events.at(-1)).toMatchObject({ type: 'run.failed', error: reason });
    expect(s.events.at(-1)).toMatchObject({ type: 'run.failed', error: reason });
    // The run let go of the workspace: the next one starts.
    expect((await runSession(await session(ws, { turns: [{ toolCalls: [complete] }] }))).outcome.state).toBe('completed');
  });

  it('applies Always allow at once: the same command later in the run is allowed without asking', { timeout: budget({ git: 3, run: 1, cli: 2 }) }, async () => {
    const ws = await workspace();
    writeFileSync(join(ws, 'ok.js'), 'process.exit(0);\n');
    const asked: string[] = [];
    const approver: Approver = async (req) => {
      asked.push((req.input as { command: string }).command);
      return { approved: true, alwaysAllow: 'node ok.js' };
    };
    const run = { tool: 'run_command', input: { command: 'node ok.js' } };
    const s = await session(ws, { turns: [{ toolCalls: [run] }, { toolCalls: [run] }, { toolCalls: [complete] }] }, { approver });
    const { outcome } = await runSession(s);
    expect(outcome.state).toBe('completed');
    expect(asked).toEqual(['node ok.js']);
    expect(s.events.filter((e) => e.type === 'approval.requested')).toHaveLength(1);
    const commands = new Set(s.events.flatMap((e) => (e.type === 'tool.requested' && e.tool === 'run_command' ? [e.callId] : [])));
    expect(s.events.flatMap((e) => (e.type === 'gate.decided' && commands.has(e.callId) ? [e.verdict] : []))).toEqual(['ask', 'allow']);
    expect(s.events.filter((e) => e.type === 'tool.finished' && e.ok)).toHaveLength(3);
    // Not a grant for the policy in memory: the next run starts from the policy as given (the approver wrote the file).
    expect(s.policy.settings.allowedCommands).toEqual([]);
  });

  it('keeps an Always allow answer out of the run when the step was not approved', { timeout: budget({ git: 3, run: 1, cli: 2 }) }, async () => {
    const ws = await workspace();
    writeFileSync(join(ws, 'ok.js'), 'process.exit(0);\n');
    let n = 0;
    const approver: Approver = async () => (++n === 1 ? { approved: false, alwaysAllow: 'node ok.js' } : { approved: true });
    const run = { tool: 'run_command', input: { command: 'node ok.js' } };
    const s = await session(ws, { turns: [{ toolCalls: [run] }, { toolCalls: [run] }, { toolCalls: [complete] }] }, { approver });
    await runSession(s);
    expect(n).toBe(2);
  });
});
