import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { atomicWrite } from '../fs/atomicWrite.js';
import type { GitStore } from './gitStore.js';
import { gitBytes } from './gitBatch.js';
import { restorePaths, type RestoreResult } from './restore.js';
import { changes, snapshot, type Snapshot, type TreeChange } from './snapshot.js';

const manifestSchema = z.object({
  runId: z.string(),
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  /** When the user kept the run's changes (Keep changes): they are theirs from then on. */
  keptAt: z.number().optional(),
  base: z.string(),
  /**
   * `background`: the step is a span between two of the agent's steps (or up to a background process's end) while
   * these background processes ran. What changed there is theirs as far as anyone can tell, but the user may have
   * typed in that span too: a discard leaves such paths as they are and reports them.
   */
  steps: z.array(z.object({ label: z.string(), before: z.string(), after: z.string(), background: z.array(z.string()).optional() })),
  discards: z.array(z.object({ at: z.number(), before: z.string(), paths: z.array(z.string()), undone: z.boolean() })),
  skipped: z.array(z.object({ path: z.string(), bytes: z.number() })),
  nested: z.array(z.string()),
});
export type RunManifest = z.infer<typeof manifestSchema>;
/** A step of the run's background processes: what changed between the agent's steps while they ran. */
export type BackgroundSpan = RunManifest['steps'][number] & { background: string[] };

export interface Conflict {
  path: string;
  /** The agent's last version of the path (a blob id in the store), or null if it deleted it. */
  agent: { mode: string; blob: string } | null;
  /** What is in the work tree now (the user changed it too). */
  current: { mode: string; blob: string } | null;
  /** What the path held before the run. */
  before: { mode: string; blob: string } | null;
  /** The path changed while these background processes ran, between the agent's steps: by them, or by the user. */
  background?: string[];
}

export interface DiscardResult extends RestoreResult {
  conflicts: Conflict[];
  /** The snapshot taken before the discard, which undoDiscard restores. */
  before: string;
}

const runRef = (runId: string) => `runs/${runId}`;

/** The user's decision about a run's changes, as the history shows it ('undone': a discard that was undone). */
export type RunDecision = 'discarded' | 'kept' | 'undone';

/**
 * Discard of a run already discarded, or Undo discard of one that is not: refused, since the second discard would
 * find nothing of the agent's left, and undoing that empty one would lose the way back to the agent's work.
 */
export class DispositionError extends Error {
  constructor(
    readonly runId: string,
    readonly kind: 'already-discarded' | 'not-discarded',
  ) {
    super(kind === 'already-discarded' ? `run ${runId}'s changes are already discarded; Undo discard puts them back` : `run ${runId}'s changes are not discarded, so there is no discard to undo; Discard changes puts back what the run changed`);
  }
}

/**
 * Checkpoints of one agent run. The executor calls `beforeStep`/`afterStep` around every tool call that can
 * change files: what changes inside a step is the agent's; what changes between steps (the user typing while
 * the model thinks) is the user's. Snapshots of a run are chained commits under refs/spec-agent/runs/<id>.
 */
export class RunCheckpoints {
  private constructor(
    private readonly store: GitStore,
    private manifest: RunManifest,
    private head: string,
  ) {}

  static async start(store: GitStore, runId: string): Promise<RunCheckpoints> {
    const base = await snapshot(store, { message: `spec-agent run ${runId}: before the run`, ref: runRef(runId) });
    const manifest: RunManifest = { runId, startedAt: Date.now(), base: base.commit, steps: [], discards: [], skipped: base.skipped, nested: base.nested };
    const run = new RunCheckpoints(store, manifest, base.commit);
    await run.save();
    return run;
  }

  static async open(store: GitStore, runId: string): Promise<RunCheckpoints> {
    const text = await readFile(manifestPath(store, runId), 'utf8').catch(() => {
      throw new Error(`no checkpoints for run ${runId} in ${store.gitDir}`);
    });
    const manifest = manifestSchema.parse(JSON.parse(text));
    const last = manifest.discards.at(-1)?.before ?? manifest.steps.at(-1)?.after ?? manifest.base;
    return new RunCheckpoints(store, manifest, last);
  }

  get data(): Readonly<RunManifest> {
    return this.manifest;
  }

  private pendingBefore: string | undefined;
  /** Background processes running now, by id, with their command. */
  private readonly running = new Map<string, string>();
  /** Those that ran since the last step ended: what changed since is theirs (or the user's), not the user's alone. */
  private readonly ranSince = new Map<string, string>();
  /** Snapshots are taken one at a time: a background process ends whenever it ends, maybe while a step is taken. */
  private queue: Promise<unknown> = Promise.resolve();

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The snapshot before a step; `backgroundSpan` is the step of the background processes' writes it closed, if any. */
  beforeStep(label: string): Promise<Snapshot & { backgroundSpan?: BackgroundSpan }> {
    return this.serial(async () => {
      const s = await this.take(`before ${label}`);
      const span = await this.closeBackgroundSpan(s);
      this.pendingBefore = s.commit;
      return span ? { ...s, backgroundSpan: span } : s;
    });
  }

