import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { activityHtml } from '../webview/activityHtml.js';
import { ChainCheckpoints, MixedChainError, openGitStore, restoreCheckpoint, RunCheckpoints } from '../core/checkpoints/index.js';
import { closeInterruptedRuns, describeRecovery, recoverInterruptedRun } from '../core/agent/interruptedRun.js';
import { checkpointOfRun, OPEN_CHECKPOINT_DIFF_COMMAND } from './runChanges.js';
import { hostMessageSchema, offeredActions, RUN_ACTION_LABELS, webviewMessageSchema, type HistoryFilter, type HostMessage, type RunControls, type WebviewMessage } from '../core/runs/activityProtocol.js';
import { isTransient, type RunEvent } from '../core/runs/events.js';
import { describeLeftBehind, endInterruptedRunProcesses } from '../core/runs/interruptedRuns.js';
import { readJournal, RUNS_DIR } from '../core/runs/journal.js';
import { describeChainAction, runChain, type RunChain } from '../core/runs/runChain.js';
import { historyPage, readRunHistory, type HistoryRow } from '../core/runs/runHistory.js';
import { runStats, type RunStats } from '../core/runs/runStats.js';
import { liveRunIn, runIsLive, type LiveRun } from '../core/runs/runLock.js';
import { summarise } from '../core/runs/summary.js';
import type { AgentRunner } from './agentRunner.js';
import type { Approvals } from './approvals.js';
import { effectiveLevel, setAutonomyLevel, workspaceInView } from './autonomy.js';
import { nounFor, plural } from '../core/text/plural.js';
import { checksRan, npmTestOf } from '../core/runs/verifySuggestion.js';
import { addVerifyCommands, SETTINGS_PATH } from '../core/settings/index.js';

export const ACTIVITY_VIEW_ID = 'specAgent.activity';
/** The host posts at most this often; events in between are batched (a command printing fast is one post a frame). */
const MIN_POST_INTERVAL_MS = 1000 / 60;

/** The run the panel shows: the one under way, else the latest of the workspace. */
interface ShownRun {
  workspace: string;
  runId: string;
}

/** A decision carried out for the chat: what the panel said (its notices), and whether it changed the run's files. */
export interface Decided {
  notices: Array<{ level: 'info' | 'warning' | 'error'; text: string }>;
  changed: boolean;
  /** Discard and Undo discard: the files written back and the files removed, relative to the workspace. */
  written?: string[];
  removed?: string[];
}

/**
 * The Agent Activity webview view. The webview keeps no state the host cannot rebuild: after `ready` (first
 * load, or the view hidden, moved or reloaded) the host reads the shown run's journal and sends it whole; after
 * that it sends new events in batches. Every message is validated with zod on both sides.
 */
