import type { Task, TaskTree } from '../spec/index.js';
import { checkTaskSpec } from '../agent/taskSelection.js';

/**
 * What a chat request asks to run, read by rules alone: "execute task 3: implement AuthService.issueToken()",
 * "/run 2.1 and 2.3 keep it small", "Execute tasks 1 through 5 for the user-authentication spec. Stop after each
 * task group and show me what was completed". The task references become the quick pick's syntax (`1-5`,
 * `2.1,2.3`), the words after them the user's note for the run. What the rules cannot read is said so (`tasks`
 * undefined), never guessed.
 */
export interface TaskRequest {
  /** `1-5`, `2.1,2.3`: what selectTasks reads; undefined when the request names no task the rules can read. */
  tasks?: string;
  /** The spec the request names ("for the user-authentication spec"), as written. */
  spec?: string;
  /** The user's words for the run: what follows the task references, without the phrases read here. */
  note: string;
  /** "stop after each task group" (true), "don't pause between groups" (false); undefined: the policy decides. */
  pauseBetweenGroups?: boolean;
}

/** A task id as tasks.md writes them: `3`, `2.1`, `1.2.3`, or with a prefix (`MVP-2`). */
const ID = String.raw`(?:[A-Za-z]+-)?\d+(?:\.\d+)*`;
const RANGE = String.raw`\s*(?:-|–|—|\.\.|to|through|thru|until)\s*`;
const LIST = String.raw`\s*(?:,\s*(?:and\s+)?|and|&|\+|or)\s*`;
const ITEM = `${ID}(?:${RANGE}${ID})?`;
/** Not followed by a letter or by more of a number ("3." ending a sentence is task 3; "20.19" is not task 20). */
const END = String.raw`(?!\w|\.\d)`;
const REFS = new RegExp(String.raw`^(${ITEM}(?:${LIST}${ITEM})*)${END}`, 'i');

const PAUSE_ON = /(?:^|[\s.,;])(?:and\s+)?(?:please\s+)?(?:stop|pause|wait)\s+(?:after|between)\s+(?:each|every|the)?\s*(?:top-level\s+)?(?:task\s+)?groups?\b(?:\s+(?:and|to)\s+(?:show|tell|give)\s+me\s+what\s+(?:was|you|has\s+been)\s+(?:completed|done|finished|did|have\s+done)(?:\s+so\s+far)?)?[.!]?/i;
const PAUSE_OFF = /(?:^|[\s.,;])(?:and\s+)?(?:do\s+not|don't|dont|never|without)\s+(?:stop|stopping|pause|pausing)\s+(?:after|between)\s+(?:each|every|the)?\s*(?:task\s+)?groups?\b[.!]?|(?:^|[\s.,;])(?:run\s+)?(?:straight|all\s+the\s+way)\s+through\b[.!]?|(?:^|[\s.,;])without\s+(?:stopping|pausing)\b[.!]?/i;
const SPEC = /(?:^|\s)(?:for|in|of|from)\s+(?:the\s+)?[`"']?([A-Za-z0-9][\w.-]*(?:\s+[A-Za-z0-9][\w.-]*){0,3}?)[`"']?\s+spec\b[.,;:]?|(?:^|\s)(?:for|in|of|from)\s+(?:the\s+)?spec\s+[`"']?([A-Za-z0-9][\w.-]*)[`"']?[.,;:]?/i;
const LEAD = /^(?:please\s+|can\s+you\s+|could\s+you\s+|now\s+)*(?:execute|run|do|start|implement|work\s+on|carry\s+out)?\s*(?:the\s+)?(?:tasks?|#)?\s*/i;

/** Reads a request (the text after `@spec`, or after `/run`). */
export function parseTaskRequest(text: string): TaskRequest {
  let rest = ` ${text.trim()} `;
  let pauseBetweenGroups: boolean | undefined;
  const off = PAUSE_OFF.exec(rest);
  if (off) {
    pauseBetweenGroups = false;
    rest = cut(rest, off);
  } else {
    const on = PAUSE_ON.exec(rest);
    if (on) {
      pauseBetweenGroups = true;
      rest = cut(rest, on);
    }
  }
  let spec: string | undefined;
  const s = SPEC.exec(rest);
  if (s) {
    spec = s[1] ?? s[2];
    rest = cut(rest, s);
  }
  rest = rest.trim();
  const lead = LEAD.exec(rest)!;
  const afterLead = rest.slice(lead[0].length);
  let found = REFS.exec(afterLead);
  let before = '';
  let after = '';
  if (found) after = afterLead.slice(found[0].length);
  else {
    // "implement the token service (task 3)": the references somewhere in the sentence, after the word "task".
    const inside = new RegExp(String.raw`\btasks?\s+#?(${ITEM}(?:${LIST}${ITEM})*)${END}`, 'i').exec(rest);
    if (inside) {
      found = Object.assign([inside[1]!, inside[1]!], { index: 0, input: inside[1]! }) as RegExpExecArray;
      before = rest.slice(0, inside.index);
      after = rest.slice(inside.index + inside[0].length);
    }
  }
  // Without a task the rules can read, the whole request is the user's words (shown back, never guessed from).
  const note = tidyNote(found ? `${before} ${after}` : rest);
  const out: TaskRequest = { note };
  if (found) out.tasks = toTaskSpec(found[1]!);
  if (spec) out.spec = spec;
  if (pauseBetweenGroups !== undefined) out.pauseBetweenGroups = pauseBetweenGroups;
  return out;
}

function cut(text: string, m: RegExpExecArray): string {
  return `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`;
}

/** "1 through 5 and 7" -> "1-5,7". */
function toTaskSpec(refs: string): string {
  return refs
    .split(new RegExp(LIST, 'i'))
    .map((item) => item.trim().replace(new RegExp(`^(${ID})${RANGE}(${ID})$`, 'i'), '$1-$2'))
    .filter(Boolean)
    .join(',');
}

/** The words left, without the punctuation that joined them to the task ("3: do X" -> "do X"). */
function tidyNote(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:[:\-–—,;.]+\s*|(?:and|then|with|so\s+that)\s+)+/i, '')
    .replace(/^(?:[:\-–—,;]+\s*)/, '')
    .replace(/(^|\s)\(\s*\)/g, '$1')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/\s{2,}/g, ' ')
    .replace(/\s*[,;:]$/, '')
    .trim();
}

