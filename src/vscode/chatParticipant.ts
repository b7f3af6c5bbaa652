import * as vscode from 'vscode';
import { join } from 'node:path';
import { checkTaskSpec } from '../core/agent/taskSelection.js';
import { parseTaskRequest, requestKind, resolveTaskRequest, type Resolution, type SpecEntry } from '../core/chat/taskRequest.js';
import { budgetText, type BudgetSetting } from '../core/runs/budgets.js';
import { readBudgetUse, type BudgetUse, type Gauge } from '../core/runs/budgetUse.js';
import { formatUsd } from '../core/models/prices.js';
import { readCompletionReport, renderCompletionReport, type CompletionReport } from '../core/runs/completionReport.js';
import { readJournal } from '../core/runs/journal.js';
import { runIsLive } from '../core/runs/runLock.js';
import { summarise } from '../core/runs/summary.js';
import { plural } from '../core/text/plural.js';
import type { ActivityView } from './activityView.js';
import type { AgentRunner } from './agentRunner.js';
import { effectiveLevel, SHOW_ACTIVITY_COMMAND } from './autonomy.js';
import { followRun, workspaceRuns, workspaceSpecs, type FollowedRun } from './chatRuns.js';
import type { TaskTreeCache } from './taskDocuments.js';

export const CHAT_PARTICIPANT_ID = 'spec-agent.spec';
/** The chat's buttons: each acts on one run of one workspace, through the panel (its checks, its notices). */
export const CHAT_RESUME_COMMAND = 'specAgent.chat.resume';
/** Agent Activity on a run the chat names (a budget pause: the panel holds Resume with a raised limit). */
export const CHAT_SHOW_RUN_COMMAND = 'specAgent.chat.showRun';
export const CHAT_DISCARD_COMMAND = 'specAgent.chat.discard';
export const CHAT_KEEP_COMMAND = 'specAgent.chat.keep';
export const CHAT_UNDO_DISCARD_COMMAND = 'specAgent.chat.undoDiscard';
export const CHAT_OPEN_FILES_COMMAND = 'specAgent.chat.openFiles';
export const CHAT_RUN_TASKS_COMMAND = 'specAgent.chat.runTasks';

/** What an answer was about, for the follow-ups VS Code asks for after it. */
export interface SpecChatResult extends vscode.ChatResult {
  metadata: { command: string; runId?: string; state?: string };
}

const RUN_ID = /\b\d{8}-\d{6}-[0-9a-f]{6}\b/;

/**
 * `@spec` in the Chat view: /run (or plain words naming tasks) starts a run and streams its progress, /summary says
 * what a run completed from its journal, /status lists runs under way or cut short, /resume, /discard, /keep and
 * /stop act on a run as the panel's buttons do. Approvals stay on the panel's cards.
 */
