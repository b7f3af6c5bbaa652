import { LIVE_TAIL_CHARS, str, num, toolKind, type BackgroundItem, type CallItem, type FileChange, type Item, type TextItem, type ThinkingItem } from './activityModel.js';
import { formatDuration, h, icon } from './dom.js';
import { appendOutput, emptyTail, type OutputTail, tailText } from './outputTail.js';
import { plural } from '../core/text/plural.js';
import { budgetText } from '../core/runs/budgets.js';

/**
 * One timeline row per item, built from the item alone (plus which of its sections the user expanded), so a
 * changed item is re-rendered by replacing its row. Buttons carry data-action; one listener on the panel
 * handles them all, which keeps 20,000 rows free of per-row closures.
 */

/** Model text longer than this starts collapsed. */
const LONG_TEXT_CHARS = 400;
const LONG_TEXT_LINES = 6;

export interface RowUi {
  /** `${itemId}|${section}` of the sections the user opened. */
  expanded: ReadonlySet<string>;
}

export function renderRow(item: Item, ui: RowUi): HTMLElement {
  switch (item.kind) {
    case 'call':
      return callRow(item, ui);
    case 'task':
      // Said only for a spec whose requirements are not in requirements.md (a Kiro bugfix spec's bugfix.md).
      return row(item, 'task', 'tasklist', [
        h('span', { class: 'title' }, `Task ${item.taskId ?? ''} `, h('span', { class: 'task-title' }, item.title)),
        item.requirementsFile && item.requirementsFile !== 'requirements.md' ? h('span', { class: 'meta' }, ` · requirements from ${item.requirementsFile}`) : null,
      ]);
    case 'text':
      return textRow(item, ui);
    case 'steering':
      return row(item, 'steering', 'book', [h('span', { class: 'title' }, `Steering ${item.name} included`), ' ', h('span', { class: 'meta', title: item.file }, item.reason)]);
    case 'selfcorrection':
      return row(item, 'selfcorrection', 'debug-restart', [h('span', { class: 'title' }, `Self-correction ${item.count}/${item.max}`), ' ', h('span', { class: 'meta' }, item.reason)]);
    case 'checkpoint':
      return row(item, 'checkpoint', 'git-commit', [
        h('span', { class: 'meta' }, `Checkpoint ${item.label} `),
        h('code', { class: 'commit', title: item.commit }, item.commit.slice(0, 7)),
        item.skipped ? h('span', { class: 'meta' }, ` · ${plural(item.skipped, 'large file')} not saved`) : null,
      ]);
    case 'pause':
      return row(item, 'pause', 'debug-pause', [
        h('span', { class: 'title' }, `Paused (${PAUSE_LABEL[item.pauseKind] ?? item.pauseKind})`),
        h('div', { class: 'detail pre-wrap' }, item.reason),
      ]);
    case 'budget':
      return row(item, 'budget', 'arrow-up', [
        h('span', { class: 'title' }, `Budget raised for this run: ${item.setting} ${budgetText(item.setting, item.value)}`),
        item.previous !== undefined ? h('span', { class: 'meta' }, ` · .kiro/settings.json says ${budgetText(item.setting, item.previous)}`) : null,
      ]);
    case 'condensed':
      return condensedRow(item, ui);
    case 'thinking': {
      // Folded until asked: reasoning is long, and it is not what the model did.
      const t = toggle(item, 'thinking', ui, item.live ? `Thinking… (${plural(item.text.length, 'character')})` : 'Thinking');
      return live(row(item, 'thinking', 'lightbulb', [t.button, t.open ? liveBox(item, 'model-text thinking') : null]), item);
    }
    case 'leftovers':
      return row(item, 'leftovers', 'debug-disconnect', [
        h('span', { class: 'title' }, `Ended ${plural(item.processes.length, 'process', 'processes')} the run left running`),
        h('div', { class: 'meta' }, item.processes.map((p) => `pid ${p.pid}: ${p.command}`).join('; ')),
      ]);
    case 'background':
      return backgroundRow(item);
    case 'completion':
      return completionRow(item);
    case 'end': {
      const ico = item.end === 'completed' ? 'check-all' : item.end === 'failed' ? 'error' : 'debug-stop';
      const title = item.end === 'completed' ? 'Run completed' : item.end === 'failed' ? 'Run failed' : 'Run stopped';
      const steps = item.completedSteps?.length ? h('div', { class: 'meta' }, `${plural(item.completedSteps.length, 'sub-step')} completed before it`) : null;
      return row(item, `end end-${item.end}`, ico, [h('span', { class: 'title' }, title), h('span', { class: 'detail-inline' }, ` · ${item.text}`), steps]);
    }
  }
}

