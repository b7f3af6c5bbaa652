import { RUN_ACTION_LABELS, type AutonomyInfo, type RunControls } from '../core/runs/activityProtocol.js';
import { h, icon } from './dom.js';
import { budgetText, type BudgetSetting } from '../core/runs/budgets.js';

/**
 * The controls bar: what the host says the run allows now (Stop, Resume, Discard, ...) and the autonomy dropdown.
 * The bar never decides on its own; a button is shown only when the matching `controls` flag is true.
 */
export class ControlsView {
  private readonly stop = button('stop', 'debug-stop', 'Stop Agent', 'Stop the agent now (Escape)', 'primary danger');
  private readonly stopAfter = button('stopAfterTask', 'debug-step-out', 'Stop after this task', 'Let the current task finish, then stop', 'secondary');
  private readonly resume = button('resume', 'debug-continue', RUN_ACTION_LABELS.resume, 'Continue the run from its last finished sub-step', 'primary');
  private readonly discard = button('discard', 'discard', RUN_ACTION_LABELS.discard, 'Put every file the run changed back as it was before the run', 'secondary');
  private readonly undoDiscard = button('undoDiscard', 'history', RUN_ACTION_LABELS.undoDiscard, 'Bring back the changes that were discarded', 'secondary');
  private readonly keep = button('keep', 'check', RUN_ACTION_LABELS.keep, 'Keep the changes of the run', 'secondary');
  readonly select = h(
    'select',
    { id: 'autonomy', 'data-action': 'setAutonomy', 'aria-label': 'Autonomy level' },
    h('option', { value: 'inherit' }, 'Inherit (.kiro/settings.json)'),
    h('option', { value: 'cautious' }, 'Cautious'),
    h('option', { value: 'balanced' }, 'Balanced'),
    h('option', { value: 'full' }, 'Full'),
  );
  private readonly unaccepted = h('div', { class: 'unaccepted', hidden: true });
  /** After a budget pause: Resume with a raised limit, for the new run only (the settings file is not changed). */
  readonly raiseInput = h('input', { id: 'raise-limit', class: 'raise-limit', type: 'number', min: '0', step: 'any', 'aria-describedby': 'raise-note' });
  private readonly raiseLabel = h('label', { for: 'raise-limit' });
  private readonly raiseNote = h('div', { id: 'raise-note', class: 'meta raise-note' });
  private readonly raiseError = h('div', { class: 'raise-error', role: 'alert', hidden: true });
  private readonly raiseButton = h('button', { type: 'button', class: 'primary', 'data-action': 'resumeRaised', title: 'Resume, with this limit for the new run only' }, icon('debug-continue'), h('span', null, 'Resume with a raised limit'));
  private readonly raise = h('div', { class: 'raise-budget', hidden: true }, this.raiseLabel, h('div', { class: 'raise-row' }, this.raiseInput, this.raiseButton), this.raiseNote, this.raiseError);
  private raiseFor: string | null = null;
  /** The budget the run is paused at, while Resume is offered. */
  budget: { setting: BudgetSetting; limit: number; spent: number } | null = null;
  private readonly note = h('div', { class: 'controls-note', role: 'status', hidden: true });

  constructor(root: HTMLElement) {
    root.append(
      h('div', { class: 'control-buttons' }, this.stop, this.stopAfter, this.resume, this.discard, this.undoDiscard, this.keep),
      h('label', { class: 'autonomy', for: 'autonomy' }, icon('shield'), h('span', { class: 'label' }, 'Autonomy'), this.select),
      this.raise,
      this.note,
      this.unaccepted,
    );
    this.update(null, null, false);
  }

  private lastControls: RunControls | null = null;
  private busyWith: RunControls | null | undefined;

  /** Resume, Discard, Undo discard or Keep was clicked: none of them again before the host has answered. */
  busy(): void {
    this.busyWith = this.lastControls;
    for (const b of [this.resume, this.discard, this.undoDiscard, this.keep, this.raiseButton]) b.disabled = true;
  }