  afterStep(label: string): Promise<Snapshot> {
    return this.serial(async () => {
      if (!this.pendingBefore) throw new Error('afterStep without beforeStep');
      const s = await this.take(`after ${label}`);
      this.manifest.steps.push({ label, before: this.pendingBefore, after: s.commit });
      this.pendingBefore = undefined;
      this.ranSince.clear();
      for (const [id, command] of this.running) this.ranSince.set(id, command);
      await this.save();
      return s;
    });
  }

  /** A background process started (run_command with background: true): what it writes between steps is its. */
  backgroundStarted(id: string, command: string): void {
    this.running.set(id, command);
    this.ranSince.set(id, command);
  }

  /**
   * A background process ended: a snapshot now closes the span it wrote in, so what changes after it is the
   * user's again. Inside a step, its last writes are in that step. Resolves with the span's step, if one was made.
   */
  backgroundEnded(id: string): Promise<BackgroundSpan | undefined> {
    return this.serial(async () => {
      const ranHere = this.ranSince.has(id);
      this.running.delete(id);
      if (this.pendingBefore || !ranHere) return undefined;
      const s = await this.take(`background ${id} ended`);
      const step = await this.closeBackgroundSpan(s);
      for (const k of [...this.ranSince.keys()]) if (!this.running.has(k)) this.ranSince.delete(k);
      return step;
    });
  }

  /** From the last step's end to `now`, while background processes ran: a step of theirs, when anything changed. */
  private async closeBackgroundSpan(now: Snapshot): Promise<BackgroundSpan | undefined> {
    if (this.ranSince.size === 0) return undefined;
    const from = this.manifest.steps.at(-1)?.after ?? this.manifest.base;
    const ids = [...this.ranSince.keys()];
    if (from === now.commit || (await changes(this.store, from, now.commit)).length === 0) return undefined;
    const step: BackgroundSpan = { label: `written while background ${ids.length === 1 ? 'process' : 'processes'} ${[...this.ranSince].map(([id, command]) => `${id} (${command})`).join(', ')} ran`, before: from, after: now.commit, background: ids };
    this.manifest.steps.push(step);
    await this.save();
    return step;
  }

  finish(): Promise<void> {
    return this.serial(async () => {
      this.manifest.finishedAt = Date.now();
      await this.save();
    });
  }

  /** The user's decision about the run's changes: none yet, kept, or discarded (and not undone). */
  get disposition(): 'open' | 'kept' | 'discarded' {
    const last = this.manifest.discards.at(-1);
    if (last && !last.undone) return 'discarded';
    return this.manifest.keptAt !== undefined ? 'kept' : 'open';
  }

  /**
   * What the history says the user decided about the run's changes, last decision first: discarded, kept, or a
   * discard undone (the run's changes are back); undefined when nothing was decided. Unlike `disposition`, which
   * says what may be done next, an undone discard stays visible.
   */
  get decision(): RunDecision | undefined {
    const last = this.manifest.discards.at(-1);
    const kept = this.manifest.keptAt;
    if (last && (kept === undefined || kept < last.at)) return last.undone ? 'undone' : 'discarded';
    return kept !== undefined ? 'kept' : undefined;
  }

  /** When the last decision about the run's changes was taken (ms since the epoch); undefined when none was. */
  get decidedAt(): number | undefined {
    const times = [this.manifest.discards.at(-1)?.at, this.manifest.keptAt].filter((t): t is number => t !== undefined);
    return times.length > 0 ? Math.max(...times) : undefined;
  }

  /** When the last discard (undone or not) was made; the undo of a chain goes back in the reverse order. */
  get discardedAt(): number | undefined {
    return this.manifest.discards.at(-1)?.at;
  }

  /** Keep changes: the run's changes are the user's; nothing is restored. */
  async keep(): Promise<void> {
    this.manifest.keptAt = Date.now();
    this.manifest.finishedAt ??= this.manifest.keptAt;
    await this.save();
  }

  /** Paths the agent changed inside its steps, and paths the user changed between them (up to now). */
  async attribution(now: string): Promise<{ agent: Map<string, TreeChange>; user: Set<string>; background: Map<string, string[]> }> {
    const agent = new Map<string, TreeChange>();
    const user = new Set<string>();
    const background = new Map<string, string[]>();
    let previous = this.manifest.base;
    for (const step of this.manifest.steps) {
      for (const c of await changes(this.store, previous, step.before)) user.add(c.path);
      for (const c of await changes(this.store, step.before, step.after)) {
        agent.set(c.path, c);
        if (step.background) background.set(c.path, [...new Set([...(background.get(c.path) ?? []), ...step.background])]);
      }
      previous = step.after;
    }
    for (const c of await changes(this.store, previous, now)) user.add(c.path);
    return { agent, user, background };
  }