const ENDED_BY: Record<string, string> = { task: 'at the end of its task', stop: 'by Stop', run: 'at the end of the run', trap: 'by the sandbox (it planted what git would run)' };

/** A background process: running, or how it ended. Its output is in the row of the call that started it. */
function backgroundRow(item: BackgroundItem): HTMLElement {
  const e = item.ended;
  const state = !e
    ? `running · pid ${item.pid}`
    : e.endedBy === 'exit'
      ? `${e.exitCode !== null ? `exited with code ${e.exitCode}` : `killed by ${e.signal ?? 'a signal'}`} after ${formatDuration(e.durationMs)}`
      : `ended ${ENDED_BY[e.endedBy] ?? e.endedBy} after ${formatDuration(e.durationMs)}`;
  return row(item, `background${e ? ' ended' : ' running'}`, e ? 'debug-disconnect' : 'server-process', [
    h('span', { class: 'title' }, `Background ${item.bgId}: `, h('code', {}, item.command)),
    h('div', { class: 'meta' }, `${state} · output in ${item.outputFile}`),
  ]);
}

const PAUSE_LABEL: Record<string, string> = {
  approval: 'waiting for approval',
  group: 'task group done',
  'edit-limit': 'file edit limit',
  'self-corrections': 'self-correction limit',
  'repeated-failure': 'repeated failure',
  review: 'review',
  context: 'context window full',
  'rate-limit': 'rate limited',
  budget: 'budget reached',
};

function row(item: Item, cls: string, ico: string, body: Array<Node | string | null>): HTMLElement {
  return h('div', { class: `row row-${cls}`, 'data-id': item.id, 'data-seq': item.seq, role: 'listitem' }, icon(ico, 'row-icon'), h('div', { class: 'row-body' }, ...body));
}

function toggle(item: Item, section: string, ui: RowUi, label: string): { button: HTMLButtonElement; open: boolean } {
  const open = ui.expanded.has(`${item.id}|${section}`);
  const button = h(
    'button',
    { class: 'toggle', type: 'button', 'data-action': 'toggle', 'data-item': item.id, 'data-section': section, 'data-focus-key': `toggle-${section}`, 'aria-expanded': String(open) },
    icon(open ? 'chevron-down' : 'chevron-right'),
    label,
  );
  return { button, open };
}

function liveTail(text: string): string {
  if (text.length <= LIVE_TAIL_CHARS) return text;
  // From a line start where there is one, so the box does not open mid-word.
  const tail = text.slice(-LIVE_TAIL_CHARS);
  const nl = tail.indexOf('\n');
  return nl !== -1 && nl < LIVE_TAIL_CHARS / 2 ? tail.slice(nl + 1) : tail;
}

/** A live row remembers how much of its text it has, so the next pieces are appended (patchLiveRow). */
function live(el: HTMLElement, item: TextItem | ThinkingItem): HTMLElement {
  if (item.live) {
    el.dataset.chars = String(item.text.length);
    el.setAttribute('aria-busy', 'true');
  }
  return el;
}

/**
 * A live row brought up to date in place: the new end of its text appended, the view of it kept at its end while
 * the user has not scrolled back. False when the row must be rebuilt (a folded "Thinking…" row: its label counts).
 */
export function patchLiveRow(el: HTMLElement, item: Item, ui: RowUi): boolean {
  if ((item.kind !== 'text' && item.kind !== 'thinking') || !item.live) return false;
  if (item.kind === 'thinking' && !ui.expanded.has(`${item.id}|thinking`)) return false;
  const body = el.querySelector<HTMLElement>('.model-text.live');
  const had = Number(el.dataset.chars ?? NaN);
  if (!body || !(had <= item.text.length) || el.dataset.id !== item.id) return false;
  // Following the end: at it, or where this code last put the view (a row built with more text than its box shows
  // starts at its top, before anything could scroll it); the user scrolling back in it stops that.
  const follow = body.scrollHeight - body.scrollTop - body.clientHeight < 8 || body.scrollTop === Number(body.dataset.pinned ?? 0);
  // Appended while the box holds less than twice its tail; then cut back to the tail (so each frame's work is bounded).
  const add = item.text.slice(had);
  const has = Number(body.dataset.shown ?? 0) + add.length;
  if (has > 2 * LIVE_TAIL_CHARS) {
    const tail = liveTail(item.text);
    body.textContent = tail;
    body.dataset.shown = String(tail.length);
  } else {
    // One text node grown in place: no node per piece for the layout to walk.
    const last = body.lastChild;
    if (last instanceof Text) last.appendData(add);
    else body.append(add);
    body.dataset.shown = String(has);
  }
  el.dataset.chars = String(item.text.length);
  if (follow) {
    body.scrollTop = body.scrollHeight;
    body.dataset.pinned = String(body.scrollTop);
  }
  return true;
}