  /**
   * The run is paused at a budget (null: not): offer Resume with a raised limit, prefilled with twice the limit. The
   * value typed survives re-renders of the same pause.
   */
  setBudget(b: { setting: BudgetSetting; limit: number; spent: number } | null, canResume: boolean): void {
    this.budget = canResume ? b : null;
    this.raise.hidden = this.budget === null;
    if (!this.budget) {
      this.raiseFor = null;
      return;
    }
    const { setting, limit, spent } = this.budget;
    const key = `${setting}|${limit}|${spent}`;
    if (this.raiseFor === key) return;
    this.raiseFor = key;
    const whole = setting === 'maxTurnsPerTask' || setting === 'maxTokensPerTask';
    this.raiseInput.step = whole ? '1' : 'any';
    this.raiseInput.value = String(whole ? Math.ceil(limit * 2) : Math.round(limit * 2 * 1000) / 1000);
    this.raiseLabel.textContent = `Resume with a raised limit for this run: ${setting}${setting === 'maxCostPerRun' ? ' (US dollars)' : ''}`;
    this.raiseNote.textContent = `Spent ${budgetText(setting, spent)} of ${budgetText(setting, limit)}. Applies to this run only (journaled); .kiro/settings.json stays as it is.`;
    this.raiseError.hidden = true;
  }

  /** The raised limit typed, or undefined (and why, shown) when it would not let the run go on. */
  raisedValue(): number | undefined {
    const b = this.budget;
    if (!b) return undefined;
    const v = Number(this.raiseInput.value);
    const whole = b.setting === 'maxTurnsPerTask' || b.setting === 'maxTokensPerTask';
    const problem = !Number.isFinite(v) || this.raiseInput.value.trim() === '' ? 'Type the new limit.' : whole && !Number.isInteger(v) ? 'The limit is a whole number.' : v <= b.spent ? `The run has spent ${budgetText(b.setting, b.spent)} already: a limit above that lets it go on.` : undefined;
    this.raiseError.hidden = problem === undefined;
    this.raiseError.textContent = problem ?? '';
    return problem === undefined ? v : undefined;
  }

  /**
   * `running`: whether the run shown is under way as the page knows it (ActivityModel.running): the host's word,
   * except that its terminal event ends it at once, before the host's next controls come.
   */
  update(c: RunControls | null, a: AutonomyInfo | null, running: boolean): void {
    this.stop.hidden = !running;
    this.stopAfter.hidden = !running;
    this.stopAfter.disabled = !!c?.stoppingAfterTask;
    this.stopAfter.lastElementChild!.textContent = c?.stoppingAfterTask ? 'Stopping after this task…' : 'Stop after this task';
    // Clicked: the buttons stay quiet until the host sends controls again (an autonomy update is not an answer).
    const waiting = this.busyWith !== undefined && this.busyWith === c;
    if (!waiting) this.busyWith = undefined;
    for (const b of [this.resume, this.discard, this.undoDiscard, this.keep, this.raiseButton]) b.disabled = waiting;
    this.lastControls = c;
    this.note.hidden = !c?.note;
    this.note.textContent = c?.note ?? '';
    this.resume.hidden = !c?.canResume;
    this.discard.hidden = !c?.canDiscard;
    this.undoDiscard.hidden = !c?.canUndoDiscard;
    this.keep.hidden = !c?.canKeep;
    // Never overwrite the dropdown while the user has it focused (they may be choosing).
    if (a && document.activeElement !== this.select) this.select.value = a.setting;
    this.select.disabled = !a;
    this.select.title = a ? `Now ${a.level}, from ${a.source}` : 'Waiting for the extension';
    if (a?.unaccepted?.length) {
      this.unaccepted.hidden = false;
      this.unaccepted.textContent = `Not accepted on this machine: ${a.unaccepted.join('; ')}`;
    } else this.unaccepted.hidden = true;
  }
}

function button(action: string, ico: string, label: string, title: string, cls: string): HTMLButtonElement {
  return h('button', { type: 'button', class: cls, 'data-action': action, title, hidden: true }, icon(ico), h('span', null, label));
}

/** A dismissible notice from the host ("Discarded: 3 files restored"). */
export function renderNotice(level: 'info' | 'warning' | 'error', text: string): HTMLElement {
  return h(
    'div',
    { class: `notice notice-${level}`, role: level === 'error' ? 'alert' : 'status' },
    icon(level === 'info' ? 'info' : level),
    h('span', { class: 'notice-text' }, text),
    h('button', { type: 'button', class: 'icon-button', 'data-action': 'dismissNotice', 'aria-label': 'Dismiss notice', title: 'Dismiss' }, icon('close')),
  );
}
