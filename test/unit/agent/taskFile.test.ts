import { cpSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diskTaskFile, Executor, type TaskFileAccess } from '../../../src/core/agent/executor.js';
import { selectTasks } from '../../../src/core/agent/taskSelection.js';
import { ReplayModel } from '../../../src/core/models/replayModel.js';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import { realFileSystem } from '../../../src/core/policy/paths.js';
import { Journal } from '../../../src/core/runs/journal.js';
import { agentSettingsSchema } from '../../../src/core/settings/schema.js';
import { loadTasks } from '../../../src/core/spec/index.js';

const TASKS = '.kiro/specs/todo-priorities/tasks.md';

describe('the executor with an injected tasks.md access (an editor\'s open document)', () => {
  it('reads the tasks and sets every marker through it', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'spec-agent-taskfile-'));
    cpSync(join(__dirname, '../../../examples/todo-app'), ws, { recursive: true });
    const file = join(ws, TASKS);
    const disk = diskTaskFile(file);
    const calls: string[] = [];
    const taskFile: TaskFileAccess = {
      async read() {
        calls.push('read');
        const r = await disk.read();
        return { tree: r.tree, setStatus: (task, status) => (calls.push(`${task.id} ${status}`), r.setStatus(task, status)) };
      },
    };
    const settings = agentSettingsSchema.parse({ autonomyLevel: 'full', verifyCommands: [] });
    const { tasks } = selectTasks((await loadTasks(file)).tree, '2.1');
    const journal = Journal.open(ws, 'r1');
    const model = new ReplayModel('replay:test', { turns: [{ toolCalls: [{ tool: 'complete_task', input: { summary: 'done' } }] }] });
    const outcome = await new Executor({ workspace: ws, tasksFile: file, tasks, model, gate: await PolicyGate.create(), settings: () => settings, context: { workspaceRoot: ws, home: '/nonexistent-home' }, fsView: realFileSystem, journal, signal: new AbortController().signal, taskFile }).run();
    journal.close();
    expect(outcome.state).toBe('completed');
    expect(calls.filter((c) => c !== 'read')).toEqual(['2.1 in_progress', '2.1 done']);
    expect(await readFile(file, 'utf8')).toMatch(/- \[x\] 2\.1 Store/);
  });
});
