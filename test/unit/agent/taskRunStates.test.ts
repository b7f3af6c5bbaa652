import { describe, expect, it } from 'vitest';
import { TASK_RUN_LABELS, taskRunStates, type RunView } from '../../../src/core/agent/taskRunStates.js';
import { parseTasks } from '../../../src/core/spec/index.js';

const tree = parseTasks(['# Tasks', '', '- [x] 1. Done before', '- [ ] 2. Group', '  - [x] 2.1 Done part', '  - [ ] 2.2 Open part', '  - [ ] 2.3 Last part', '- [ ] 3. Next', '- [ ] Un-numbered', ''].join('\n'));
const shown = (states: ReturnType<typeof taskRunStates>) => states.map(({ task, state }) => `${task.range.start.line}:${task.id ?? task.title}:${TASK_RUN_LABELS[state]}`);
const run = (over: Partial<RunView>): RunView => ({ taskIds: ['2', '3'], current: '2.2', waiting: false, stoppingAfterTask: false, ...over });

describe('taskRunStates: the run state each task line shows', () => {
  it('during a run: its current task runs, its other open tasks (sub-tasks of a task asked for included) are queued; done tasks and the running sub-task\u2019s parent show nothing', () => {
    expect(shown(taskRunStates(tree, run({}), undefined))).toEqual(['6:2.2:● Running', '7:2.3:Queued', '8:3:Queued']);
  });

  it('a question of the gate waiting, or Stop after this task asked: the current task says so', () => {
    expect(shown(taskRunStates(tree, run({ waiting: true }), undefined))[0]).toBe('6:2.2:● Waiting for approval');
    expect(shown(taskRunStates(tree, run({ stoppingAfterTask: true }), undefined))[0]).toBe('6:2.2:● Running · stops after this task');
  });

  it('before the first task has started, every task of the run is queued; an un-numbered task is found by its title', () => {
    expect(shown(taskRunStates(tree, { taskIds: ['3', 'Un-numbered'], waiting: false, stoppingAfterTask: false }, undefined))).toEqual(['8:3:Queued', '9:Un-numbered:Queued']);
    expect(shown(taskRunStates(tree, { taskIds: ['Un-numbered'], current: 'Un-numbered', waiting: false, stoppingAfterTask: false }, undefined))).toEqual(['9:Un-numbered:● Running']);
  });

  it('after a run that stopped, paused or failed: the task it was on says so; a task ticked since, or no such end, shows nothing', () => {
    expect(shown(taskRunStates(tree, undefined, { taskId: '2.2', state: 'stopped' }))).toEqual(['6:2.2:■ Stopped']);
    expect(shown(taskRunStates(tree, undefined, { taskId: '3', state: 'paused' }))).toEqual(['8:3:⏸ Paused']);
    expect(shown(taskRunStates(tree, undefined, { taskId: '3', state: 'failed' }))).toEqual(['8:3:✖ Failed']);
    expect(taskRunStates(tree, undefined, { taskId: '2.1', state: 'stopped' })).toEqual([]);
    expect(taskRunStates(tree, undefined, undefined)).toEqual([]);
  });

  it('a run under way wins over how the last one ended', () => {
    expect(shown(taskRunStates(tree, run({ taskIds: ['3'], current: '3' }), { taskId: '2.2', state: 'stopped' }))).toEqual(['8:3:● Running']);
  });
});
