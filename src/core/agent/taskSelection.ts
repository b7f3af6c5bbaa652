import type { Task, TaskTree } from '../spec/index.js';

/**
 * `1-5`, `2,3.1`, `2.1`: the tasks to run, in file order. A parent runs as its open sub-tasks, in order
 * (optional ones only when named), followed by the parent itself to tick it; a done task is skipped.
 */
export function selectTasks(tree: TaskTree, spec: string): { tasks: Task[]; errors: string[] } {
  const errors: string[] = [];
  const picked = new Set<number>();
  const byId = (id: string) => tree.tasks.find((t) => t.id === id);
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const range = /^([^-\s]+)\s*-\s*([^-\s]+)$/.exec(part);
    if (range && byId(range[1]!) && byId(range[2]!)) {
      const from = byId(range[1]!)!;
      const to = byId(range[2]!)!;
      for (const t of tree.tasks) if (t.index >= from.index && t.index <= to.index && t.depth <= Math.min(from.depth, to.depth)) picked.add(t.index);
      continue;
    }
    const t = byId(part);
    if (!t) errors.push(`no task "${part}" in tasks.md`);
    else picked.add(t.index);
  }
  const order: Task[] = [];
  const add = (t: Task, named: boolean) => {
    if (order.includes(t)) return;
    const children = t.children.map((i) => tree.tasks[i]!).filter((c) => named || !c.optional || picked.has(c.index));
    for (const c of children) add(c, picked.has(c.index));
    if (t.status !== 'done' && (named || !t.optional)) order.push(t);
  };
  for (const i of [...picked].sort((a, b) => a - b)) add(tree.tasks[i]!, true);
  return { tasks: order, errors };
}

/**
 * Checks what a user typed to pick tasks (`1-3`, `2.1, 2.3`) against tasks.md, with a message that says what is
 * wrong and how to write it: the tasks it runs (as selectTasks gives them), or an error.
 */
export function checkTaskSpec(tree: TaskTree, spec: string): { tasks: Task[]; error?: string } {
  const parts = spec.split(',').map((s) => s.trim());
  if (parts.every((p) => p === '')) return { tasks: [], error: 'type task ids: a range like 1-3 or a list like 2.1, 2.3' };
  if (parts.some((p) => p === '')) return { tasks: [], error: `"${spec.trim()}" has an empty item; separate task ids with single commas, like 2.1, 2.3` };
  const byId = (id: string) => tree.tasks.find((t) => t.id === id);
  for (const part of parts) {
    if (byId(part)) continue;
    const range = /^([^-\s]+)\s*-\s*([^-\s]+)$/.exec(part);
    if (!range) return { tasks: [], error: /\s/.test(part) ? `"${part}": separate task ids with commas, like 2.1, 2.3` : `there is no task ${part} in tasks.md` };
    const [from, to] = [byId(range[1]!), byId(range[2]!)];
    const missing = [from ? undefined : range[1], to ? undefined : range[2]].filter(Boolean);
    if (missing.length) return { tasks: [], error: `the range ${part}: there is no task ${missing.join(' or ')} in tasks.md` };
    if (from!.index > to!.index) return { tasks: [], error: `the range ${part} goes backwards; write ${range[2]}-${range[1]}` };
  }
  const { tasks, errors } = selectTasks(tree, spec);
  if (errors.length) return { tasks: [], error: errors.join('; ') };
  if (tasks.length === 0) return { tasks: [], error: `${parts.length > 1 || parts[0]!.includes('-') ? 'those tasks are' : `task ${parts[0]} is`} done already; nothing to run` };
  return { tasks };
}