/** A spec of the workspace: its folder name under .kiro/specs/ and its tasks.md. */
export interface SpecEntry {
  name: string;
  file: string;
  tree: TaskTree;
}

export type Resolution =
  | { kind: 'tasks'; spec: SpecEntry; tasks: Task[]; taskSpec: string; note: string; pauseBetweenGroups?: boolean }
  /** Which spec is meant is not known: the request named none and none is in view, or its name fits several or none. */
  | { kind: 'which-spec'; message: string; candidates: SpecEntry[]; request: TaskRequest }
  /** The spec is known, the tasks are not: no reference the rules could read, or one tasks.md does not have. */
  | { kind: 'which-tasks'; message: string; spec: SpecEntry; candidates: Task[]; request: TaskRequest };

/** "user authentication", "User_Authentication" and "user-authentication" are one name. */
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * The tasks a request means, in the workspace's specs: the spec it names, else the tasks.md in view, else the only
 * spec there is. Anything else is a question back with the candidates, never a guess.
 */
export function resolveTaskRequest(request: TaskRequest, specs: readonly SpecEntry[], inView?: string): Resolution {
  let spec: SpecEntry | undefined;
  if (request.spec) {
    const want = slug(request.spec);
    const exact = specs.filter((s) => slug(s.name) === want);
    const partial = exact.length ? exact : specs.filter((s) => slug(s.name).includes(want) || want.includes(slug(s.name)));
    if (partial.length !== 1) {
      return {
        kind: 'which-spec',
        message: partial.length === 0 ? `there is no spec "${request.spec}" in .kiro/specs/` : `"${request.spec}" fits ${partial.length} specs`,
        candidates: partial.length === 0 ? [...specs] : partial,
        request,
      };
    }
    spec = partial[0];
  } else {
    spec = specs.find((s) => s.file === inView) ?? (specs.length === 1 ? specs[0] : undefined);
    if (!spec) return { kind: 'which-spec', message: specs.length === 0 ? 'there is no spec in this workspace (.kiro/specs/<feature>/tasks.md)' : 'which spec? none is open in the editor and the request names none', candidates: [...specs], request };
  }
  const open = spec!.tree.tasks.filter((t) => t.id !== null && t.status !== 'done');
  if (!request.tasks) return { kind: 'which-tasks', message: 'which task? name it by its id, a range or a list (3, 1-5, 2.1 and 2.3)', spec: spec!, candidates: open, request };
  const checked = checkTaskSpec(spec!.tree, request.tasks);
  if (checked.error) return { kind: 'which-tasks', message: `${checked.error} (${spec!.name})`, spec: spec!, candidates: open, request };
  return { kind: 'tasks', spec: spec!, tasks: checked.tasks, taskSpec: request.tasks, note: request.note, ...(request.pauseBetweenGroups !== undefined ? { pauseBetweenGroups: request.pauseBetweenGroups } : {}) };
}

/** Words that ask what a run did rather than for a new one ("what did you complete before I interrupted you?"). */
const ASKS_SUMMARY = /\b(?:what\s+(?:did|have|has)\s+(?:you|it|the\s+(?:agent|run))\s+(?:complete|completed|do|done|finish|finished|change|changed)|summary|summari[sz]e|before\s+I\s+(?:interrupted|stopped)|what\s+was\s+(?:completed|done))\b/i;
const ASKS_STATUS = /^\s*(?:status|what(?:'s|\s+is)\s+running|is\s+(?:it|a\s+run|anything)\s+running)\b/i;

/**
 * What a request without a slash command asks for: a request naming tasks runs them (even when it also says "show
 * me what was completed", which is about the pause); else a question about runs is /status or /summary; else a run,
 * which asks back which task.
 */
export function requestKind(text: string): 'run' | 'summary' | 'status' {
  if (parseTaskRequest(text).tasks) return 'run';
  if (ASKS_STATUS.test(text)) return 'status';
  if (ASKS_SUMMARY.test(text)) return 'summary';
  return 'run';
}
