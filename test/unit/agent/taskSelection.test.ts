import { describe, expect, it } from 'vitest';
import { checkTaskSpec } from '../../../src/core/agent/taskSelection.js';
import { parseTasks } from '../../../src/core/spec/index.js';

const tree = parseTasks('# Tasks\n\n- [x] 1. Set up\n- [ ] 2. Priorities\n  - [ ] 2.1 Store\n  - [ ] 2.2 List\n  - [ ]* 2.3 Tests\n- [ ] 3. Docs\n- [ ] MVP-4 Ship\n');
const ids = (spec: string) => checkTaskSpec(tree, spec).tasks.map((t) => t.id);

describe('checkTaskSpec: what the user typed in Run tasks…', () => {
  it('accepts ranges and lists, with the tasks selectTasks runs', () => {
    expect(ids('2-3')).toEqual(['2.1', '2.2', '2', '3']);
    expect(ids('2.1, 2.3')).toEqual(['2.1', '2.3']);
    expect(ids('1-3')).toEqual(['2.1', '2.2', '2', '3']);
    expect(ids('MVP-4')).toEqual(['MVP-4']);
    expect(checkTaskSpec(tree, '2.1,2.2').error).toBeUndefined();
  });

  it('says what is wrong, and how to write it', () => {
    expect(checkTaskSpec(tree, '').error).toBe('type task ids: a range like 1-3 or a list like 2.1, 2.3');
    expect(checkTaskSpec(tree, '9').error).toBe('there is no task 9 in tasks.md');
    expect(checkTaskSpec(tree, '1-9').error).toBe('the range 1-9: there is no task 9 in tasks.md');
    expect(checkTaskSpec(tree, '3-2').error).toBe('the range 3-2 goes backwards; write 2-3');
    expect(checkTaskSpec(tree, '2.1 2.2').error).toBe('"2.1 2.2": separate task ids with commas, like 2.1, 2.3');
    expect(checkTaskSpec(tree, '2.1,,2.2').error).toMatch(/has an empty item/);
    expect(checkTaskSpec(tree, '1').error).toBe('task 1 is done already; nothing to run');
    expect(checkTaskSpec(tree, '1').tasks).toEqual([]);
  });
});
