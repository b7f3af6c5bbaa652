// The model's words, live (issue 13), in the real extension host: the pieces of a streaming answer reach the
// panel's side (the runner's onEvent) as they come; the runner's event list, its log and the journal get the turn's
// text once.
import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { readJournal } from '../../../src/core/runs/journal.js';
import { agentSpec, api, root } from './helpers.js';

const spec = agentSpec('streaming-in-host');
const TEXT = 'Reading the plan first, then writing the code and its tests.';

describe("The model's words, live, in the extension host", () => {
  before(() => spec.setUp('# Tasks\n\n- [ ] 1. Stream an answer\n', 'full'));
  after(() => spec.tearDown());

  it("a streamed answer: its pieces go to the panel's side as they come; the run's events and the journal have the text once", async () => {
    const a = await api();
    const turns = [{ text: TEXT, toolCalls: [{ tool: 'list_files', input: { path: '.' } }] }, { toolCalls: [{ tool: 'complete_task', input: { summary: 'done' } }] }];
    await spec.replay('stream.json', turns);
    // The same script, streamed in pieces of 6 characters (the helper writes turns only).
    await writeFile(vscode.Uri.joinPath(spec.dir(), 'stream.json').fsPath, JSON.stringify({ stream: { chunkChars: 6, delayMs: 1 }, turns }));
    const seen: RunEvent[] = [];
    const sub = a.runner.onEvent((e) => seen.push(e));
    let result: { outcome: { state: string; reason?: string }; runId: string } | undefined;
    try {
      result = await vscode.commands.executeCommand<typeof result>('specAgent.executeTask', spec.tasksUri(), '1');
    } finally {
      sub.dispose();
    }
    assert.equal(result?.outcome.state, 'completed', result?.outcome.reason);
    const pieces = seen.flatMap((e) => (e.type === 'model.delta' ? [e.text] : []));
    assert.equal(pieces.length, Math.ceil(TEXT.length / 6));
    assert.equal(pieces.join(''), TEXT);
    assert.ok(seen.findIndex((e) => e.type === 'model.delta') < seen.findIndex((e) => e.type === 'model.text'), 'the pieces come before the whole text');
    assert.ok(!a.runner.events.some((e) => e.type === 'model.delta'), "the run's event list (and the log) get no pieces");
    assert.deepEqual(a.runner.events.flatMap((e) => (e.type === 'model.text' ? [e.text] : [])), [TEXT]);
    const journal = await readJournal(root().fsPath, result!.runId);
    assert.ok(!journal.events.some((e) => e.type === 'model.delta'));
    // The same events, one for one (an in-memory event may hold an undefined field the JSON line leaves out).
    assert.deepEqual(journal.events.map((e) => `${e.seq} ${e.type}`), a.runner.events.map((e) => `${e.seq} ${e.type}`));
  });
});