export class ActivityView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private shown: ShownRun | undefined;
  /** The last event sequence number the webview has for the shown run: a journal read and live events overlap. */
  private sentSeq = -1;
  private queue: RunEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private lastPost = 0;
  /** Serialises resets, so a reset never interleaves with a batch of the same run. */
  private resetting: Promise<void> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly discarded = new vscode.EventEmitter<{ runId: string; discarded: boolean }>();
  /** A run's changes were discarded (`discarded`), or the discard undone: the task line stops saying "Stopped". */
  readonly onDidDiscard = this.discarded.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly runner: AgentRunner,
    private readonly approvals: Approvals,
    private readonly log: vscode.LogOutputChannel,
    onAutonomyChange: vscode.Event<unknown>,
  ) {
    this.disposables.push(
      runner.onEvent((e) => this.onRunEvent(e)),
      runner.onDidChange(() => this.quietly(this.postControls())),
      approvals.onDidChange(() => this.quietly(this.postApprovalDetails())),
      onAutonomyChange(() => this.quietly(this.postAutonomy())),
      this.discarded,
    );
  }

  /** A post from an event handler: a failure is logged, never an unhandled rejection in the extension host. */
  private quietly(p: Promise<unknown>): void {
    p.catch((e: unknown) => this.log.warn(`Agent Activity: ${e instanceof Error ? e.message : String(e)}`));
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  /** Opens the panel on the view (the command `specAgent.activity.focus` is VS Code's own for every view). */
  async show(preserveFocus = false): Promise<void> {
    if (this.view && !preserveFocus) this.view.show(false);
    else if (this.view) this.view.show(true);
    else await vscode.commands.executeCommand(`${ACTIVITY_VIEW_ID}.focus`, { preserveFocus });
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [root] };
    const uri = (file: string) => view.webview.asWebviewUri(vscode.Uri.joinPath(root, file)).toString();
    view.webview.html = activityHtml({
      cspSource: view.webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: uri('activity.js'),
      styleUri: uri('activity.css'),
      codiconsUri: uri('codicon.css'),
    });
    const subscriptions = [
      view.webview.onDidReceiveMessage((raw) => void this.receive(raw)),
      // A hidden webview view loses its page; it says `ready` again when it comes back and gets the journal.
      view.onDidChangeVisibility(() => {
        if (view.visible || this.view !== view) return;
        this.ready = false;
        this.approvals.notifyPending();
      }),
    ];
    subscriptions.push(
      view.onDidDispose(() => {
        for (const d of subscriptions) d.dispose();
        if (this.view !== view) return; // an older view, replaced after a move
        this.view = undefined;
        this.ready = false;
        this.approvals.notifyPending();
      }),
    );
  }

  /** The run the panel shows (the one under way, or the last one shown). */
  get shownRun(): ShownRun | undefined {
    return this.shown;
  }

  /** Show another run (a stopped or failed one the user picks, or the latest at start-up). */
  async showRun(run: ShownRun | undefined): Promise<void> {
    this.shown = run;
    await this.reset();
  }

  /**
   * Resume, Discard changes or Keep for a run named elsewhere (the chat's buttons and commands): the panel shows that
   * run and acts as its own buttons do, with the same checks and notices.
   */
  async decide(action: 'resume' | 'discard' | 'undoDiscard' | 'keep', run: ShownRun): Promise<Decided> {
    if (this.shown?.runId !== run.runId || this.shown.workspace !== run.workspace) await this.showRun(run);
    // The chat answers with what was done, not with "see the panel": a panel not open drops its notices.
    const said: Decided = (this.said = { notices: [], changed: false });
    try {
      await this.receive({ type: action, runId: run.runId });
    } finally {
      if (this.said === said) this.said = undefined;
    }
    return said;
  }

  /** What the panel says while it carries out a decision from elsewhere (decide). */
  private said: Decided | undefined;

  /**
   * The latest run journaled under the open workspace folders, to show when nothing runs: in a folder's own
   * `.kiro/runs`, or in a project below it (a monorepo's `packages/app/.kiro`), found through its specs.
   */
  async latestRun(): Promise<ShownRun | undefined> {
    const workspaces = new Set((vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath));
    // <workspace>/.kiro/specs/<feature>/tasks.md
    for (const uri of await vscode.workspace.findFiles('**/.kiro/specs/*/tasks.md', '**/node_modules/**')) workspaces.add(dirname(dirname(dirname(dirname(uri.fsPath)))));
    let best: ShownRun | undefined;
    for (const workspace of workspaces) {
      const ids = (await readdir(join(workspace, RUNS_DIR), { withFileTypes: true }).catch(() => []))
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
      for (const id of ids) if (!best || id > best.runId) best = { workspace, runId: id };
    }
    return best;
  }

  /**
   * At start-up: a run whose journal has no terminal event was cut short (VS Code closed or crashed while it ran,
   * or a terminal's run was killed). What it left is set right first (recoverInterruptedRun: its `[-]` markers back,
   * a waiting approval cancelled for that cause, run.stopped with the cause); then the panel shows it, and the notice
   * offers exactly the buttons the panel shows for it, in the same words.
   */
  async offerInterrupted(): Promise<void> {
    const latest = await this.latestRun();
    if (!latest || this.runner.running || !vscode.workspace.isTrusted) return;
    const journal = await readJournal(latest.workspace, latest.runId).catch(() => undefined);
    if (!journal || runIsLive(latest.workspace, latest.runId)) return;
    // What its commands still had running when the window went (a crash, a killed host) ends now (RULES.md S5).
    if (!journal.ended) for (const l of await endInterruptedRunProcesses(latest.workspace, [latest.runId])) this.log.warn(describeLeftBehind(l));
    const recovery = await recoverInterruptedRun(latest.workspace, latest.runId);
    if (!recovery) return;
    this.log.info(`run ${latest.runId} was cut short (${recovery.cause}): ${plural(recovery.marks.length, 'task marker')} put back, ${plural(recovery.cancelled.length, 'waiting approval')} cancelled`);
    if (recovery.marksProblem) this.log.warn(`run ${latest.runId}: ${recovery.marksProblem}`);
    if (this.runner.running) return; // a run started while this one was set right: it has the panel
    this.shown = latest;
    await this.reset();
    const actions = offeredActions(await this.controls());
    const task = journal.events.find((e) => e.type === 'task.started');
    const what = task?.type === 'task.started' ? `task ${task.task.id ?? task.task.title}` : 'a run';
    const marks = recovery.marksProblem
      ? ` ${recovery.marksProblem[0]!.toUpperCase()}${recovery.marksProblem.slice(1)}.`
      : recovery.marks.length > 0
        ? ` Its marker${recovery.marks.length === 1 ? ' is' : 's are'} back as before the run${actions.includes('resume') ? ' (Resume marks it again)' : ''}.`
        : '';
    const text = `Spec Agent: ${what} (run ${latest.runId}) did not finish: ${recovery.cause}.${marks}`;
    this.lastOffer = { runId: latest.runId, text, actions: actions.map((a) => RUN_ACTION_LABELS[a]) };
    const choice = await vscode.window.showWarningMessage(text, ...this.lastOffer.actions);
    const picked = actions.find((a) => RUN_ACTION_LABELS[a] === choice);
    if (!picked) return;
    await this.show();
    await this.receive({ type: picked, runId: latest.runId });
  }

  /** The last start-up notice about a run cut short, as shown (tests). */
  lastOffer: { runId: string; text: string; actions: string[] } | undefined;

  /** The workspace was trusted: buttons that run git may show, and a run cut short may now be offered. */
  async trustGranted(): Promise<void> {
    await this.postControls();
    await this.offerInterrupted();
  }

  private onRunEvent(e: RunEvent): void {
    const active = this.runner.running;
    // A hidden panel has no page to post to; it gets the journal whole when it says `ready` again.
    if (!this.ready && this.shown?.runId === e.runId) return;
    if (!this.shown || this.shown.runId !== e.runId) {
      // A new run takes over the panel from whatever it showed.
      this.shown = { workspace: active?.workspace ?? this.shown?.workspace ?? '', runId: e.runId };
      this.sentSeq = -1;
      this.queue = [];
      this.quietly(this.reset());
      return;
    }
    this.queue.push(e);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer || !this.ready) return;
    const wait = Math.max(0, this.lastPost + MIN_POST_INTERVAL_MS - Date.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.quietly(this.flush());
    }, wait);
  }

  private async flush(): Promise<void> {
    await this.resetting;
    if (!this.ready || !this.shown) return;
    // A transient event carries the seq of the journaled event it follows (events.ts): it is new when that one is
    // the last the webview has, and stale (a reset from the journal overtook it) when an older one is.
    const events = this.queue.filter((e) => e.runId === this.shown!.runId && (e.seq > this.sentSeq || (isTransient(e) && e.seq === this.sentSeq)));
    this.queue = [];
    if (events.length === 0) return;
    this.sentSeq = events.findLast((e) => !isTransient(e))?.seq ?? this.sentSeq;
    this.lastPost = Date.now();
    await this.post({ type: 'events', runId: this.shown.runId, events });
    if (events.some((e) => e.type === 'run.started' || e.type === 'run.stopped' || e.type === 'run.failed' || e.type === 'run.completed' || e.type === 'run.paused')) {
      await this.postControls();
      // The Runs view, once opened, lists a run as it starts and ends.
      await this.refreshHistory();
    }
  }

  /** What the Runs view last asked for: once it has, the list follows runs starting, ending, discarded and kept. */
  private historyWanted: { filter: HistoryFilter; offset: number; limit: number } | undefined;
  /** The runs as last read, which the pages the Runs view asks for are cut from. */
  private historyRead: { rows: HistoryRow[]; stats: RunStats } | undefined;

  /** The runs changed (one started, ended, was discarded or kept): the Runs view gets its first page again. */
  private async refreshHistory(): Promise<void> {
    if (!this.historyWanted) return;
    this.historyWanted = { ...this.historyWanted, offset: 0 };
    await this.postHistory(true);
  }

  /** The workspace whose runs the Runs view lists: the one of the run shown, else of the latest run, else the first folder. */
  private async historyWorkspace(): Promise<string | undefined> {
    return this.shown?.workspace || (await this.latestRun())?.workspace || vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  /** The page of runs the Runs view asked for, and the stats of all, from the runs index (only journals that changed are read). */
  private async postHistory(read: boolean): Promise<void> {
    const q = this.historyWanted;
    if (!this.ready || !q) return;
    if (read || !this.historyRead) {
      const workspace = await this.historyWorkspace();
      // Dispositions are in the checkpoint store; in Restricted Mode git is not run in the repository, so none show.
      const store = workspace && vscode.workspace.isTrusted ? await openGitStore(workspace).catch(() => undefined) : undefined;
      const rows = workspace ? (await readRunHistory(workspace, store?.gitDir)).rows : [];
      this.historyRead = { rows, stats: runStats(rows) };
    }
    const { rows, stats } = this.historyRead;
    const page = historyPage(rows, q.filter, q.offset, q.limit);
    this.lastHistory = { type: 'history', filter: q.filter, offset: q.offset, total: page.total, all: rows.length, rows: page.rows, stats };
    await this.post(this.lastHistory);
  }

  /** The last page of runs sent to the Runs view (tests). */
  lastHistory: Extract<HostMessage, { type: 'history' }> | undefined;

  /** Sends the shown run whole, from its journal on disk (what survives a reload), then controls and cards. */
  private reset(): Promise<void> {
    const body = async () => {
      if (!this.ready) return;
      const shown = this.shown;
      let events: RunEvent[] = [];
      if (shown) {
        const journal = await readJournal(shown.workspace, shown.runId).catch((e: unknown) => {
          this.log.warn(`Agent Activity: cannot read the journal of run ${shown.runId}: ${String(e)}`);
          return undefined;
        });
        events = journal?.events ?? [];
      }
      if (shown !== this.shown) return; // another run took over while reading; its own reset follows
      this.sentSeq = events.at(-1)?.seq ?? -1;
      this.lastPost = Date.now();
      await this.post({ type: 'reset', runId: shown?.runId ?? null, events });
      await this.postControls();
      await this.postAutonomy();
      await this.postApprovalDetails();
    };
    // One failed reset must not wedge the chain: every later reset and batch waits on it.
    this.resetting = this.resetting.then(body).catch((e: unknown) => this.log.error(`Agent Activity: ${e instanceof Error ? e.message : String(e)}`));
    return this.resetting.then(() => this.scheduleFlush());
  }

  /** A message from the webview (or a test speaking for it): validated, then acted on; errors become notices. */
  async receive(raw: unknown): Promise<void> {
    const parsed = webviewMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn(`Agent Activity: ignored a message from the webview: ${parsed.error.issues[0]?.message ?? 'invalid'} (${JSON.stringify(raw).slice(0, 200)})`);
      return;
    }
    try {
      await this.handle(parsed.data);
    } catch (e) {
      this.log.error(e instanceof Error ? e : String(e));
      await this.notice('error', e instanceof Error ? e.message : String(e));
    }
  }

  private async handle(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.shown = this.activeRun() ?? this.shown ?? (await this.latestRun());
        await this.reset();
        return;
      case 'loadHistory':
        this.historyWanted = { filter: m.filter, offset: m.offset, limit: m.limit };
        // The first page is a fresh look (the tab opened, a filter changed): the runs are read again (the index
        // makes that cheap); the next pages come from that reading, so they line up with the first.
        await this.postHistory(m.offset === 0);
        return;
      case 'showRun': {
        const workspace = await this.historyWorkspace();
        if (workspace) await this.showRun({ workspace, runId: m.runId });
        return;
      }
      case 'stop':
        this.runner.stop();
        return;
      case 'stopAfterTask':
        this.runner.stopAfterTask();
        return;
      case 'approve':
      case 'reject':
      case 'alwaysAllow':
        if (!(await this.approvals.answer(m.callId, m.type, m.type === 'reject' ? m.reason : undefined))) await this.notice('warning', 'That question is no longer waiting for an answer (the run moved on or stopped).');
        return;
      case 'resume':
        try {
          await this.runner.resume(this.workspaceOfRun(m.runId), m.runId, m.raise ? { [m.raise.setting]: m.raise.value } : undefined);
        } finally {
          // The webview holds its buttons until controls come; a resume refused (or over) must send them too.
          await this.postControls();
        }
        return;
      case 'discard':
      case 'undoDiscard':
      case 'keep':
        // Refused: the webview holds its buttons until controls come, so they come.
        if (!this.mayChangeFiles()) return void (await this.postControls());
        // One at a time: a second click on Discard while the first restores would record a second, empty discard.
        if (this.changingFiles) return void (await this.notice('warning', 'Still working on the last Discard, Undo discard or Keep; try again when it is done.'));
        this.changingFiles = this.changeFiles(m.type, m.runId);
        try {
          await this.changingFiles;
        } finally {
          this.changingFiles = undefined;
          await this.postControls();
          // The run's disposition in the Runs view.
          await this.refreshHistory();
        }
        return;
      case 'setAutonomy':
        await setAutonomyLevel(m.level);
        return;
      case 'openDiff':
        await vscode.commands.executeCommand('specAgent.openRunDiff', m.runId, m.path, this.shown?.runId === m.runId ? this.shown.workspace : undefined);
        return;
      case 'addVerifyCommands':
        await this.addVerifyCommands(m.runId);
        return;
      case 'checkpointDiff':
        await vscode.commands.executeCommand(OPEN_CHECKPOINT_DIFF_COMMAND, m.runId, m.commit, this.shown?.runId === m.runId ? this.shown.workspace : undefined);
        return;
      case 'checkpointRestore':
        if (!this.mayChangeFiles()) return;
        await this.restoreToCheckpoint(m.runId, m.commit);
        return;
      case 'openFile': {
        const ws = this.shown?.workspace;
        if (!ws) return;
        const abs = join(ws, m.path);
        if (relative(ws, abs).startsWith('..')) return;
        await vscode.window.showTextDocument(vscode.Uri.file(abs), { preview: true });
        return;
      }
    }
  }

  private activeRun(): ShownRun | undefined {
    const r = this.runner.running;
    return r?.runId ? { workspace: r.workspace, runId: r.runId } : undefined;
  }

  /** The buttons act on the run shown; its workspace is the one whose journal it came from. */
  /**
   * The "no verifyCommands set" link: the checks the run passed (the same list the panel offered, from its
   * journal), else npm test when package.json has a test script, go to verifyCommands in .kiro/settings.json.
   * With nothing to offer, the file opens for the user to write them.
   */
  private async addVerifyCommands(runId: string): Promise<void> {
    const ws = this.workspaceOfRun(runId);
    const journal = await readJournal(ws, runId).catch(() => undefined);
    const ran = journal ? checksRan(summarise(journal.events).commands) : [];
    const commands = ran.length ? ran : npmTestOf(await readFile(join(ws, 'package.json'), 'utf8').catch(() => undefined));
    const settingsUri = vscode.Uri.file(join(ws, SETTINGS_PATH));
    if (commands.length === 0) {
      await this.notice('warning', 'No check command found in this run or in package.json: add the commands that check this project to agent.verifyCommands in .kiro/settings.json.');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(settingsUri).then(undefined, () => vscode.workspace.openTextDocument(settingsUri.with({ scheme: 'untitled' }))));
      return;
    }
    try {
      await addVerifyCommands(ws, commands);
    } catch (e) {
      this.log.error(`could not add ${JSON.stringify(commands)} to verifyCommands: ${String(e)}`);
      await this.notice('error', `Could not add ${commands.map((c) => `"${c}"`).join(', ')} to verifyCommands in .kiro/settings.json: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    await this.notice('info', `Added ${commands.map((c) => `"${c}"`).join(', ')} to verifyCommands in .kiro/settings.json: the next tasks completed are verified by ${nounFor(commands.length, 'it', 'them')}.`);
  }

  /**
   * A step's badge: the workspace's files put back as checkpoint <commit> of the run holds them, after a modal
   * confirmation. The state before is checkpointed first, so the notification's Undo puts it back.
   */
  private async restoreToCheckpoint(runId: string, commit: string): Promise<void> {
    const ws = this.workspaceOfRun(runId);
    const store = await openGitStore(ws);
    const full = checkpointOfRun(await RunCheckpoints.open(store, runId), commit);
    if (!full) return void (await this.notice('error', `${commit.slice(0, 12)} is not a checkpoint of run ${runId}.`));
    const id = full.slice(0, 7);
    const choice = await vscode.window.showWarningMessage(
      `Restore the files to checkpoint ${id}?`,
      { modal: true, detail: `Every file of the workspace that differs from checkpoint ${id} (taken during run ${runId}) is put back as it was then, including your own edits since. The current state is checkpointed first, so this can be undone.` },
      'Restore',
    );
    if (choice !== 'Restore') return;
    const r = await restoreCheckpoint(store, full);
    const left = r.skipped.length ? `; ${plural(r.skipped.length, 'file')} left as ${nounFor(r.skipped.length, 'it is', 'they are')} (${r.skipped.map((s) => `${s.path}: ${s.reason}`).join('; ')})` : '';
    const text = `Restored to checkpoint ${id}: ${plural(r.written.length, 'file')} restored, ${r.removed.length} removed${left}.`;
    this.log.info(`${text} The state before is checkpoint ${r.safety.id}.`);
    await this.notice('info', text);
    const undo = await vscode.window.showInformationMessage(`Spec Agent: ${text}`, 'Undo');
    // Undo is a restore too: not under a run that started meanwhile.
    if (undo !== 'Undo' || !this.mayChangeFiles()) return;
    const back = await restoreCheckpoint(store, r.safety.commit);
    await this.notice('info', `Undid the restore to checkpoint ${id}: ${plural(back.written.length, 'file')} back as before, ${back.removed.length} removed.`);
  }

  private workspaceOfRun(runId: string): string {
    if (this.shown?.runId === runId) return this.shown.workspace;
    throw new Error(`run ${runId} is no longer the one shown; pick it again.`);
  }

  /** The checkpoints of the run's chain (the run and the runs that resumed it): Discard and Keep act on all of them. */
  private async checkpoints(runId: string, workspace?: string): Promise<{ run: ChainCheckpoints; chain: RunChain }> {
    const ws = workspace ?? this.workspaceOfRun(runId);
    const chain = await runChain(ws, runId);
    return { run: await ChainCheckpoints.open(await openGitStore(ws), runId, chain.members.map((m) => m.runId)), chain };
  }

  /**
   * Discard, Undo discard and Keep run git in the workspace (a snapshot first): not in Restricted Mode, where the
   * repository's own git configuration and attributes are not to be trusted, and not under a live run.
   */
  private mayChangeFiles(): boolean {
    if (!vscode.workspace.isTrusted) {
      this.quietly(this.notice('warning', 'Trust this workspace first (Workspaces: Manage Workspace Trust): Discard and Keep run git in it.'));
      return false;
    }
    if (this.runner.running) {
      this.quietly(this.notice('warning', 'A run is under way: stop it first.'));
      return false;
    }
    if (this.runner.finishing) {
      this.quietly(this.notice('warning', 'The run is still closing (its sandbox, its summary); try again in a moment.'));
      return false;
    }
    const live = this.shown && liveRunIn(this.shown.workspace);
    if (live) {
      this.quietly(this.notice('warning', elsewhereNote(live, live.runId === this.shown?.runId)));
      return false;
    }
    return true;
  }

  private livePoll: ReturnType<typeof setInterval> | undefined;

  /**
   * While a run elsewhere holds the workspace, the buttons are asked for again every 2 s: its end (the lock released
   * after its summary is written, or its process gone) changes no file this window watches.
   */
  private pollWhileLive(live: boolean): void {
    if (live && !this.livePoll) this.livePoll = setInterval(() => this.quietly(this.postControls()), 2_000);
    else if (!live && this.livePoll) {
      clearInterval(this.livePoll);
      this.livePoll = undefined;
    }
  }

  private followed: { run: ShownRun; watcher: vscode.FileSystemWatcher; timer?: ReturnType<typeof setTimeout> } | undefined;

  /**
   * A run under way in another window or a terminal streams here through its journal: each change of the file
   * sends the events after the last one sent (at most once a second), until the run ends.
   */
  private follow(run: ShownRun | undefined): void {
    const f = this.followed;
    if (f && run && f.run.runId === run.runId && f.run.workspace === run.workspace) return;
    if (f) {
      clearTimeout(f.timer);
      f.watcher.dispose();
      this.followed = undefined;
    }
    if (!run) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(join(run.workspace, RUNS_DIR, run.runId)), 'events.jsonl'));
    const followed: NonNullable<ActivityView['followed']> = { run, watcher };
    const catchUp = async () => {
      followed.timer = undefined;
      if (this.followed !== followed || this.shown?.runId !== run.runId) return;
      const journal = await readJournal(run.workspace, run.runId).catch(() => undefined);
      const fresh = journal?.events.filter((e) => e.seq > this.sentSeq) ?? [];
      if (fresh.length > 0 && this.ready) {
        this.sentSeq = fresh.at(-1)!.seq;
        await this.post({ type: 'events', runId: run.runId, events: fresh });
      }
      if (journal?.ended || !runIsLive(run.workspace, run.runId)) await this.postControls();
    };
    watcher.onDidChange(() => {
      followed.timer ??= setTimeout(() => this.quietly(catchUp()), 1_000);
    });
    this.followed = followed;
  }

  private changingFiles: Promise<void> | undefined;

  /** Discard, Undo discard or Keep, each only from the state it belongs to (the buttons may be a click behind). */
  private async changeFiles(action: 'discard' | 'undoDiscard' | 'keep', runId: string): Promise<void> {
    if (action !== 'undoDiscard') {
      // The user decides about the chain: its runs cut short are closed first, as the CLI's discard and keep close
      // them (closeInterruptedRuns), before their checkpoints are read (closing adds a step: the markers put back).
      const ws = this.workspaceOfRun(runId);
      const ids = (await runChain(ws, runId)).members.map((m) => m.runId);
      for (const l of await endInterruptedRunProcesses(ws, ids)) this.log.warn(describeLeftBehind(l));
      for (const r of await closeInterruptedRuns(ws, ids)) this.log.info(describeRecovery(r));
    }
    const { run, chain } = await this.checkpoints(runId);
    const expected = action === 'undoDiscard' ? 'discarded' : 'open';
    if (run.disposition !== expected) {
      const now = run.disposition === 'discarded' ? 'are discarded (Undo discard puts them back)' : run.disposition === 'kept' ? 'were kept' : 'are not discarded';
      return void (await this.notice('warning', `Run ${runId}'s changes ${now}; nothing was done.`));
    }
    try {
      if (action === 'discard') return await this.discard(runId, run, chain);
      if (action === 'undoDiscard') return await this.undoDiscard(runId, run, chain);
      await run.keep();
      if (this.said) this.said.changed = true;
    } catch (e) {
      // A chain discarded one run at a time by an older version: the way out, in the panel's words.
      if (e instanceof MixedChainError) return void (await this.notice('warning', `${e.message}: click Undo discard, then Discard changes.`));
      throw e;
    }
    await this.notice('info', `${describeChainAction('Kept the changes of', runId, chain)}.`);
  }

  private async discard(runId: string, run: ChainCheckpoints, chain: RunChain): Promise<void> {
    // Discard restores files on disk: an editor with unsaved edits to one of them would keep its buffer, and a
    // later save would bring the agent's change back. Ask first, and revert those editors with the discard.
    const ws = this.workspaceOfRun(runId);
    const changed = new Set((await run.agentChanges()).map((c) => join(ws, c.path)));
    const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file' && changed.has(d.uri.fsPath));
    if (dirty.length > 0) {
      const names = dirty.map((d) => relative(ws, d.uri.fsPath)).join(', ');
      const choice = await vscode.window.showWarningMessage(
        `Spec Agent: ${names} ${dirty.length === 1 ? 'has' : 'have'} unsaved edits. Discard puts the ${nounFor(dirty.length, 'file')} back as before the run and drops those edits.`,
        { modal: true },
        'Drop My Edits and Discard',
      );
      if (choice !== 'Drop My Edits and Discard') return;
    }
    const r = await run.discard();
    if (this.said) Object.assign(this.said, { changed: true, written: r.written, removed: r.removed });
    this.discarded.fire({ runId, discarded: true });
    for (const d of dirty) {
      await vscode.window.showTextDocument(d, { preview: false, preserveFocus: true });
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    const what = chain.members.length > 1 ? `${describeChainAction('Discarded the changes of', runId, chain)}, newest first` : "Discarded the run's changes";
    const parts = [`${what}: ${plural(r.written.length, 'file')} restored, ${r.removed.length} removed.`];
    const yours = r.conflicts.filter((c) => !c.background);
    const background = r.conflicts.filter((c) => c.background);
    if (yours.length) parts.push(`Left as you have them (you changed them too): ${yours.map((c) => c.path).join(', ')}.`);
    // Written between the agent's steps while its background processes ran: by them or by you, no one can tell.
    if (background.length) parts.push(`Left as they are (changed while the run's background processes ran, by them or by you): ${background.map((c) => c.path).join(', ')}.`);
    if (r.skipped.length) parts.push(`Not restored: ${r.skipped.map((k) => `${k.path} (${k.reason})`).join(', ')}.`);
    await this.notice(r.conflicts.length || r.skipped.length ? 'warning' : 'info', parts.join(' '));
  }

  private async undoDiscard(runId: string, run: ChainCheckpoints, chain: RunChain): Promise<void> {
    const r = await run.undoDiscard();
    if (this.said) Object.assign(this.said, { changed: true, written: r.written, removed: r.removed });
    this.discarded.fire({ runId, discarded: false });
    const what = r.undone.length > 1 ? describeChainAction('Undid the discard of', runId, chain) : 'Undid the discard';
    await this.notice('info', `${what}: ${plural(r.written.length, 'file')} back as the ${r.undone.length > 1 ? 'last run' : 'run'} left them, ${r.removed.length} removed.`);
  }

  /** What the buttons may offer for the shown run now. */
  async controls(): Promise<RunControls> {
    const active = this.runner.running;
    const shown = this.shown;
    const running = Boolean(active && shown && active.runId === shown.runId);
    const none: RunControls = { running, stoppingAfterTask: Boolean(running && active?.stoppingAfterTask), canResume: false, canDiscard: false, canUndoDiscard: false, canKeep: false };
    // Buttons only for a run shown while none runs here, and not in Restricted Mode: nothing runs there, and git is
    // not run in the repository (its config and attributes are not to be trusted).
    // A run of this window that has just ended is still closing (its lock is held until then): no Stop any more, and
    // nothing else until it has closed (onDidChange comes again then).
    const idle = shown && !running && !this.runner.running && !this.runner.finishing && vscode.workspace.isTrusted ? shown : undefined;
    // A run under way in another window or a terminal (the one shown, or another in the same workspace): nothing to
    // offer until it ends; the one shown is followed through its journal. Asked first: while it lasts this is asked
    // every 2 s, and the rest (the checkpoints' git store) is not needed.
    const live = idle && liveRunIn(idle.workspace);
    const mine = live !== undefined && live.runId === idle?.runId;
    this.follow(mine ? idle : undefined);
    this.pollWhileLive(live !== undefined);
    if (!idle) return none;
    const journal = await readJournal(idle.workspace, idle.runId).catch(() => undefined);
    if (!journal) return none;
    if (live) return { ...none, liveElsewhere: mine && !journal.ended, note: elsewhereNote(live, mine) };
    const summary = summarise(journal.events);
    const checkpoints = await this.checkpoints(idle.runId, idle.workspace).catch(() => undefined);
    const disposition = checkpoints?.run.disposition;
    const decision = checkpoints?.run.decision;
    const chain = checkpoints?.chain;
    // A run of a chain may have changed nothing itself while the runs it resumed did: the chain is decided as one.
    const changed = summary.files.length > 0 || (chain?.members.length ?? 1) > 1;
    const unfinished = journal.events.at(-1)?.type !== 'run.completed' && summary.tasks.some((t) => !t.completed);
    return {
      ...none,
      // A run already resumed goes on in the run that resumed it: a second Resume of it would branch the chain.
      canResume: unfinished && disposition !== 'discarded' && !chain?.members.some((m) => m.resumedFrom === idle.runId),
      canDiscard: changed && disposition === 'open',
      canUndoDiscard: disposition === 'discarded',
      canKeep: changed && disposition === 'open',
      ...(decision ? { disposition: decision } : {}),
      ...(chain && chain.members.length > 1 ? { note: chainNote(idle.runId, chain) } : {}),
    };
  }

  private async postControls(): Promise<void> {
    if (this.ready) await this.post({ type: 'controls', controls: await this.controls() });
  }

  private async postAutonomy(): Promise<void> {
    if (!this.ready) return;
    const root = this.shown?.workspace ?? workspaceInView(this.runner.running);
    const { level, source, unaccepted } = await effectiveLevel(root);
    const setting = vscode.workspace.getConfiguration('specAgent', root ? vscode.Uri.file(root) : undefined).get<string>('autonomyLevel', 'inherit');
    const valid = ['inherit', 'cautious', 'balanced', 'full'] as const;
    await this.post({ type: 'autonomy', autonomy: { level, source, setting: (valid as readonly string[]).includes(setting) ? (setting as (typeof valid)[number]) : 'inherit', ...(unaccepted ? { unaccepted } : {}) } });
  }

  private async postApprovalDetails(): Promise<void> {
    if (!this.ready) return;
    for (const detail of await this.approvals.details()) await this.post({ type: 'approvalDetail', detail });
  }

  private notice(level: 'info' | 'warning' | 'error', text: string): Promise<void> {
    this.said?.notices.push({ level, text });
    if (!this.ready) {
      if (level === 'error') void vscode.window.showErrorMessage(`Spec Agent: ${text}`);
      return Promise.resolve();
    }
    return this.post({ type: 'notice', level, text });
  }

  private async post(m: HostMessage): Promise<void> {
    // The same schema the webview checks: a host bug shows up here, in the log, not as a blank panel. Events
    // are checked where they are made (the journal) and would cost the most to check twice.
    const checked = m.type === 'reset' || m.type === 'events' ? { success: true as const } : hostMessageSchema.safeParse(m);
    if (!checked.success) {
      this.log.error(`Agent Activity: not posting an invalid ${m.type} message: ${checked.error.issues[0]?.message ?? ''}`);
      return;
    }
    await this.view?.webview.postMessage(m);
  }

  dispose(): void {
    this.follow(undefined);
    this.pollWhileLive(false);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const d of this.disposables) d.dispose();
  }
}

