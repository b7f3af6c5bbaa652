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