export class SpecChat implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly runner: AgentRunner,
    private readonly activity: ActivityView,
    private readonly cache: TaskTreeCache,
    private readonly log: vscode.LogOutputChannel,
    extensionUri: vscode.Uri,
  ) {
    const participant = vscode.chat.createChatParticipant(CHAT_PARTICIPANT_ID, (request, context, stream, token) => this.handle(request, context, stream, token));
    participant.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'spec-agent.svg');
    participant.followupProvider = { provideFollowups: (result) => followupsFor(result as SpecChatResult) };
    const decide = (type: 'resume' | 'discard' | 'undoDiscard' | 'keep') => (workspace: string, runId: string) => this.activity.decide(type, { workspace, runId });
    this.disposables.push(
      participant,
      vscode.commands.registerCommand(CHAT_RESUME_COMMAND, decide('resume')),
      vscode.commands.registerCommand(CHAT_SHOW_RUN_COMMAND, async (workspace: string, runId: string) => {
        await this.activity.showRun({ workspace, runId });
        await this.activity.show(false);
      }),
      vscode.commands.registerCommand(CHAT_DISCARD_COMMAND, decide('discard')),
      vscode.commands.registerCommand(CHAT_KEEP_COMMAND, decide('keep')),
      vscode.commands.registerCommand(CHAT_UNDO_DISCARD_COMMAND, decide('undoDiscard')),
      vscode.commands.registerCommand(CHAT_OPEN_FILES_COMMAND, (workspace: string, paths: string[]) => openFiles(workspace, paths)),
      // A candidate button of an ambiguous request: the run it names, with the user's words kept.
      vscode.commands.registerCommand(CHAT_RUN_TASKS_COMMAND, (query: string) => vscode.commands.executeCommand('workbench.action.chat.open', { query: `@spec /run ${query}` })),
    );
  }

  /** The request handler VS Code calls (exported for the in-host tests, which have no chat UI to type in). */
  async handle(request: vscode.ChatRequest, _context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<SpecChatResult> {
    const command = request.command ?? requestKind(request.prompt);
    try {
      switch (command) {
        case 'run':
          return await this.run(request, stream, token);
        case 'summary':
          return await this.summary(request.prompt, stream);
        case 'status':
          return await this.status(stream);
        case 'resume':
          return await this.resume(request.prompt, stream, token);
        case 'discard':
        case 'keep':
          return await this.decide(command, request.prompt, stream);
        case 'stop':
          return this.stop(stream);
        default:
          stream.markdown(`There is no /${command}; try /run, /summary, /status, /resume, /discard, /keep or /stop.`);
          return { metadata: { command } };
      }
    } catch (e) {
      this.log.error(e instanceof Error ? e : String(e));
      return { metadata: { command }, errorDetails: { message: `Spec Agent: ${e instanceof Error ? e.message : String(e)}` } };
    }
  }

  private busy(stream: vscode.ChatResponseStream): boolean {
    const r = this.runner.running;
    if (!r && !this.runner.finishing) return false;
    stream.markdown(r ? `A run is already under way${r.runId ? ` (run ${r.runId}, task ${r.current ?? r.taskIds.join(', ')})` : ''}. Stop it first (\`@spec /stop\`, or Escape in the panel).` : 'The last run is still closing; ask again in a moment.');
    stream.button({ command: SHOW_ACTIVITY_COMMAND, title: 'Show Agent Activity' });
    return true;
  }

  private async run(request: vscode.ChatRequest, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<SpecChatResult> {
    const parsed = parseTaskRequest(request.prompt);
    const specs = await workspaceSpecs(this.cache);
    const resolution = resolveTaskRequest(parsed, specs, specInView(request, specs));
    if (resolution.kind !== 'tasks') {
      // Words the rules cannot read as task ids: the chat's model may read them, but what it picked is only offered.
      if (resolution.kind === 'which-tasks' && !resolution.request.tasks && request.model) await this.modelPick(resolution, request.model, stream, token);
      askBack(resolution, stream);
      return { metadata: { command: 'run', state: resolution.kind } };
    }
    if (this.busy(stream)) return { metadata: { command: 'run', state: 'busy' } };
    if (!vscode.workspace.isTrusted) {
      stream.markdown('The agent does not run in Restricted Mode. Trust this workspace first (Workspaces: Manage Workspace Trust).');
      return { metadata: { command: 'run', state: 'untrusted' } };
    }
    const { spec, tasks, note } = resolution;
    stream.markdown(`Running ${plural(tasks.length, 'task')} of **${spec.name}**: ${tasks.map((t) => t.id ?? t.title).join(', ')}${note ? `, with your note: _${note}_` : ''}${resolution.pauseBetweenGroups ? '; pausing after each task group' : ''}.\n\n`);
    stream.button({ command: SHOW_ACTIVITY_COMMAND, title: 'Show Agent Activity' });
    const followed = await followRun(
      this.runner,
      () => this.runner.execute(vscode.Uri.file(spec.file), resolution.taskSpec, { ...(note ? { note } : {}), ...(resolution.pauseBetweenGroups !== undefined ? { pauseBetweenGroups: resolution.pauseBetweenGroups } : {}) }),
      (line) => progress(line, stream),
      token,
    );
    return this.ended(followed, stream, 'run');
  }

  /**
   * The chat's model reads which open task the words mean. Its answer is read by the same rules and checked against
   * tasks.md; a valid pick is shown with a button to run it, never run on its own.
   */
  private async modelPick(r: Extract<Resolution, { kind: 'which-tasks' }>, model: vscode.LanguageModelChat, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<void> {
    const list = r.candidates.map((t) => `${t.id}: ${t.title}`).join('\n');
    const ask = `The user asked a coding agent to work on tasks of the spec "${r.spec.name}". Its open tasks are:\n${list}\n\nThe user wrote: "${r.request.note}"\n\nAnswer with the id of the task they mean (or ids: a range like 1-3, or a list like 2.1, 2.3), and nothing else. If no task fits, answer: none`;
    let answer = '';
    try {
      const response = await model.sendRequest([vscode.LanguageModelChatMessage.User(ask)], { justification: 'Spec Agent reads which task of the spec your request means; nothing runs until you click.' }, token);
      for await (const chunk of response.text) answer += chunk;
    } catch (e) {
      this.log.warn(`@spec: the chat model could not read the request: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const picked = parseTaskRequest(answer.trim()).tasks;
    if (!picked || checkTaskSpec(r.spec.tree, picked).error) return;
    const tasks = checkTaskSpec(r.spec.tree, picked).tasks;
    stream.markdown(`The rules could not read a task id in your request; the chat's model (${model.name}) reads it as **${picked}** (${tasks.map((t) => `${t.id} ${t.title}`).join('; ')}). Nothing has run: run it, or pick another task below.\n\n`);
    stream.button({ command: CHAT_RUN_TASKS_COMMAND, title: `Run ${picked}`, arguments: [`${picked} for the ${r.spec.name} spec ${r.request.note}`.trim()] });
  }

  /** The end of a run followed in the chat: what it completed, and what can be done next. */
  private ended(f: FollowedRun, stream: vscode.ChatResponseStream, command: string): SpecChatResult {
    if (!f.runId || !f.report) {
      stream.markdown('\nNo run started (see the notification for why).');
      return { metadata: { command, state: 'not started' } };
    }
    stream.markdown(`\n\n${renderCompletionReport(f.report)}`);
    decisionButtons(f.report, f.workspace!, stream);
    return { metadata: { command, runId: f.runId, state: f.report.end.state } };
  }

  private async pickRun(prompt: string): Promise<{ workspace: string; runId: string } | undefined> {
    const runs = await workspaceRuns(await workspaceSpecs(this.cache));
    const id = RUN_ID.exec(prompt)?.[0];
    return id ? runs.find((r) => r.runId === id) : runs[0];
  }

  private async summary(prompt: string, stream: vscode.ChatResponseStream): Promise<SpecChatResult> {
    const run = await this.pickRun(prompt);
    if (!run) {
      stream.markdown(RUN_ID.test(prompt) ? `There is no run ${RUN_ID.exec(prompt)![0]} in .kiro/runs/ of this workspace; \`@spec /status\` lists the runs.` : 'No run has been journaled in this workspace yet (.kiro/runs/).');
      return { metadata: { command: 'summary' } };
    }
    const report = await readCompletionReport(run.workspace, run.runId);
    // The facts as the journal has them; no model writes this text.
    stream.markdown(renderCompletionReport(report));
    decisionButtons(report, run.workspace, stream);
    return { metadata: { command: 'summary', runId: run.runId, state: report.end.state } };
  }

  private async status(stream: vscode.ChatResponseStream): Promise<SpecChatResult> {
    const runs = await workspaceRuns(await workspaceSpecs(this.cache));
    const lines: string[] = [];
    for (const r of runs.slice(0, 20)) {
      const j = await readJournal(r.workspace, r.runId).catch(() => undefined);
      if (!j) continue;
      const s = summarise(j.events);
      const live = !j.ended && runIsLive(r.workspace, r.runId);
      const state = j.ended ? s.status : live ? 'running' : 'interrupted';
      // Under way or cut short: what the user may still act on. A completed or failed run is in /summary.
      if (state === 'completed') continue;
      const done = s.tasks.filter((t) => t.completed).length;
      const sandbox = s.sandbox ? (s.sandbox.confined ? 'sandboxed' : `not sandboxed (${s.sandbox.why ?? 'unknown reason'})`) : 'sandbox unknown';
      const use = await readBudgetUse(r.workspace, r.runId, live);
      lines.push(`- **${r.runId}**: ${state}${s.reason ? ` (${s.reason})` : ''}; level ${s.level ?? '?'}, ${sandbox}; ${done}/${plural(s.tasks.length, 'task')} done\n  - budget: ${budgetUseText(use)}`);
      if (lines.length >= 5) break;
    }
    const level = await effectiveLevel(runs[0]?.workspace ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
    stream.markdown(lines.length ? `Runs under way or not finished in this workspace:\n${lines.join('\n')}\n\nA new run would start at level **${level.level}** (from ${level.source}).` : `No run is under way or cut short. A new run would start at level **${level.level}** (from ${level.source}).`);
    if (lines.length) stream.button({ command: SHOW_ACTIVITY_COMMAND, title: 'Show Agent Activity' });
    return { metadata: { command: 'status' } };
  }

  private async resume(prompt: string, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<SpecChatResult> {
    if (this.busy(stream)) return { metadata: { command: 'resume', state: 'busy' } };
    const run = await this.pickRun(prompt);
    if (!run) {
      stream.markdown('There is no run to resume in this workspace.');
      return { metadata: { command: 'resume' } };
    }
    stream.markdown(`Resuming run ${run.runId} from its journal (finished steps are not run again).\n\n`);
    stream.button({ command: SHOW_ACTIVITY_COMMAND, title: 'Show Agent Activity' });
    const followed = await followRun(this.runner, () => this.runner.resume(run.workspace, run.runId), (line) => progress(line, stream), token);
    return this.ended(followed, stream, 'resume');
  }

  private async decide(action: 'discard' | 'keep', prompt: string, stream: vscode.ChatResponseStream): Promise<SpecChatResult> {
    if (this.busy(stream)) return { metadata: { command: action, state: 'busy' } };
    const run = await this.pickRun(prompt);
    if (!run) {
      stream.markdown('There is no run in this workspace.');
      return { metadata: { command: action } };
    }
    const said = await this.activity.decide(action, run);
    // The panel's own words (what was restored, left or kept), and the files by name: the panel may not be open.
    const words = said.notices.map((n) => n.text).join(' ');
    if (!said.changed) {
      stream.markdown(`Nothing was done to the changes of run ${run.runId}: ${words || 'the Agent Activity panel says why'}`);
      stream.button({ command: SHOW_ACTIVITY_COMMAND, title: 'Show Agent Activity' });
      return { metadata: { command: action, runId: run.runId, state: 'unchanged' } };
    }
    const list = (what: string, paths: readonly string[] | undefined) => (paths?.length ? `\n- ${what}: ${paths.map((p) => `\`${p}\``).join(', ')}` : '');
    stream.markdown(`${words}${list('restored', said.written)}${list('removed', said.removed)}`);
    if (action === 'discard') stream.button({ command: CHAT_UNDO_DISCARD_COMMAND, title: 'Undo discard', arguments: [run.workspace, run.runId] });
    stream.button({ command: SHOW_ACTIVITY_COMMAND, title: 'Show Agent Activity' });
    return { metadata: { command: action, runId: run.runId, state: action === 'discard' ? 'discarded' : 'kept' } };
  }

  private stop(stream: vscode.ChatResponseStream): SpecChatResult {
    const r = this.runner.running;
    if (!r) {
      stream.markdown('No run is under way.');
      return { metadata: { command: 'stop' } };
    }
    this.runner.stop();
    stream.markdown(`Stopping run ${r.runId ?? ''} as Escape does: the model stream is aborted and its commands are ended. \`@spec /summary\` then says what it completed.`);
    return { metadata: { command: 'stop', ...(r.runId ? { runId: r.runId } : {}) } };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The tasks.md the request points at: a #file reference to one, else the one in the active editor. */
function specInView(request: vscode.ChatRequest, specs: readonly SpecEntry[]): string | undefined {
  for (const ref of request.references) {
    const uri = ref.value instanceof vscode.Uri ? ref.value : ref.value instanceof vscode.Location ? ref.value.uri : undefined;
    if (uri && specs.some((s) => s.file === uri.fsPath)) return uri.fsPath;
  }
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  return active && specs.some((s) => s.file === active) ? active : undefined;
}

function progress(line: { text: string; approval?: { callId: string } }, stream: vscode.ChatResponseStream): void {
  stream.markdown(`${line.text}\n`);
  if (line.approval) stream.button({ command: SHOW_ACTIVITY_COMMAND, title: 'Show the approval' });
}

/** A request that cannot be run as it is: what is missing, and a button per candidate (never a guess). */
function askBack(r: Exclude<Resolution, { kind: 'tasks' }>, stream: vscode.ChatResponseStream): void {
  const words = r.request.note ? ` ${r.request.note}` : '';
  if (r.kind === 'which-spec') {
    stream.markdown(`Nothing was started: ${r.message}.${r.candidates.length ? ' Which spec?' : ''}`);
    for (const s of r.candidates.slice(0, 10)) stream.button({ command: CHAT_RUN_TASKS_COMMAND, title: s.name, arguments: [`${r.request.tasks ?? ''} for the ${s.name} spec${words}`.trim()] });
    return;
  }
  stream.markdown(`Nothing was started: ${r.message}.${r.candidates.length ? ` Open tasks of ${r.spec.name}:` : ''}`);
  for (const t of r.candidates.slice(0, 12)) stream.button({ command: CHAT_RUN_TASKS_COMMAND, title: `${t.id} ${t.title}`.slice(0, 60), arguments: [`${t.id} for the ${r.spec.name} spec${words}`] });
}

/** Resume, Discard changes, Keep changes, Open the files: the panel's choices after a run that did not complete. */
function decisionButtons(report: CompletionReport, workspace: string, stream: vscode.ChatResponseStream): void {
  const files = [...new Set(report.tasks.flatMap((t) => t.files.filter((f) => !f.deleted).map((f) => f.path)))];
  // A budget pause resumed as it is pauses again at once (the chain's spend is past the limit): the panel's box raises it.
  if (report.end.state === 'paused' && report.end.pauseKind === 'budget') stream.button({ command: CHAT_SHOW_RUN_COMMAND, title: 'Resume with a Raised Limit…', arguments: [workspace, report.runId] });
  else if (['stopped', 'paused', 'failed', 'interrupted'].includes(report.end.state)) stream.button({ command: CHAT_RESUME_COMMAND, title: 'Resume', arguments: [workspace, report.runId] });
  if (report.end.state !== 'running') {
    stream.button({ command: CHAT_DISCARD_COMMAND, title: 'Discard changes', arguments: [workspace, report.runId] });
    stream.button({ command: CHAT_KEEP_COMMAND, title: 'Keep changes', arguments: [workspace, report.runId] });
  }
  if (files.length) stream.button({ command: CHAT_OPEN_FILES_COMMAND, title: 'Open the files', arguments: [workspace, files] });
}

async function openFiles(workspace: string, paths: readonly string[]): Promise<void> {
  for (const p of paths) await vscode.window.showTextDocument(vscode.Uri.file(join(workspace, p)), { preview: false, preserveFocus: true }).then(undefined, () => undefined);
}

/**
 * "task 3: 2 of 200 model turns, 2,400 of 400,000 tokens, 1.5 min (no limit); run: $0.0090 of $1.00": what the run
 * spent against each budget, so the user sees how near a pause is; a cost no one knew says "no price known".
 */
function budgetUseText(u: BudgetUse): string {
  const units: Record<BudgetSetting, string> = { maxTurnsPerTask: ' model turns', maxTokensPerTask: ' tokens', maxMinutesPerTask: ' min', maxCostPerRun: '' };
  const of = (setting: BudgetSetting, g: Gauge, spent: string) => (g.limit === undefined ? `${spent}${units[setting]} (no limit)` : `${spent} of ${budgetText(setting, g.limit)}${g.raised ? ' (raised for this run)' : ''}`);
  const minutes = Math.round(u.maxMinutesPerTask.spent * 10) / 10;
  const task = u.task
    ? `task ${u.task.id ?? u.task.title}: ${of('maxTurnsPerTask', u.maxTurnsPerTask, String(u.maxTurnsPerTask.spent))}, ${of('maxTokensPerTask', u.maxTokensPerTask, u.maxTokensPerTask.spent.toLocaleString('en-US'))}, ${of('maxMinutesPerTask', u.maxMinutesPerTask, String(minutes))}`
    : 'no task under way';
  const c = u.maxCostPerRun;
  const unknown = c.unpriced ? ` (and ${plural(c.unpriced, 'request')} with no price known)` : '';
  const cost = !c.known ? (c.limit === undefined ? 'no price known (no limit)' : `no price known, so maxCostPerRun (${budgetText('maxCostPerRun', c.limit)}) cannot be held`) : `${of('maxCostPerRun', c, formatUsd(c.spent))}${unknown}`;
  return `${task}; run: ${cost}`;
}

/** The follow-ups offered under an answer (exported for the in-host tests). */
export function followupsFor(result: SpecChatResult): vscode.ChatFollowup[] {
  const m = result.metadata ?? { command: '' };
  if (m.state && ['stopped', 'paused', 'failed', 'interrupted'].includes(m.state)) {
    return [
      { prompt: 'what did you complete before I interrupted you?', command: 'summary', label: 'What was completed?' },
      { prompt: m.runId ?? '', command: 'resume', label: 'Resume from the last checkpoint' },
      { prompt: m.runId ?? '', command: 'discard', label: 'Discard the changes' },
    ];
  }
  if (m.command === 'run' && m.state === 'completed') return [{ prompt: '', command: 'status', label: 'Status' }];
  return [{ prompt: '', command: 'status', label: 'Runs under way or cut short' }];
}