/** The text of an item: all of it once whole; the end of it (`data-shown` characters) while it streams. */
function liveBox(item: TextItem | ThinkingItem, cls: string): HTMLElement {
  if (!item.live) return h('div', { class: cls }, item.text);
  const tail = liveTail(item.text);
  return h('div', { class: `${cls} live`, 'data-shown': tail.length }, tail);
}

function textRow(item: TextItem, ui: RowUi): HTMLElement {
  // While it streams: all of it, in a box that shows its end (a long answer is folded once it is whole).
  if (item.live) return live(row(item, 'text', 'comment', [liveBox(item, 'model-text')]), item);
  const long = item.text.length > LONG_TEXT_CHARS || item.text.split('\n', LONG_TEXT_LINES + 1).length > LONG_TEXT_LINES;
  if (!long) return row(item, 'text', 'comment', [h('div', { class: 'model-text' }, item.text)]);
  const open = ui.expanded.has(`${item.id}|text`);
  const t = toggle(item, 'text', ui, open ? 'Show less' : 'Show more');
  return row(item, 'text', 'comment', [h('div', { class: `model-text${open ? '' : ' clamped'}` }, item.text), t.button]);
}

/** The summary that replaced older turns: what the model now knows of them, folded like long model text. */
function condensedRow(item: Extract<Item, { kind: 'condensed' }>, ui: RowUi): HTMLElement {
  const open = ui.expanded.has(`${item.id}|summary`);
  const t = toggle(item, 'summary', ui, open ? 'Hide summary' : 'Show summary');
  const why = item.reason === 'overflow' ? 'the provider said the conversation was too long' : 'the conversation neared the context window';
  const who = item.by === 'model' ? 'summarised by the model' : 'the model could not summarise; a list of its calls stands in';
  return row(item, 'condensed', 'fold', [
    h('span', { class: 'title' }, `Context condensed: ${formatTokens(item.tokensBefore)} → ${formatTokens(item.tokensAfter)} tokens`),
    h('div', { class: 'meta' }, `${why}; ${plural(item.replaced, 'earlier message')} ${who}`),
    t.button,
    open ? h('div', { class: 'model-text' }, item.summary) : null,
  ]);
}

