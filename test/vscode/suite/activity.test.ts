// The Agent Activity panel's side of a run in the real extension host: the gate's questions as approval cards
// (with the diff or the exact allowlist entry), Stop while a question waits, Stop after this task, and the
// buttons after a stop (Resume, Discard, Undo discard, Keep) driven by the same messages the webview posts.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { newRunId } from '../../../src/core/runs/journal.js';
import { liveRunIn } from '../../../src/core/runs/runLock.js';
import { accept } from '../../../src/core/settings/index.js';
import { agentSpec, api, root, until } from './helpers.js';

const spec = agentSpec('activity-in-host');
const { tasksUri, settingsFile } = spec;
const replay = spec.replay;
const TASKS = '# Tasks\n\n- [ ] 1. Ask first\n- [ ] 2. Then write\n- [ ] 3. And more\n';

const run = (task: string) => vscode.commands.executeCommand<{ outcome: { state: string; reason?: string }; runId: string } | undefined>('specAgent.executeTask', tasksUri(), task);

describe('Agent Activity: approvals, Stop and what comes after', () => {
  // Cautious: every command and write asks, so each step below meets the panel's approval card.
  before(() => spec.setUp(TASKS, 'cautious'));

  beforeEach(async () => {
    await writeFile(tasksUri().fsPath, TASKS);
  });

  after(async () => {
    await spec.tearDown();
    for (const f of ['ASKED.md', 'greet.sh', 'KEPT.md']) await rm(vscode.Uri.joinPath(root(), f).fsPath, { force: true });
  });

  it('a write that asks shows its diff; Approve lets it through and the box is ticked', async () => {
    const a = await api();
    await replay('write.json', [
      { toolCalls: [{ tool: 'write_file', input: { path: 'ASKED.md', content: 'approved content\n' } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'wrote it' } }] },
    ]);
    const pending = run('1');
    const [detail] = await until('the approval card', async () => (a.approvals.size ? a.approvals.details() : undefined));
    assert.ok(detail?.diff?.includes('--- /dev/null') && detail.diff.includes('+approved content'), detail?.diff);
    assert.equal(detail!.alwaysAllowEntries, undefined, 'Always allow is for commands only');
    assert.ok(!existsSync(vscode.Uri.joinPath(root(), 'ASKED.md').fsPath), 'nothing is written before the answer');
    await a.activity.receive({ type: 'approve', callId: detail!.callId });
    const result = await pending;
    assert.equal(result?.outcome.state, 'completed');
    assert.equal(await readFile(vscode.Uri.joinPath(root(), 'ASKED.md').fsPath, 'utf8'), 'approved content\n');
    const resolved = a.runner.events.find((e) => e.type === 'approval.resolved');
    assert.ok(resolved?.type === 'approval.resolved' && resolved.approved && resolved.by === 'user');
    assert.match(await readFile(tasksUri().fsPath, 'utf8'), /- \[x\] 1\. Ask first/);
  });

  it('Reject with a reason tells the model the user rejected it; the "no verifyCommands set" link then adds npm test', async () => {
    const a = await api();
    await writeFile(vscode.Uri.joinPath(root(), 'greet.sh').fsPath, 'echo hello\n');
    await replay('reject.json', [
      { toolCalls: [{ tool: 'run_command', input: { command: 'sh greet.sh' } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'did without it' } }] },
    ]);
    const pending = run('1');
    const [detail] = await until('the approval card', async () => (a.approvals.size ? a.approvals.details() : undefined));
    await a.activity.receive({ type: 'reject', callId: detail!.callId, reason: 'no shell scripts here' });
    const result = await pending;
    assert.equal(result?.outcome.state, 'completed');
    const resolved = a.runner.events.find((e) => e.type === 'approval.resolved' && e.callId === detail!.callId);
    assert.ok(resolved?.type === 'approval.resolved' && !resolved.approved && resolved.reason === 'no shell scripts here', JSON.stringify(resolved));
    const told = a.runner.events.find((e) => e.type === 'tool.finished' && e.callId === detail!.callId);
    assert.equal(told?.type === 'tool.finished' && told.output, 'The user rejected this command. Their reason: no shell scripts here. Do not retry it as is; take another way.');
    // No verifyCommands in this suite: the task was ticked with none; the panel's link writes npm test (package.json).
    const completed = a.runner.events.find((e) => e.type === 'task.completed');
    assert.ok(completed?.type === 'task.completed' && !completed.verified && completed.verification.length === 0);
    const settingsBefore = await readFile(settingsFile(), 'utf8');
    try {
      await a.activity.receive({ type: 'addVerifyCommands', runId: result!.runId });
      assert.match(await readFile(settingsFile(), 'utf8'), /"verifyCommands": \[\s*"npm test"\s*\]/);
    } finally {
      // The suites after this one run with no verifyCommands.
      await writeFile(settingsFile(), settingsBefore);
    }
  });

  it('Always allow shows the exact entry and adds it to allowedCommands, keeping the file\'s comments', async () => {
    const a = await api();
    await writeFile(vscode.Uri.joinPath(root(), 'greet.sh').fsPath, 'echo hello\n');
    await replay('always.json', [
      { toolCalls: [{ tool: 'run_command', input: { command: 'sh greet.sh' } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'greeted' } }] },
    ]);
    const pending = run('1');
    const [detail] = await until('the approval card', async () => (a.approvals.size ? a.approvals.details() : undefined));
    assert.deepEqual(detail?.alwaysAllowEntries, ['sh greet.sh']);
    // This suite runs at cautious: the card says the entry waits for another level.
    assert.match(detail?.alwaysAllowNote ?? '', /at the cautious level every command still asks/);
    await a.activity.receive({ type: 'alwaysAllow', callId: detail!.callId });
    assert.equal((await pending)?.outcome.state, 'completed');
    const settings = await readFile(settingsFile(), 'utf8');
    assert.match(settings, /"allowedCommands": \[[^\]]*"sh greet\.sh"/);
    assert.ok(settings.includes("// Spec Agent reads the \"agent\" block; other tools' keys are left alone."), 'the comment is kept');
    const resolved = a.runner.events.find((e) => e.type === 'approval.resolved');
    assert.ok(resolved?.type === 'approval.resolved' && resolved.alwaysAllow === 'sh greet.sh');
  });

  it('Always allow is not offered for a command an allowlist entry would not cover, and the settings stay as they are', async () => {
    const a = await api();
    const settingsBeforeRun = await readFile(settingsFile(), 'utf8');
    await replay('compound.json', [
      // An entry is split on spaces: no entry can hold the quoted argument.
      { toolCalls: [{ tool: 'run_command', input: { command: "sh greet.sh 'two words'" } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'greeted twice' } }] },
    ]);
    const pending = run('1');
    const [detail] = await until('the approval card', async () => (a.approvals.size ? a.approvals.details() : undefined));
    assert.equal(detail?.alwaysAllowEntries, undefined);
    assert.equal(await a.approvals.answer(detail!.callId, 'alwaysAllow'), false, 'a stale Always allow is refused');
    await a.activity.receive({ type: 'approve', callId: detail!.callId });
    assert.equal((await pending)?.outcome.state, 'completed');
    assert.equal(await readFile(settingsFile(), 'utf8'), settingsBeforeRun);
  });

  it('a policy accepted while the run waits applies from its next decision: the same command no longer asks', async () => {
    const a = await api();
    const store = process.env.SPEC_AGENT_ACCEPTANCE_FILE!;
    const storeBefore = await readFile(store, 'utf8').catch(() => undefined);
    // The level from .kiro/settings.json (balanced, allowing npm test), which is not accepted in this window yet.
    await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', undefined, vscode.ConfigurationTarget.Workspace);
    try {
      await replay('accept.json', [
        { toolCalls: [{ tool: 'run_command', input: { command: 'npm test' } }] },
        { toolCalls: [{ tool: 'run_command', input: { command: 'npm test' } }] },
        { toolCalls: [{ tool: 'complete_task', input: { summary: 'tested twice' } }] },
      ]);
      const pending = run('1');
      const [detail] = await until('the approval card', async () => (a.approvals.size ? a.approvals.details() : undefined));
      // What Review Workspace Policy does when the user clicks Accept in its dialog (modal: the UI test clicks it).
      await accept(root().fsPath, await readFile(settingsFile(), 'utf8'));
      await a.runner.policyChanged();
      await a.activity.receive({ type: 'approve', callId: detail!.callId });
      const result = await pending;
      assert.equal(result?.outcome.state, 'completed', JSON.stringify(result?.outcome));
      const commands = new Set(a.runner.events.flatMap((e) => (e.type === 'tool.requested' && e.tool === 'run_command' ? [e.callId] : [])));
      const decisions = a.runner.events.flatMap((e) => (e.type === 'gate.decided' && commands.has(e.callId) ? [`${e.verdict} ${e.rule}`] : []));
      assert.deepEqual(decisions, ['ask C9', 'allow C8']);
    } finally {
      await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', 'cautious', vscode.ConfigurationTarget.Workspace);
      if (storeBefore === undefined) await rm(store, { force: true });
      else await writeFile(store, storeBefore);
    }
  });

  it('Stop while a question waits: the question goes away, nothing is dispatched, the run is stopped', async () => {
    const a = await api();
    await replay('stop-on-card.json', [{ toolCalls: [{ tool: 'run_command', input: { command: 'touch SHOULD-NOT-EXIST' } }] }]);
    const pending = run('2');
    await until('the approval card', () => a.approvals.size > 0);
    await a.activity.receive({ type: 'stop' });
    const result = await pending;
    assert.equal(result?.outcome.state, 'stopped');
    assert.equal(a.approvals.size, 0);
    assert.ok(!existsSync(vscode.Uri.joinPath(root(), 'SHOULD-NOT-EXIST').fsPath));
    const resolved = a.runner.events.find((e) => e.type === 'approval.resolved');
    assert.ok(resolved?.type === 'approval.resolved' && !resolved.approved && resolved.by === 'stop', JSON.stringify(resolved));
  });

  it('rejects a message that is not in the protocol, and says so in the log only', async () => {
    const a = await api();
    // Nothing to assert but that it neither throws nor acts: a stale webview must not crash the host.
    await a.activity.receive({ type: 'rm -rf', callId: 1 });
    await a.activity.receive('not even an object');
    assert.equal(a.runner.running, undefined);
  });

  it('Stop after this task: the task under way finishes, the next one does not start', async () => {
    const a = await api();
    await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', 'full', vscode.ConfigurationTarget.Workspace);
    try {
      await writeFile(vscode.Uri.joinPath(root(), 'greet.sh').fsPath, 'sleep 1\n');
      await replay('two-tasks.json', [
        { toolCalls: [{ tool: 'run_command', input: { command: 'sh greet.sh' } }] },
        { toolCalls: [{ tool: 'complete_task', input: { summary: 'first done' } }] },
        { toolCalls: [{ tool: 'complete_task', input: { summary: 'second done' } }] },
      ]);
      const pending = run('1,2');
      // Started, not only asked for (the runner names task 1 as current from the click on): the panel shows the run.
      await until('the first task to start', () => a.runner.events.some((e) => e.type === 'task.started' && e.task.id === '1'));
      await a.activity.receive({ type: 'stopAfterTask' });
      assert.equal(a.runner.running?.stoppingAfterTask, true);
      assert.equal((await a.activity.controls()).stoppingAfterTask, true);
      const result = await pending;
      assert.equal(result?.outcome.state, 'stopped');
      const text = await readFile(tasksUri().fsPath, 'utf8');
      assert.match(text, /- \[x\] 1\. Ask first/);
      assert.match(text, /- \[ \] 2\. Then write/);
    } finally {
      await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', 'cautious', vscode.ConfigurationTarget.Workspace);
    }
  });

  it('after a stop: Discard restores, Undo discard puts it back, Resume continues without redoing the write, Keep keeps', async () => {
    const a = await api();
    await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', 'full', vscode.ConfigurationTarget.Workspace);
    const kept = vscode.Uri.joinPath(root(), 'KEPT.md').fsPath;
    try {
      await replay('resume.json', [
        { toolCalls: [{ tool: 'write_file', input: { path: 'KEPT.md', content: 'first\n' } }] },
        { toolCalls: [{ tool: 'run_command', input: { command: 'sleep 30' } }] },
        { toolCalls: [{ tool: 'complete_task', input: { summary: 'resumed and done' } }] },
      ]);
      // In an editor, so the task line's state is drawn (■ Stopped until the changes are discarded).
      await vscode.window.showTextDocument(tasksUri());
      const lineState = () => a.runStates.shown.get(tasksUri().toString());
      const pending = run('3');
      await until('the long command', () => a.runner.events.some((e) => e.type === 'tool.requested' && (e.input as { command?: string }).command === 'sleep 30'));
      assert.deepEqual(lineState(), [{ line: 5, label: '● Running' }]);
      await a.activity.receive({ type: 'stop' });
      const stopped = await pending;
      assert.equal(stopped?.outcome.state, 'stopped');
      assert.deepEqual(lineState(), [{ line: 5, label: '■ Stopped' }]);
      await a.activity.showRun({ workspace: root().fsPath, runId: stopped!.runId });
      assert.deepEqual(await a.activity.controls(), { running: false, stoppingAfterTask: false, canResume: true, canDiscard: true, canUndoDiscard: false, canKeep: true });

      await a.activity.receive({ type: 'discard', runId: stopped!.runId });
      assert.ok(!existsSync(kept), 'the file the run created is gone');
      assert.match(await readFile(tasksUri().fsPath, 'utf8'), /- \[ \] 3\. And more/);
      assert.deepEqual(await a.activity.controls(), { running: false, stoppingAfterTask: false, canResume: false, canDiscard: false, canUndoDiscard: true, canKeep: false, disposition: 'discarded' });
      assert.equal(lineState(), undefined, 'a discarded run leaves no state on its task line');
      // A second Discard a click behind (the button had not gone yet) does nothing: Undo discard still has the
      // run's work to put back. It used to record a second, empty discard, which Undo discard then undid.
      await a.activity.receive({ type: 'discard', runId: stopped!.runId });
      await a.activity.receive({ type: 'keep', runId: stopped!.runId });
      assert.equal((await a.activity.controls()).canUndoDiscard, true);

      await a.activity.receive({ type: 'undoDiscard', runId: stopped!.runId });
      assert.equal(await readFile(kept, 'utf8'), 'first\n');
      assert.equal((await a.activity.controls()).canResume, true);
      assert.equal((await a.activity.controls()).disposition, 'undone');
      assert.deepEqual(lineState(), [{ line: 5, label: '■ Stopped' }]);

      // Resume: the write is not done again (the file is changed by hand in between and stays so).
      await writeFile(kept, 'first, then edited by the user\n');
      await a.activity.receive({ type: 'resume', runId: stopped!.runId });
      const resumed = a.runner.events.find((e) => e.type === 'run.started');
      assert.ok(resumed?.type === 'run.started' && resumed.resumedFrom === stopped!.runId, JSON.stringify(resumed));
      assert.equal(a.runner.events.at(-1)?.type, 'run.completed');
      assert.ok(!a.runner.events.some((e) => e.type === 'tool.requested' && e.tool === 'write_file'), 'the finished write is not run again');
      assert.equal(await readFile(kept, 'utf8'), 'first, then edited by the user\n');
      assert.match(await readFile(tasksUri().fsPath, 'utf8'), /- \[x\] 3\. And more/);
      assert.equal(lineState(), undefined, 'the resume completed the task');

      await a.activity.showRun({ workspace: root().fsPath, runId: resumed.runId });
      assert.equal((await a.activity.controls()).canResume, false);
      // The resume and the run it resumed are one piece of work: Keep keeps both, and the panel says so.
      await a.activity.receive({ type: 'keep', runId: resumed.runId });
      const note = `Resumed run ${stopped!.runId}. Discard changes, Undo discard and Keep changes act on runs ${stopped!.runId} and ${resumed.runId} together: one piece of work.`;
      assert.deepEqual(await a.activity.controls(), { running: false, stoppingAfterTask: false, canResume: false, canDiscard: false, canUndoDiscard: false, canKeep: false, disposition: 'kept', note });
      await a.activity.showRun({ workspace: root().fsPath, runId: stopped!.runId });
      const first = await a.activity.controls();
      // The first run shows the chain's decision, and no second Resume: the run that resumed it went on.
      assert.deepEqual([first.disposition, first.canResume], ['kept', false]);
    } finally {
      await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', 'cautious', vscode.ConfigurationTarget.Workspace);
    }
  });

  it('a budget pause: Resume with a raised limit from the panel goes on in a run that journals the raise; settings.json stays as it was', async () => {
    const a = await api();
    await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', 'full', vscode.ConfigurationTarget.Workspace);
    const settingsBefore = await readFile(settingsFile(), 'utf8');
    try {
      await writeFile(settingsFile(), settingsBefore.replace('"verifyCommands": []', '"verifyCommands": [], "maxTurnsPerTask": 1'));
      await replay('budget.json', [{ toolCalls: [{ tool: 'list_files', input: {} }] }, { toolCalls: [{ tool: 'complete_task', input: { summary: 'listed' } }] }]);
      const paused = await run('2');
      assert.equal(paused?.outcome.state, 'paused', JSON.stringify(paused?.outcome));
      const pause = a.runner.events.find((e) => e.type === 'run.paused');
      assert.ok(pause?.type === 'run.paused' && pause.kind === 'budget', JSON.stringify(pause));
      assert.deepEqual(pause.budget, { setting: 'maxTurnsPerTask', limit: 1, spent: 1 });
      assert.match(pause.reason, /reached maxTurnsPerTask \(1\).*the panel's Resume with a raised limit/);
      await a.activity.showRun({ workspace: root().fsPath, runId: paused!.runId });
      assert.equal((await a.activity.controls()).canResume, true);
      const written = await readFile(settingsFile(), 'utf8');

      await a.activity.receive({ type: 'resume', runId: paused!.runId, raise: { setting: 'maxTurnsPerTask', value: 5 } });
      const resumed = a.runner.events.find((e) => e.type === 'run.started');
      assert.ok(resumed?.type === 'run.started' && resumed.resumedFrom === paused!.runId, JSON.stringify(resumed));
      const raised = a.runner.events.find((e) => e.type === 'budget.raised');
      assert.ok(raised?.type === 'budget.raised', 'the raise is journaled');
      assert.deepEqual([raised.setting, raised.value, raised.previous], ['maxTurnsPerTask', 5, 1]);
      assert.equal(a.runner.events.at(-1)?.type, 'run.completed');
      assert.match(await readFile(tasksUri().fsPath, 'utf8'), /- \[x\] 2\. Then write/);
      assert.equal(await readFile(settingsFile(), 'utf8'), written, 'the raise is for that run only');
    } finally {
      await writeFile(settingsFile(), settingsBefore);
      await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', 'cautious', vscode.ConfigurationTarget.Workspace);
    }
  });

  it('the panel dropdown writes specAgent.autonomyLevel at workspace scope', async () => {
    const a = await api();
    await a.activity.receive({ type: 'setAutonomy', level: 'balanced' });
    const inspect = vscode.workspace.getConfiguration('specAgent').inspect<string>('autonomyLevel');
    assert.equal(inspect?.workspaceValue, 'balanced');
    assert.equal((await a.autonomy()).level, 'balanced');
    await a.activity.receive({ type: 'setAutonomy', level: 'cautious' });
  });

  it('a run under way in a terminal: no second run starts here, the panel says where it runs and offers nothing until it ends', async function () {
    this.timeout(60_000);
    const a = await api();
    await replay('terminal.json', [
      { toolCalls: [{ tool: 'run_command', input: { command: 'sleep 30' } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'slept' } }] },
    ]);
    const cli = join(vscode.extensions.getExtension('spec-agent.spec-agent')!.extensionPath, 'dist', 'cli.js');
    const script = join(spec.dir().fsPath, 'terminal.json');
    const child = spawn(process.execPath, [cli, 'run', tasksUri().fsPath, '--task', '1', '--model', `replay:${script}`, '--level', 'full'], { cwd: root().fsPath, stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    try {
      const live = await until('the terminal run to hold its lock', () => liveRunIn(root().fsPath), 30_000);
      assert.equal(live.pid, child.pid);
      // A second agent on the same files is refused, from the lens as from the CLI.
      assert.equal(await run('2'), undefined);
      assert.match(await readFile(tasksUri().fsPath, 'utf8'), /- \[ \] 2\. Then write/);

      await a.activity.showRun({ workspace: root().fsPath, runId: live.runId });
      const controls = await a.activity.controls();
      assert.equal(controls.liveElsewhere, true);
      assert.match(controls.note ?? '', new RegExp(`under way in another window or a terminal \\(pid ${child.pid}\\): Stop it there`));
      assert.equal(controls.canDiscard || controls.canKeep || controls.canResume, false);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    // Stopped there: now it is a run like any other here.
    const after = await until('the panel to offer Resume', async () => ((await a.activity.controls()).canResume ? a.activity.controls() : undefined));
    assert.equal(after.liveElsewhere, undefined);
    assert.match(await readFile(tasksUri().fsPath, 'utf8'), /- \[ \] 1\. Ask first/);
  });

  it('a run VS Code closed on while a write waited: at start-up its [-] goes back, the card reads "VS Code closed", and the notice offers the buttons the panel shows', async () => {
    const a = await api();
    const project = vscode.Uri.joinPath(root(), 'packages', 'closed-app').fsPath;
    const runId = newRunId(new Date(Date.now() + 120_000));
    const tasksFile = join(project, '.kiro/specs/closed/tasks.md');
    await mkdir(dirname(tasksFile), { recursive: true });
    // As the extension host left it when the window reloaded: the task marked, a write waiting, no terminal event.
    await writeFile(tasksFile, '- [-] 1. Closed task\n');
    await mkdir(join(project, '.kiro/runs', runId), { recursive: true });
    const task = { id: '1', title: 'Closed task', line: 1 };
    const time = new Date().toISOString();
    const input = { path: 'x.md', content: 'x\n' };
    const events = [
      { seq: 0, time, runId, type: 'run.started', tasksFile: '.kiro/specs/closed/tasks.md', workspace: project, tasks: [task], level: 'cautious', levelSource: 'test', model: 'replay', client: 'vscode' },
      { seq: 1, time, runId, type: 'task.started', task },
      { seq: 2, time, runId, type: 'tool.requested', callId: 'c1', tool: 'write_file', input },
      { seq: 3, time, runId, type: 'approval.requested', callId: 'c1', tool: 'write_file', input, rule: 'W1', reason: 'ask: cautious asks before every write' },
    ];
    const journal = join(project, '.kiro/runs', runId, 'events.jsonl');
    await writeFile(journal, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    try {
      void a.activity.offerInterrupted();
      await until('the notice about the run', () => a.activity.lastOffer?.runId === runId);
      assert.equal(await readFile(tasksFile, 'utf8'), '- [ ] 1. Closed task\n');
      const tail = (await readFile(journal, 'utf8')).trim().split('\n').slice(-2).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual([tail[0]!.type, tail[0]!.by, tail[0]!.reason, tail[1]!.type, tail[1]!.reason], ['approval.resolved', 'closed', 'VS Code closed during the run', 'run.stopped', 'VS Code closed during the run']);
      assert.match(a.activity.lastOffer!.text, /did not finish: VS Code closed during the run\. Its marker is back as before the run \(Resume marks it again\)\.$/);
      // The same set, in the same words, as the buttons the panel shows for the run.
      const c = await a.activity.controls();
      const shown = [c.canResume && 'Resume', c.canDiscard && 'Discard changes', c.canUndoDiscard && 'Undo discard', c.canKeep && 'Keep changes'].filter(Boolean);
      assert.deepEqual(a.activity.lastOffer!.actions, shown);
      assert.deepEqual(shown, ['Resume']);
    } finally {
      await vscode.commands.executeCommand('notifications.clearAll');
      await a.activity.showRun(undefined);
      await rm(vscode.Uri.joinPath(root(), 'packages').fsPath, { recursive: true, force: true });
    }
  });

  it('a run cut short in a project below the folder (a monorepo) is found at start-up, shown and offered', async () => {
    const a = await api();
    // The journal of a run VS Code closed on: started, its task begun, no terminal event, no live lock.
    const project = vscode.Uri.joinPath(root(), 'packages', 'nested-app').fsPath;
    const runId = newRunId(new Date(Date.now() + 60_000));
    const tasksFile = join(project, '.kiro/specs/nested/tasks.md');
    await mkdir(dirname(tasksFile), { recursive: true });
    await writeFile(tasksFile, '- [ ] 1. Nested task\n');
    await mkdir(join(project, '.kiro/runs', runId), { recursive: true });
    const task = { id: '1', title: 'Nested task', line: 1 };
    const time = new Date().toISOString();
    const events = [
      { seq: 0, time, runId, type: 'run.started', tasksFile, workspace: project, tasks: [task], level: 'cautious', levelSource: 'test', model: 'replay' },
      { seq: 1, time, runId, type: 'task.started', task },
    ];
    await writeFile(join(project, '.kiro/runs', runId, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    try {
      assert.deepEqual(await a.activity.latestRun(), { workspace: project, runId });
      // The offer ends with a message the user answers; the panel shows the run before that.
      void a.activity.offerInterrupted();
      await until('the panel to show the nested run', () => a.activity.shownRun?.runId === runId);
      assert.equal((await a.activity.controls()).canResume, true);
    } finally {
      await vscode.commands.executeCommand('notifications.clearAll');
      await a.activity.showRun(undefined);
      await rm(vscode.Uri.joinPath(root(), 'packages').fsPath, { recursive: true, force: true });
    }
  });
});
