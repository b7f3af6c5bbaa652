// The Runs tab's side in the real extension host: runs made by Execute with Agent are listed, newest first, with
// their figures and the stats, from the runs index; a run picked there is the one the panel shows.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { agentSpec, api, root, until } from './helpers.js';

const spec = agentSpec('history-in-host');
const TASKS = '# Tasks\n\n- [ ] 1. Write a note\n- [ ] 2. Give up\n';

const run = (task: string) => vscode.commands.executeCommand<{ outcome: { state: string }; runId: string } | undefined>('specAgent.executeTask', spec.tasksUri(), task);

describe('Runs tab: the panel lists the runs of the workspace', function () {
  // Two runs of the agent and the panel's first load, on a loaded machine.
  this.timeout(180_000);
  before(() => spec.setUp(TASKS, 'full'));
  after(async () => {
    await spec.tearDown();
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(root(), 'HISTORY-NOTE.md')).then(undefined, () => undefined);
  });

  it('lists a completed and a failed run, newest first, with their figures and the stats; showRun shows the one picked', async () => {
    const a = await api();
    await spec.replay('note.json', [
      { toolCalls: [{ tool: 'write_file', input: { path: 'HISTORY-NOTE.md', content: 'a note\n' } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'noted' } }] },
    ]);
    const done = await run('1');
    assert.equal(done?.outcome.state, 'completed');
    // The replay runs out before the task is done: the run fails.
    await spec.replay('give-up.json', [{ text: 'Nothing to do.', toolCalls: [] }]);
    const failed = await run('2');
    assert.equal(failed?.outcome.state, 'failed');

    await a.activity.show(true);
    const load = { type: 'loadHistory', filter: {}, offset: 0, limit: 100 };
    // The panel's page says `ready` once it has loaded; until then nothing is posted to it.
    const history = await until('the Runs view page', async () => {
      await a.activity.receive(load);
      const h = a.activity.lastHistory;
      return h && h.rows.some((r) => r.runId === failed!.runId) ? h : undefined;
    }, 60_000);
    const [first, second] = history.rows;
    assert.equal(first?.runId, failed!.runId);
    assert.equal(second?.runId, done!.runId);
    assert.equal(first?.outcome, 'failed');
    assert.equal(first?.spec, 'history-in-host');
    assert.match(first!.tasks, /^2 Give up/);
    assert.equal(second?.outcome, 'completed');
    assert.match(second!.model ?? '', /^replay:/);
    assert.equal(second?.level, 'full');
    assert.ok(history.total >= 2 && history.all === history.total, JSON.stringify({ total: history.total, all: history.all }));
    const mine = history.stats.bySpec.find((b) => b.spec === 'history-in-host');
    assert.deepEqual(mine?.stats.tasks, { completed: 1, failed: 1, paused: 0, stopped: 0, interrupted: 0 });
    // Read through the runs index, which the look wrote.
    assert.ok(existsSync(join(root().fsPath, '.kiro/runs/index.jsonl')));

    // A filter is applied by the host: only this spec's runs.
    await a.activity.receive({ ...load, filter: { spec: 'history-in-host', outcome: 'completed' } });
    assert.deepEqual(a.activity.lastHistory?.rows.map((r) => r.runId), [done!.runId]);

    await a.activity.receive({ type: 'showRun', runId: done!.runId });
    assert.equal(a.activity.shownRun?.runId, done!.runId);
  });
});