const formatTokens = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000)}k` : n.toLocaleString('en-US'));

const TOOL_ICON: Record<string, string> = {
  read_file: 'file',
  list_files: 'list-tree',
  search_files: 'search',
  write_file: 'new-file',
  edit_file: 'edit',
  delete_file: 'trash',
  run_command: 'terminal',
  complete_task: 'checklist',
};

const TOOL_VERB: Record<string, string> = {
  read_file: 'Read',
  list_files: 'List',
  search_files: 'Search',
  write_file: 'Write',
  edit_file: 'Edit',
  delete_file: 'Delete',
  run_command: 'Run',
  complete_task: 'Complete task',
};

/** What the call is about in a few words: the command, the path, the query. */
export function callSubject(c: CallItem): string {
  const i = c.input;
  if (c.tool === 'run_command') return str(i.command) ?? '';
  if (c.tool === 'search_files') return [str(i.query), str(i.glob) ? `in ${str(i.glob)}` : undefined, str(i.path) ? `under ${str(i.path)}` : undefined].filter(Boolean).join(' ');
  if (c.tool === 'list_files') return [str(i.path) ?? '.', str(i.glob)].filter(Boolean).join(' ');
  if (c.tool === 'complete_task') return '';
  // read_file of several files names them all.
  if (c.tool === 'read_file' && Array.isArray(i.paths)) return [str(i.path), ...i.paths.map(str)].filter(Boolean).join(', ');
  return str(i.path) ?? str(c.finished?.data.path) ?? '';
}

function callRow(c: CallItem, ui: RowUi): HTMLElement {
  const kind = toolKind(c.tool);
  const verdict = c.gate?.verdict;
  const ico = c.tool === 'write_file' && c.finished?.data.created === false ? 'edit' : (TOOL_ICON[c.tool] ?? 'tools');
  const subject = callSubject(c);
  const line = h('div', { class: 'row-line' });
  line.append(h('span', { class: 'verb' }, TOOL_VERB[c.tool] ?? c.tool), ' ');
  if (kind === 'command') line.append(h('code', { class: 'command' }, subject));
  else if (subject && (kind === 'read' || kind === 'write') && c.tool !== 'search_files' && c.tool !== 'list_files') {
    line.append(h('button', { class: 'link path', type: 'button', 'data-action': 'openFile', 'data-path': subject, 'data-focus-key': 'open-file', title: `Open ${subject}` }, subject));
  } else if (subject) line.append(h('span', { class: 'subject' }, subject));
  line.append(' ', status(c));
  if (c.gate) line.append(' ', gateBadge(c.gate.verdict, c.gate.rule, c.gate.reason));
  const checkpoint = checkpointBadge(c);
  if (checkpoint) line.append(' ', checkpoint);

  const body: Array<Node | string | null> = [line];
  // Allowed calls say why only on hover; a deny or an ask is the point of the row, so its reason is shown.
  if (c.gate && c.gate.verdict !== 'allow') body.push(h('div', { class: `gate-reason verdict-${c.gate.verdict}` }, c.gate.reason));
  if (c.approval) body.push(h('div', { class: `approval-outcome approval-${c.approval.state}` }, approvalText(c)));
  if (kind === 'write' && c.finished?.ok) {
    const path = str(c.finished.data.path) ?? str(c.input.path);
    if (path) line.append(' ', openDiffButton(path));
  }
  // A boundary the sandbox held is the reason a command failed: said on the row, not only in its folded output.
  const boundaries = c.finished?.data.boundaries;
  if (Array.isArray(boundaries)) for (const b of boundaries) if (typeof b === 'string') body.push(h('div', { class: 'sandbox-boundary' }, icon('lock'), ' ', b));
  const output = outputOf(c);
  if (output) {
    const lines = output.total;
    const t = toggle(c, 'output', ui, `Output · ${plural(lines, 'line')}`);
    body.push(t.button);
    if (t.open) body.push(outputBlock(output));
  }
  if (c.finished && !c.finished.ok && kind !== 'command' && kind !== 'complete' && verdict !== 'deny') {
    body.push(h('div', { class: 'detail error-text pre-wrap' }, firstLines(c.finished.output, 3)));
  }
  const cls = `row row-call kind-${kind}${verdict ? ` verdict-${verdict}` : ''}${c.approval?.state === 'pending' ? ' pending' : ''}`;
  return h('div', { class: cls, 'data-id': c.id, 'data-seq': c.seq, 'data-call': c.callId, role: 'listitem' }, icon(ico, 'row-icon'), h('div', { class: 'row-body' }, ...body));
}

/**
 * The checkpoint taken before a step, as a badge on the step's row with its id and a menu: diff the workspace now
 * against it, or restore the files to it (the host asks first, and the restore can be undone).
 */
function checkpointBadge(c: CallItem): HTMLElement | null {
  const before = c.checkpoints?.before;
  if (!before) return null;
  const after = c.checkpoints?.after;
  const id = before.commit.slice(0, 7);
  const skipped = before.skipped ? `; ${plural(before.skipped, 'large file')} not saved in it` : '';
  return h(
    'details',
    { class: 'checkpoint-menu' },
    h(
      'summary',
      { class: 'badge checkpoint', 'data-focus-key': 'checkpoint', title: `Checkpoint before this step: ${before.commit}${after ? `; after it: ${after.commit}` : ''}${skipped}`, 'aria-label': `Checkpoint ${id}, before this step: diff or restore` },
      icon('git-commit'),
      ` ${id}`,
    ),
    h(
      'div',
      { class: 'menu', role: 'menu' },
      h('button', { type: 'button', role: 'menuitem', 'data-action': 'checkpointDiff', 'data-commit': before.commit }, icon('diff'), ' Diff now against this checkpoint'),
      h('button', { type: 'button', role: 'menuitem', 'data-action': 'checkpointRestore', 'data-commit': before.commit }, icon('discard'), ' Restore files to this checkpoint…'),
    ),
  );
}

function status(c: CallItem): HTMLElement {
  const kind = toolKind(c.tool);
  if (c.approval?.state === 'pending') return h('span', { class: 'status waiting' }, icon('shield'), ' waiting for approval');
  if (!c.finished) {
    if (c.gate?.verdict === 'deny' || (c.approval && c.approval.state !== 'approved' && c.approval.state !== 'always')) return h('span', { class: 'status' });
    return h('span', { class: 'status running' }, icon('loading', 'codicon-modifier-spin'), ' running');
  }
  const f = c.finished;
  const d = f.data;
  const parts: string[] = [];
  if (kind === 'command') {
    const exit = d.exitCode;
    if (d.stopped === true) parts.push('stopped');
    else if (d.timedOut === true) parts.push('timed out');
    else if (typeof exit === 'number') parts.push(`exit ${exit}`);
    else if (str(d.signal)) parts.push(`killed by ${str(d.signal)}`);
    parts.push(formatDuration(num(d.durationMs) ?? f.durationMs));
  } else if (kind === 'write' && f.ok) {
    const stat = diffstat(c);
    if (stat) return h('span', { class: 'status ok' }, stat);
  } else if (c.tool === 'read_file' && f.ok) {
    if (num(d.lines) !== undefined) parts.push(num(d.to) !== undefined ? `lines ${num(d.from)}–${num(d.to)} of ${num(d.lines)}` : plural(num(d.lines)!, 'line'));
    else if (num(d.read) !== undefined) parts.push(`${num(d.read)} of ${plural(num(d.paths)!, 'file')}`);
  } else if (c.tool === 'list_files' && f.ok) {
    if (num(d.files) !== undefined) parts.push(plural(num(d.files)!, 'file'));
  } else if (c.tool === 'search_files' && f.ok) {
    if (num(d.matches) !== undefined) parts.push(plural(num(d.matches)!, 'match', 'matches'));
  }
  if (!f.ok && c.gate?.verdict === 'deny') return h('span', { class: 'status' });
  const ok = f.ok;
  return h('span', { class: `status ${ok ? 'ok' : 'failed'}` }, icon(ok ? 'pass' : 'error'), parts.length ? ` ${parts.join(' · ')}` : ok ? '' : ' failed');
}

/** `+3 −1`, `new · 16 lines`, `deleted · 829 bytes`: what a write did, from tool.finished data. */
function diffstat(c: CallItem): HTMLElement | null {
  const d = c.finished?.data ?? {};
  if (c.tool === 'edit_file') return stat(num(d.linesAdded) ?? 0, num(d.linesRemoved) ?? 0);
  if (c.tool === 'write_file') return h('span', { class: 'diffstat' }, d.created === true ? 'new' : 'rewritten', num(d.lines) !== undefined ? ` · ${plural(num(d.lines)!, 'line')}` : '');
  if (c.tool === 'delete_file') return h('span', { class: 'diffstat removed' }, 'deleted', num(d.bytes) !== undefined ? ` · ${num(d.bytes)} bytes` : '');
  return null;
}

function stat(added: number, removed: number): HTMLElement {
  return h('span', { class: 'diffstat', 'aria-label': `${added} lines added, ${removed} removed` }, h('span', { class: 'added' }, `+${added}`), ' ', h('span', { class: 'removed' }, `−${removed}`));
}

function fileStat(f: FileChange): HTMLElement {
  if (f.deleted) return h('span', { class: 'diffstat removed' }, 'deleted');
  if (f.created) return h('span', { class: 'diffstat added' }, 'new', f.rewrittenLines !== undefined ? ` · ${f.rewrittenLines} lines` : '');
  if (f.rewrittenLines !== undefined && f.added === 0 && f.removed === 0) return h('span', { class: 'diffstat' }, `rewritten · ${f.rewrittenLines} lines`);
  const s = stat(f.added, f.removed);
  if (f.rewrittenLines !== undefined) s.append(' · rewritten');
  return s;
}

function openDiffButton(path: string): HTMLButtonElement {
  return h(
    'button',
    { class: 'icon-button', type: 'button', 'data-action': 'openDiff', 'data-path': path, 'data-focus-key': `diff-${path}`, 'aria-label': `Open diff of ${path}`, title: `Open diff of ${path}` },
    icon('diff'),
    h('span', { class: 'label' }, 'Open diff'),
  );
}

export function gateBadge(verdict: 'allow' | 'ask' | 'deny', rule: string, reason: string): HTMLElement {
  return h('span', { class: `badge gate verdict-${verdict}`, title: reason, 'aria-label': `${verdict} by rule ${rule}: ${reason}` }, `${verdict} · ${rule}`);
}

function approvalText(c: CallItem): string {
  const a = c.approval!;
  switch (a.state) {
    case 'pending':
      return 'Waiting for your approval';
    case 'approved':
      return 'Approved by you';
    case 'rejected':
      return a.userReason ? `Rejected by you: ${a.userReason}` : 'Rejected by you';
    case 'always':
      return `Always allowed: ${[a.alwaysAllow ?? []].flat().map((e) => `"${e}"`).join(', ')} added to allowedCommands`;
    case 'cancelled':
      return a.cause ? `Cancelled: ${a.cause}` : 'Cancelled by stop';
    case 'unanswered':
      return 'Not approved: no one was there to ask';
  }
}

/** Streamed chunks when there were any; else the output the finished call reported (a journal may hold only that). */
function outputOf(c: CallItem): OutputTail | null {
  if (c.output && c.output.total > 0) return c.output;
  const kind = toolKind(c.tool);
  // A denied call never ran: its "output" is the gate's reason, which the row already shows.
  if (!c.finished || kind !== 'command' || c.finished.output === '' || c.gate?.verdict === 'deny') return null;
  const t = emptyTail();
  appendOutput(t, c.finished.output);
  return t;
}

function outputBlock(t: OutputTail): HTMLElement {
  return h(
    'div',
    { class: 'output' },
    t.dropped ? h('div', { class: 'output-note' }, `${plural(t.dropped, 'earlier line')} not shown (the journal has the full output)`) : null,
    h('pre', { class: 'output-text', tabindex: '0', 'aria-label': 'command output' }, tailText(t)),
  );
}

function firstLines(s: string, n: number): string {
  const lines = s.split('\n');
  return lines.length > n ? `${lines.slice(0, n).join('\n')}\n…` : s;
}

/**
 * A task ticked with no verifyCommands is not a failed check: say so, with a link that adds the checks the run
 * passed (or npm test, the host's fallback from package.json) to verifyCommands, so the next ones are verified.
 */
function noChecksBadge(checks: readonly string[]): HTMLElement {
  const what = checks.length ? checks.map((c) => `"${c}"`).join(', ') : 'npm test (package.json\'s test script)';
  return h(
    'span',
    { class: 'no-checks' },
    h('span', { class: 'badge' }, 'no verifyCommands set'),
    ' ',
    h(
      'button',
      { type: 'button', class: 'link', 'data-action': 'addVerifyCommands', 'data-focus-key': 'add-verify', title: `Adds ${what} to verifyCommands in .kiro/settings.json` },
      checks.length ? `Add ${checks.map((c) => `"${c}"`).join(', ')} as verifyCommands` : 'Set verifyCommands',
    ),
  );
}

function completionRow(item: Extract<Item, { kind: 'completion' }>): HTMLElement {
  const body: Array<Node | string | null> = [
    h('div', { class: 'row-line' }, h('span', { class: 'title' }, `Task ${item.taskId ?? ''} completed`), ' ', item.verified ? h('span', { class: 'badge ok' }, icon('verified'), ' verified') : item.noChecks ? noChecksBadge(item.checksRan) : h('span', { class: 'badge' }, 'not verified')),
    h('div', { class: 'summary pre-wrap' }, item.summary),
  ];
  if (item.requirements.length) {
    body.push(
      h('div', { class: 'report-heading' }, 'Requirements'),
      h('ul', { class: 'report-list' }, ...item.requirements.map((r) => h('li', null, h('span', { class: 'req-id' }, r.id), ' ', r.evidence))),
    );
  }
  if (item.verification.length) {
    body.push(
      h('div', { class: 'report-heading' }, 'Verification'),
      h(
        'ul',
        { class: 'report-list' },
        ...item.verification.map((v) => h('li', { class: v.ok ? 'ok' : 'failed' }, icon(v.ok ? 'pass' : 'error'), ' ', h('code', null, v.command), ` exit ${v.exitCode ?? '—'}`)),
      ),
    );
  }
  if (item.files.length) {
    body.push(
      h('div', { class: 'report-heading' }, 'Files changed'),
      h('ul', { class: 'report-list files' }, ...item.files.map((f) => h('li', null, h('span', { class: 'path' }, f.path), ' ', fileStat(f), ' ', openDiffButton(f.path)))),
    );
  }
  return h('div', { class: 'row row-completion', 'data-id': item.id, 'data-seq': item.seq, role: 'listitem' }, icon('pass-filled', 'row-icon'), h('div', { class: 'row-body' }, ...body));
}