/** "Resumed run A; resumed by run C. Discard changes, Undo discard and Keep changes act on runs A, B and C together." */
export function chainNote(runId: string, chain: RunChain): string {
  const me = chain.members.find((m) => m.runId === runId);
  const by = chain.members.filter((m) => m.resumedFrom === runId).map((m) => m.runId);
  const links = [me?.resumedFrom ? `Resumed run ${me.resumedFrom}` : '', by.length ? `${me?.resumedFrom ? 'resumed' : 'Resumed'} by run ${by.join(', run ')}` : ''].filter(Boolean).join('; ');
  const ids = chain.members.map((m) => m.runId);
  return `${links}. Discard changes, Undo discard and Keep changes act on runs ${ids.slice(0, -1).join(', ')} and ${ids.at(-1)} together: one piece of work.`;
}

/** What the panel says while a run is under way outside this window. */
function elsewhereNote(live: LiveRun, shown: boolean): string {
  const where = `another window or a terminal${live.pid === undefined ? '' : ` (pid ${live.pid}${live.host !== hostname() ? ` on ${live.host}` : ''})`}`;
  return shown ? `This run is under way in ${where}: Stop it there; its steps appear here as it goes.` : `Run ${live.runId} is under way in this workspace, in ${where}: Resume, Discard and Keep wait for it to end.`;
}
