// @spec and specAgent_runTasks in the real extension host. The Chat view cannot be driven in the test VS Code:
// code-server 1.139.1's product.json names GitHub Copilot Chat as its default chat agent (`defaultChatAgent`), which
// cannot be installed offline, and without it the workbench hides the chat: its command palette offers, for "chat"
// and for "Open Chat", only "Chat: Use AI Features with Copilot for free..." (the sign-in setup), Ctrl+Alt+I opens
// nothing, and the secondary side bar where the view lives says "Drag a view here to display" (seen with Playwright
// on 2026-12-07). So the participant's handler is called as VS Code calls it, with a stream that records what it is
// given; the tool goes through VS Code's own vscode.lm.invokeTool. The runs are real: the window's AgentRunner, the
// replay model, the journal, checkpoints, the panel.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { readJournal } from '../../../src/core/runs/journal.js';
import { CHAT_RESUME_COMMAND, CHAT_UNDO_DISCARD_COMMAND, followupsFor, type SpecChatResult } from '../../../src/vscode/chatParticipant.js';
import { RUN_TASKS_TOOL } from '../../../src/vscode/runTasksTool.js';
import { agentSpec, api, root, until } from './helpers.js';

const spec = agentSpec('chat-in-host');
const { tasksUri, replay } = spec;
const TASKS = '# Tasks\n\n- [ ] 1. Write the chat notes\n- [ ] 2. Write the tool notes\n- [ ] 3. Wait for the build\n- [ ] 4. Wait for the tests\n- [ ] 5. Rewrite the edit notes\n';

/** What the handler streamed: Markdown as one text, and the buttons with their commands and arguments. */
class RecordingStream {
  text = '';
  buttons: vscode.Command[] = [];
  /** Resolves once the streamed text matches. */
  private waiters: Array<{ re: RegExp; done: () => void }> = [];
  markdown(value: string | vscode.MarkdownString): void {
    this.text += typeof value === 'string' ? value : value.value;
    this.waiters = this.waiters.filter((w) => (w.re.test(this.text) ? (w.done(), false) : true));
  }
  button(command: vscode.Command): void {
    this.buttons.push(command);
  }
  anchor(): void {}
  filetree(): void {}
  progress(): void {}
  reference(): void {}
  push(): void {}
  seen(re: RegExp): Promise<void> {
    return re.test(this.text) ? Promise.resolve() : new Promise((done) => this.waiters.push({ re, done }));
  }
}

function request(prompt: string, command?: string, model?: vscode.LanguageModelChat): vscode.ChatRequest {
  return { prompt, command, references: [], toolReferences: [], toolInvocationToken: undefined, model } as unknown as vscode.ChatRequest;
}

const context = { history: [] } as unknown as vscode.ChatContext;

async function ask(prompt: string, command?: string, token = new vscode.CancellationTokenSource().token): Promise<{ stream: RecordingStream; result: SpecChatResult }> {
  const stream = new RecordingStream();
  const result = await (await api()).chat.handle(request(prompt, command), context, stream as unknown as vscode.ChatResponseStream, token);
  return { stream, result };
}

