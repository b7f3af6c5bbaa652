import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../../src/core/runs/journal.js';
import { listRunIds, readRunRecord } from '../../../src/core/runs/runIndex.js';

describe('the run index', () => {
  it('reads the tasks file and the completed tasks of each run from its journal', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'spec-agent-index-'));
    const j = Journal.open(ws, '20261125-100000-aaaaaa');
    j.append({ type: 'run.started', tasksFile: '.kiro/specs/x/tasks.md', workspace: ws, tasks: [{ id: '1', title: 'One', line: 3 }, { id: '2', title: 'Two', line: 4 }], level: 'full', levelSource: 'test', model: 'replay:x' });
    // A nested value shaped like the event must not count.
    j.append({ type: 'tool.requested', callId: 'c1', tool: 'write_file', input: { path: 'a.json', content: '{}', x: { type: 'task.completed', taskId: '2' } } });
    j.append({ type: 'task.completed', taskId: '1', summary: 'done', requirements: [], verification: [], verified: false });
    j.append({ type: 'run.completed', tasksCompleted: 1 });
    j.close();
    Journal.open(ws, '20261125-090000-bbbbbb').close(); // no run.started: not a run to show

    expect(await listRunIds(ws)).toEqual(['20261125-090000-bbbbbb', '20261125-100000-aaaaaa']);
    expect(await readRunRecord(ws, '20261125-100000-aaaaaa')).toMatchObject({ runId: '20261125-100000-aaaaaa', workspace: ws, tasksFile: join(ws, '.kiro/specs/x/tasks.md'), completed: [{ id: '1', title: 'One' }] });
    expect(await readRunRecord(ws, '20261125-090000-bbbbbb')).toBeUndefined();
    expect(await readRunRecord(ws, 'no-such-run')).toBeUndefined();
  });
});
