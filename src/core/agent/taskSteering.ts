import type { ChatMessage } from '../models/chatModel.js';
import { chooseSteering, matchingPattern, type SteeringDoc } from '../spec/steering.js';
import { fileRefBudget, resolveFileRefs, type FileRefBudget } from './fileReferences.js';

/** A steering file entered the task's context: journaled as `steering.included`, shown in the panel. */
export interface SteeringIncluded {
  name: string;
  file: string;
  inclusion: string;
  reason: string;
}

/** The first words of the note a tool result carries when steering joins mid-task; resume finds them in the history. */
const NOTE = '[steering] ';

/**
 * The steering of one task, from its first prompt to its last tool call: always and matched steering at the
 * start; fileMatch steering when the agent reads or edits a matching file (once per file per task); auto
 * steering when the agent reads it by the path the prompt lists. `#[[file:…]]` references are resolved as a file
 * enters, against one budget for the task.
 */
export class TaskSteering {
  private readonly included = new Set<string>();

  constructor(
    private readonly docs: readonly SteeringDoc[],
    private readonly workspace: string,
    private readonly onIncluded: (e: SteeringIncluded) => void,
    /** The history of an earlier run of this task (resume): steering its tool results already carry is not added again. */
    history: readonly ChatMessage[] = [],
    /** Shared with the task's other documents (design.md, the task's own lines). */
    private readonly budget: FileRefBudget = fileRefBudget(),
  ) {
    for (const m of history) {
      if (m.role !== 'tool') continue;
      for (const line of m.content.split('\n')) if (line.startsWith(NOTE)) this.included.add(line.slice(NOTE.length).split(' ')[0]!);
    }
  }

  /** The steering the first prompt quotes (bodies with their file references resolved), and the auto steering it lists. */
  async start(taskTexts: readonly string[]): Promise<{ quoted: SteeringDoc[]; onRequest: SteeringDoc[] }> {
    const choice = chooseSteering(this.docs, taskTexts);
    const quoted: SteeringDoc[] = [];
    for (const { doc, reason } of choice.included) {
      quoted.push({ ...doc, body: await this.bodyOf(doc) });
      this.include(doc, reason);
    }
    return { quoted, onRequest: choice.onRequest };
  }

  /**
   * After a successful read or edit of `paths` (workspace-relative): the note to add to the tool result for each
   * fileMatch steering file that now applies for the first time in this task, or undefined.
   */
  async touched(paths: readonly string[], how: 'read' | 'edit'): Promise<string | undefined> {
    const notes: string[] = [];
    for (const doc of this.docs) {
      if (doc.inclusion !== 'fileMatch' || this.included.has(doc.file)) continue;
      const hit = paths.map((p) => ({ p, pattern: matchingPattern(doc, p) })).find((x) => x.pattern);
      if (!hit) continue;
      const why = `fileMatchPattern "${hit.pattern}" matched ${hit.p}`;
      notes.push(`${NOTE}${doc.file} now applies (${why}):\n${await this.bodyOf(doc)}`);
      this.include(doc, `fileMatch: the agent ${how === 'read' ? 'read' : 'edited'} ${hit.p} (${hit.pattern})`);
    }
    return notes.length ? notes.join('\n\n') : undefined;
  }

  /** A read_file of the path the prompt lists for an auto steering file: its text (global ones are outside the workspace). */
  async requested(path: string): Promise<string | undefined> {
    const want = path.trim().replace(/^\.\//, '');
    const doc = this.docs.find((d) => d.inclusion === 'auto' && d.file === want);
    if (!doc) return undefined;
    const body = await this.bodyOf(doc);
    this.include(doc, 'auto: the agent asked for it');
    return `${doc.file}${doc.description ? ` (${doc.description})` : ''}:\n${body}`;
  }

  private bodyOf(doc: SteeringDoc): Promise<string> {
    return resolveFileRefs(doc.body, this.workspace, this.budget);
  }

  private include(doc: SteeringDoc, reason: string): void {
    if (this.included.has(doc.file)) return;
    this.included.add(doc.file);
    this.onIncluded({ name: doc.name, file: doc.file, inclusion: doc.inclusion ?? 'unknown', reason });
  }
}