describe('@spec and the agent-mode tool in a real VS Code', () => {
  before(async () => {
    await spec.setUp(TASKS, 'full');
    await vscode.window.showTextDocument(tasksUri());
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await spec.tearDown();
    for (const f of ['CHAT-NOTES.md', 'TOOL-NOTES.md', 'BUILD-NOTES.md', 'TEST-NOTES.md', 'EDIT-NOTES.md', 'chat-edit.txt', 'chat-slow.sh']) await rm(vscode.Uri.joinPath(root(), f).fsPath, { force: true });
  });

  it('/run 1 <note>: streams the progress, the note reaches the run, the answer is the completion report', async () => {
    await replay('chat.json', [{ toolCalls: [{ tool: 'write_file', input: { path: 'CHAT-NOTES.md', content: 'one\ntwo\n' } }] }, { toolCalls: [{ tool: 'complete_task', input: { summary: 'wrote the chat notes' } }] }]);
    const { stream, result } = await ask('1 keep it to two lines', 'run');
    assert.equal(result.metadata.state, 'completed', stream.text);
    assert.match(stream.text, /^Running 1 task of \*\*chat-in-host\*\*: 1, with your note: _keep it to two lines_\./);
    assert.match(stream.text, /- ▶ \*\*1 Write the chat notes\*\*\n {2}- created `CHAT-NOTES\.md` \(2 lines\)\n {2}- ✓ done \(no checks ran\)\n✓ Completed: 1 task done\./);
    assert.match(stream.text, /- \*\*1 Write the chat notes\*\*: done, no checks ran\n {2}- summary: wrote the chat notes\n {2}- file `CHAT-NOTES\.md`: new, 2 lines/);
    assert.deepEqual(stream.buttons.map((b) => b.title), ['Show Agent Activity', 'Discard changes', 'Keep changes', 'Open the files']);
    const started = (await readJournal(root().fsPath, result.metadata.runId!)).events[0];
    assert.equal(started?.type === 'run.started' && started.note, 'keep it to two lines');
    assert.equal(await readFile(vscode.Uri.joinPath(root(), 'CHAT-NOTES.md').fsPath, 'utf8'), 'one\ntwo\n');
  });

  it('asks back with the open tasks as buttons for a task that is not there, and starts nothing', async () => {
    const runsBefore = (await api()).runner.events.at(-1)?.runId;
    const { stream, result } = await ask('execute task 9: anything', undefined);
    assert.equal(result.metadata.state, 'which-tasks');
    assert.equal(stream.text, 'Nothing was started: there is no task 9 in tasks.md (chat-in-host). Open tasks of chat-in-host:');
    assert.deepEqual(
      stream.buttons.map((b) => [b.title, b.arguments]),
      [
        ['2 Write the tool notes', ['2 for the chat-in-host spec anything']],
        ['3 Wait for the build', ['3 for the chat-in-host spec anything']],
        ['4 Wait for the tests', ['4 for the chat-in-host spec anything']],
        ['5 Rewrite the edit notes', ['5 for the chat-in-host spec anything']],
      ],
    );
    assert.equal((await api()).runner.events.at(-1)?.runId, runsBefore);
  });

  it("words the rules cannot read: the chat's model reads them, its pick is shown with a Run button, and nothing runs", async () => {
    const ext = vscode.extensions.getExtension<{ requests: Array<{ messages: Array<{ parts: Array<{ text?: string }> }> }>; register(turns: unknown[]): vscode.Disposable }>('spec-agent-test.lm-provider')!;
    const fixture = ext.isActive ? ext.exports : await ext.activate();
    const provider = fixture.register([{ parts: [{ text: '2' }] }]);
    try {
      const model = await until('the scripted model', async () => (await vscode.lm.selectChatModels({ vendor: 'spec-agent-test' }))[0]);
      const eventsBefore = (await api()).runner.events.length;
      const stream = new RecordingStream();
      const result = await (await api()).chat.handle(request('now the notes for the tool please', undefined, model), context, stream as unknown as vscode.ChatResponseStream, new vscode.CancellationTokenSource().token);
      assert.equal(result.metadata.state, 'which-tasks');
      assert.match(stream.text, /^The rules could not read a task id in your request; the chat's model \(Scripted Test Model\) reads it as \*\*2\*\* \(2 Write the tool notes\)\. Nothing has run: run it, or pick another task below\./);
      assert.deepEqual(stream.buttons[0], { command: 'specAgent.chat.runTasks', title: 'Run 2', arguments: ['2 for the chat-in-host spec now the notes for the tool please'] });
      // The model was given the open tasks and the user's words, nothing else.
      const asked = fixture.requests[0]!.messages[0]!.parts[0]!.text!;
      assert.match(asked, /2: Write the tool notes\n3: Wait for the build\n4: Wait for the tests/);
      assert.match(asked, /The user wrote: "now the notes for the tool please"/);
      assert.equal((await api()).runner.events.length, eventsBefore);
    } finally {
      provider.dispose();
    }
  });

  it('specAgent_runTasks through vscode.lm.invokeTool: runs the task in the same session, answers with the report', async () => {
    const info = vscode.lm.tools.find((t) => t.name === RUN_TASKS_TOOL);
    // The confirmation agent mode shows first: the tasks, the level and whether commands are sandboxed.
    const prepared = await (await api()).runTasksTool.prepareInvocation({ input: { spec: 'chat-in-host', tasks: '2', note: 'from the agent' } } as vscode.LanguageModelToolInvocationPrepareOptions<{ tasks: string }>);
    assert.equal(prepared.confirmationMessages?.title, 'Run spec tasks with Spec Agent?');
    assert.equal(
      (prepared.confirmationMessages?.message as vscode.MarkdownString).value,
      'Run task **2** of the **chat-in-host** spec with Spec Agent.\n\nAutonomy level: **full** (from the specAgent.autonomyLevel setting).\n\nCommands run sandboxed (bubblewrap).\n\nNote for the run: _from the agent_\n\nApprovals the policy asks for appear on the Agent Activity panel.',
    );
    assert.deepEqual((info?.inputSchema as { required?: string[] } | undefined)?.required, ['tasks']);
    await replay('tool.json', [{ toolCalls: [{ tool: 'write_file', input: { path: 'TOOL-NOTES.md', content: 'tool\n' } }] }, { toolCalls: [{ tool: 'complete_task', input: { summary: 'wrote the tool notes' } }] }]);
    const result = await vscode.lm.invokeTool(RUN_TASKS_TOOL, { input: { spec: 'chat-in-host', tasks: '2', note: 'from the agent' }, toolInvocationToken: undefined });
    const text = result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.match(text, /^Run \S+ completed\.\nYour note: from the agent\n1 of 1 task done \(\.kiro\/specs\/chat-in-host\/tasks\.md\)\./);
    assert.match(text, /- \*\*2 Write the tool notes\*\*: done, no checks ran\n {2}- summary: wrote the tool notes\n {2}- file `TOOL-NOTES\.md`: new, 1 line/);
    assert.match(await readFile(tasksUri().fsPath, 'utf8'), /- \[x\] 2\. Write the tool notes/);
    // Wrong input: the calling model is told what is wrong and what there is; nothing runs.
    const wrong = await vscode.lm.invokeTool(RUN_TASKS_TOOL, { input: { spec: 'no-such-spec', tasks: '1' }, toolInvocationToken: undefined });
    assert.match((wrong.content[0] as vscode.LanguageModelTextPart).value, /^Nothing was run: there is no spec "no-such-spec" in \.kiro\/specs\/\. Call again with "spec" set to one of: .*chat-in-host/);
  });

  it('cancelling the chat request stops the run as Escape does; /summary says what was completed; Resume finishes it', async () => {
    const a = await api();
    await writeFile(vscode.Uri.joinPath(root(), 'chat-slow.sh').fsPath, 'sleep 60\n');
    await replay('slow.json', [
      { toolCalls: [{ tool: 'write_file', input: { path: 'BUILD-NOTES.md', content: 'before the build\n' } }] },
      { toolCalls: [{ tool: 'run_command', input: { command: 'sh chat-slow.sh' } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'waited for the build' } }] },
    ]);
    const cancel = new vscode.CancellationTokenSource();
    const stream = new RecordingStream();
    const pending = a.chat.handle(request('3', 'run'), context, stream as unknown as vscode.ChatResponseStream, cancel.token);
    await until('the command to start', () => a.runner.events.some((e) => e.type === 'process.started'));
    assert.match(stream.text, /created `BUILD-NOTES\.md` \(1 line\)/);
    cancel.cancel();
    const result = await pending;
    assert.equal(result.metadata.state, 'stopped', stream.text);
    assert.match(stream.text, /■ Stopped: /);
    assert.match(stream.text, /- \*\*3 Wait for the build\*\*: not finished\n {2}- file `BUILD-NOTES\.md`: new, 1 line/);
    assert.deepEqual(stream.buttons.map((b) => b.title), ['Show Agent Activity', 'Resume', 'Discard changes', 'Keep changes', 'Open the files']);
    assert.deepEqual(
      followupsFor(result).map((f) => [f.command, f.prompt]),
      [
        ['summary', 'what did you complete before I interrupted you?'],
        ['resume', result.metadata.runId],
        ['discard', result.metadata.runId],
      ],
    );

    // "What did you complete before I interrupted you?" reads as /summary.
    const summary = await ask('What did you complete before I interrupted you?');
    assert.equal(summary.result.metadata.command, 'summary');
    assert.equal(summary.result.metadata.runId, result.metadata.runId);
    assert.match(summary.stream.text, new RegExp(`^Run ${result.metadata.runId} was stopped: `));
    assert.match(summary.stream.text, /0 of 1 task done/);
    assert.match(summary.stream.text, /- \*\*3 Wait for the build\*\*: not finished\n {2}- file `BUILD-NOTES\.md`: new, 1 line/);
    const resume = summary.stream.buttons.find((b) => b.title === 'Resume')!;
    assert.deepEqual(resume.arguments, [root().fsPath, result.metadata.runId]);

    // /status lists it, with its level, sandbox state and budget use against the settings file's limits: the
    // task's two model turns, no tokens (the replay model reports none) and no price known for it.
    const settings = spec.settingsFile();
    const before = await readFile(settings, 'utf8');
    await writeFile(settings, before.replace('"verifyCommands": []', '"verifyCommands": [], "maxTokensPerTask": 50000, "maxMinutesPerTask": 30, "maxCostPerRun": 2'));
    try {
      const status = await ask('', 'status');
      assert.match(
        status.stream.text,
        new RegExp(`- \\*\\*${result.metadata.runId}\\*\\*: stopped \\([^)]*\\); level full, sandboxed; 0/1 task done\n {2}- budget: task 3: 2 of 200 model turns, 0 of 50,000 tokens, \\d+(\\.\\d)? of 30 min; run: no price known, so maxCostPerRun \\(\\$2\\.00\\) cannot be held`),
        status.stream.text,
      );
    } finally {
      await writeFile(settings, before);
    }

    // Resume (the button's command): a new run continues from the journal; the build is quick this time.
    await writeFile(vscode.Uri.joinPath(root(), 'chat-slow.sh').fsPath, 'exit 0\n');
    assert.equal(resume.command, CHAT_RESUME_COMMAND);
    await vscode.commands.executeCommand(resume.command, ...resume.arguments!);
    const resumed = a.runner.events.find((e) => e.type === 'run.started');
    assert.equal(resumed?.type === 'run.started' && resumed.resumedFrom, result.metadata.runId);
    await until('the task to be ticked', async () => /- \[x\] 3\. Wait for the build/.test(await readFile(tasksUri().fsPath, 'utf8')));
  });
  it('/stop stops the run under way as Escape does: /status shows it running with its budget use, the journal ends stopped', async () => {
    const a = await api();
    await until('the last run to close', () => !a.runner.running && !a.runner.finishing);
    await writeFile(vscode.Uri.joinPath(root(), 'chat-slow.sh').fsPath, 'sleep 60\n');
    await replay('stop.json', [
      { toolCalls: [{ tool: 'write_file', input: { path: 'TEST-NOTES.md', content: 'before the tests\n' } }] },
      { toolCalls: [{ tool: 'run_command', input: { command: 'sh chat-slow.sh' } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'waited for the tests' } }] },
    ]);
    const stream = new RecordingStream();
    const pending = a.chat.handle(request('4', 'run'), context, stream as unknown as vscode.ChatResponseStream, new vscode.CancellationTokenSource().token);
    const runId = await until('the command to start', () => {
      const id = a.runner.running?.runId;
      return id !== undefined && a.runner.events.some((e) => e.type === 'process.started' && e.runId === id) && id;
    });

    // Under way: /status says so, with the task's turns so far.
    const status = await ask('', 'status');
    assert.match(status.stream.text, new RegExp(`- \\*\\*${runId}\\*\\*: running; level full, sandboxed; 0/1 task done\n {2}- budget: task 4: 2 of 200 model turns, 0 tokens \\(no limit\\), [\\d.]+ min \\(no limit\\); run: no price known \\(no limit\\)`), status.stream.text);

    const stop = await ask('', 'stop');
    assert.equal(stop.result.metadata.runId, runId);
    assert.match(stop.stream.text, new RegExp(`^Stopping run ${runId} as Escape does`));
    const result = await pending;
    assert.equal(result.metadata.state, 'stopped', stream.text);
    assert.equal(result.metadata.runId, runId);
    const journal = await readJournal(root().fsPath, runId);
    assert.ok(journal.ended, 'the journal has its end');
    assert.equal(journal.events.at(-1)?.type, 'run.stopped');
    assert.ok(!journal.events.some((e) => e.type === 'task.completed'), 'the task did not complete');
    assert.doesNotMatch(await readFile(tasksUri().fsPath, 'utf8'), /- \[x\] 4\./);
    // Nothing under way any more: a second /stop says so.
    assert.equal((await ask('', 'stop')).stream.text, 'No run is under way.');
  });

  it('/discard restores the files and says which, Undo discard puts them back, /keep keeps them', async () => {
    const a = await api();
    await until('the last run to close', () => !a.runner.running && !a.runner.finishing);
    const edited = vscode.Uri.joinPath(root(), 'chat-edit.txt').fsPath;
    const created = vscode.Uri.joinPath(root(), 'EDIT-NOTES.md').fsPath;
    await writeFile(edited, 'as the user wrote it\n');
    await replay('edit.json', [
      { toolCalls: [{ tool: 'write_file', input: { path: 'chat-edit.txt', content: 'as the agent wrote it\n' } }] },
      { toolCalls: [{ tool: 'write_file', input: { path: 'EDIT-NOTES.md', content: 'notes\n' } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'rewrote the notes' } }] },
    ]);
    const ran = await ask('5', 'run');
    assert.equal(ran.result.metadata.state, 'completed', ran.stream.text);
    const runId = ran.result.metadata.runId!;
    assert.equal(await readFile(edited, 'utf8'), 'as the agent wrote it\n');

    const discard = await ask(`discard the changes of ${runId}`, 'discard');
    assert.deepEqual(discard.result.metadata, { command: 'discard', runId, state: 'discarded' }, discard.stream.text);
    assert.match(discard.stream.text, /^Discarded the run's changes: \d+ files? restored, 1 removed\./);
    assert.match(discard.stream.text, /\n- restored: [^\n]*`chat-edit\.txt`/);
    assert.match(discard.stream.text, /\n- removed: `EDIT-NOTES\.md`/);
    assert.equal(await readFile(edited, 'utf8'), 'as the user wrote it\n');
    assert.ok(!existsSync(created), 'the file the run created is gone');
    assert.doesNotMatch(await readFile(tasksUri().fsPath, 'utf8'), /- \[x\] 5\./);
    const undo = discard.stream.buttons.find((b) => b.title === 'Undo discard')!;
    assert.deepEqual([undo.command, undo.arguments], [CHAT_UNDO_DISCARD_COMMAND, [root().fsPath, runId]]);

    // A second /discard finds nothing to do, and says so rather than claiming it discarded.
    const again = await ask(runId, 'discard');
    assert.equal(again.result.metadata.state, 'unchanged');
    assert.match(again.stream.text, new RegExp(`^Nothing was done to the changes of run ${runId}: Run ${runId}'s changes are discarded \\(Undo discard puts them back\\); nothing was done\\.`));

    await vscode.commands.executeCommand(undo.command, ...undo.arguments!);
    assert.equal(await readFile(edited, 'utf8'), 'as the agent wrote it\n');
    assert.equal(await readFile(created, 'utf8'), 'notes\n');

    const keep = await ask(runId, 'keep');
    assert.deepEqual(keep.result.metadata, { command: 'keep', runId, state: 'kept' }, keep.stream.text);
    assert.equal(keep.stream.text, `Kept the changes of run ${runId}.`);
    assert.ok(!keep.stream.buttons.some((b) => b.title === 'Undo discard'));
    assert.equal(await readFile(edited, 'utf8'), 'as the agent wrote it\n');
    assert.equal(await readFile(created, 'utf8'), 'notes\n');
    assert.match(await readFile(tasksUri().fsPath, 'utf8'), /- \[x\] 5\. Rewrite the edit notes/);
    // Kept: a /discard now does nothing to the files.
    const late = await ask(runId, 'discard');
    assert.equal(late.result.metadata.state, 'unchanged');
    assert.equal(await readFile(edited, 'utf8'), 'as the agent wrote it\n');
  });
});