  /**
   * What the run's own steps changed (not the user's edits between them), from before the run to its last step,
   * one entry per path. Reads the snapshots only: nothing is taken, so a finished run can be looked at any time.
   */
  async agentChanges(): Promise<TreeChange[]> {
    const paths = new Set<string>();
    for (const step of this.manifest.steps) for (const c of await changes(this.store, step.before, step.after)) paths.add(c.path);
    const last = this.manifest.steps.at(-1)?.after;
    if (!last || paths.size === 0) return [];
    return changes(this.store, this.manifest.base, last, [...paths]);
  }

  /** The agent's changes of this run (not the user's), with lines added and removed: the run's diffstat. */
  diffstat(): Promise<Array<{ path: string; added: number | null; removed: number | null }>> {
    return this.serial(() => this.numstat());
  }

  private async numstat(): Promise<Array<{ path: string; added: number | null; removed: number | null }>> {
    const now = await this.take('for the summary');
    const { agent } = await this.attribution(now.commit);
    if (agent.size === 0) return [];
    const out = (await gitBytes(this.store, ['diff', '--numstat', '-z', '--no-renames', this.manifest.base, now.commit, '--', ...[...agent.keys()].map((p) => `:(literal)${p}`)])).toString('utf8');
    return out
      .split('\0')
      .filter(Boolean)
      .map((entry) => {
        const [added, removed, path] = entry.split('\t') as [string, string, string];
        // Binary files have "-" counts.
        return { path, added: added === '-' ? null : Number(added), removed: removed === '-' ? null : Number(removed) };
      });
  }

  /**
   * Puts every path the agent changed back to its content before the run. A path the user also changed is
   * not overwritten: it is reported as a conflict with both versions. A snapshot is taken first, so the
   * discard can be undone exactly.
   */
  async discard(): Promise<DiscardResult> {
    if (this.disposition === 'discarded') throw new DispositionError(this.manifest.runId, 'already-discarded');
    const now = await this.take('before discard');
    const { agent, user, background } = await this.attribution(now.commit);
    const conflicts: Conflict[] = [];
    const targets: Array<{ path: string; entry: { mode: string; blob: string } | null }> = [];
    const before = new Map((await changes(this.store, this.manifest.base, now.commit, [...agent.keys()])).map((c) => [c.path, c]));
    for (const [path, change] of agent) {
      const diff = before.get(path);
      if (!diff) continue; // already as it was before the run
      const ranBy = background.get(path);
      if (user.has(path) || ranBy) {
        conflicts.push({ path, agent: change.to, current: diff.to, before: diff.from, ...(ranBy ? { background: ranBy } : {}) });
        continue;
      }
      targets.push({ path, entry: diff.from });
    }
    const result = await restorePaths(this.store, targets, { removeFoldersCreatedAfter: this.manifest.startedAt });
    this.manifest.discards.push({ at: Date.now(), before: now.commit, paths: targets.map((t) => t.path), undone: false });
    await this.save();
    return { ...result, conflicts, before: now.commit };
  }

  /** Puts the paths the last discard changed back to what they were just before it. */
  async undoDiscard(): Promise<RestoreResult> {
    const last = this.manifest.discards.at(-1);
    if (!last || last.undone) throw new DispositionError(this.manifest.runId, 'not-discarded');
    const current = await this.take('before undo discard');
    const diffs = await changes(this.store, current.commit, last.before, last.paths);
    const result = await restorePaths(this.store, diffs.map((c) => ({ path: c.path, entry: c.to })));
    last.undone = true;
    await this.save();
    return result;
  }

  private async take(message: string): Promise<Snapshot> {
    const s = await snapshot(this.store, { message: `spec-agent run ${this.manifest.runId}: ${message}`, parent: this.head, ref: runRef(this.manifest.runId) });
    this.head = s.commit;
    for (const k of s.skipped) if (!this.manifest.skipped.some((x) => x.path === k.path)) this.manifest.skipped.push(k);
    return s;
  }

  private async save(): Promise<void> {
    await mkdir(join(this.store.gitDir, 'spec-agent', 'runs'), { recursive: true });
    await atomicWrite(manifestPath(this.store, this.manifest.runId), JSON.stringify(this.manifest, null, 2) + '\n');
  }
}

function manifestPath(store: GitStore, runId: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new Error(`invalid run id ${JSON.stringify(runId)}`);
  return join(store.gitDir, 'spec-agent', 'runs', `${runId}.json`);
}
