import { describe, expect, it } from 'vitest';
import { taskRunStates } from '../../../src/core/agent/taskRunStates.js';
import { runTaskName, tasksOfRun } from '../../../src/core/agent/tasksOfRun.js';
import { parseTasks } from '../../../src/core/spec/index.js';

const tree = parseTasks(
  [
    '# Tasks',
    '',
    '- [ ] 1. Numbered',
    '  - [x] 1.1 Done part',
    '  - [ ] 1.2 Open part',
    '- [ ] Set up the database',
    '  - [ ] Write the migration',
    '  - [x] Seed it',
    '- [ ] Un-numbered alone',
    '- [ ] 2. Not in the run',
    '',
  ].join('\n'),
);
const lines = (tasks: Array<{ range: { start: { line: number } } }>) => tasks.map((t) => t.range.start.line);

describe('tasksOfRun: which tasks of tasks.md belong to a run (the lenses and the run-state decorations)', () => {
  it('names a task by its id, an un-numbered one by its title', () => {
    expect(tree.tasks.map(runTaskName)).toEqual(['1', '1.1', '1.2', 'Set up the database', 'Write the migration', 'Seed it', 'Un-numbered alone', '2']);
  });

  it('an un-numbered task asked for is in the run, and so are the open sub-tasks of an un-numbered parent; done ones and others are not', () => {
    expect(tasksOfRun(tree, ['Set up the database', 'Un-numbered alone']).map(runTaskName)).toEqual(['Set up the database', 'Write the migration', 'Un-numbered alone']);
    expect(tasksOfRun(tree, ['1']).map(runTaskName)).toEqual(['1', '1.2']);
    expect(tasksOfRun(tree, [])).toEqual([]);
  });

  it('the run-state decorations mark the same tasks (the parent of the running sub-task aside, whose sub-task says where the run is)', () => {
    const taskIds = ['Write the migration', 'Set up the database', 'Un-numbered alone'];
    const queued = taskRunStates(tree, { taskIds, waiting: false, stoppingAfterTask: false }, undefined);
    expect(lines(queued.map((s) => s.task))).toEqual(lines(tasksOfRun(tree, taskIds)));
    const running = taskRunStates(tree, { taskIds, current: 'Write the migration', waiting: false, stoppingAfterTask: false }, undefined);
    expect(running.map(({ task, state }) => `${runTaskName(task)}:${state}`)).toEqual(['Write the migration:running', 'Un-numbered alone:queued']);
  });
});
