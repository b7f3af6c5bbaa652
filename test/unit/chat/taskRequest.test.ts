import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTaskRequest, requestKind, resolveTaskRequest, type SpecEntry } from '../../../src/core/chat/taskRequest.js';
import { parseTasks } from '../../../src/core/spec/index.js';
import { EXAMPLE, EXAMPLE_TASKS } from '../../support/exampleRepo.js';

describe('parseTaskRequest', () => {
  it.each([
    ['Execute task 3: implement AuthService.issueToken() using jsonwebtoken with 1h expiry', { tasks: '3', note: 'implement AuthService.issueToken() using jsonwebtoken with 1h expiry' }],
    ['3 implement AuthService.issueToken() using jsonwebtoken with 1h expiry', { tasks: '3', note: 'implement AuthService.issueToken() using jsonwebtoken with 1h expiry' }],
    ['2.1', { tasks: '2.1', note: '' }],
    ['task 2.1', { tasks: '2.1', note: '' }],
    ['run tasks 1-5', { tasks: '1-5', note: '' }],
    ['tasks 1 through 5', { tasks: '1-5', note: '' }],
    ['1 to 5', { tasks: '1-5', note: '' }],
    ['1–5 keep the diff small', { tasks: '1-5', note: 'keep the diff small' }],
    ['2.1 and 2.3', { tasks: '2.1,2.3', note: '' }],
    ['2.1, 2.2 and 2.3 — use the existing helpers', { tasks: '2.1,2.2,2.3', note: 'use the existing helpers' }],
    ['2.1,2.3', { tasks: '2.1,2.3', note: '' }],
    ['execute tasks 1 through 3 and 5', { tasks: '1-3,5', note: '' }],
    ['please run task MVP-2', { tasks: 'MVP-2', note: '' }],
    ['Execute tasks 1 through 5 for the user-authentication spec. Stop after each task group and show me what was completed', { tasks: '1-5', spec: 'user-authentication', pauseBetweenGroups: true, note: '' }],
    ['run 2 for spec todo-priorities, and stop after each group', { tasks: '2', spec: 'todo-priorities', pauseBetweenGroups: true, note: '' }],
    ['run 1-3 without pausing between groups', { tasks: '1-3', pauseBetweenGroups: false, note: '' }],
    ['run 1-3 straight through', { tasks: '1-3', pauseBetweenGroups: false, note: '' }],
    ['implement the token service (task 3) with 1h expiry', { tasks: '3', note: 'implement the token service with 1h expiry' }],
    ['3: use `jsonwebtoken`', { tasks: '3', note: 'use `jsonwebtoken`' }],
    ['execute task 3. Then explain what changed', { tasks: '3', note: 'explain what changed' }],
  ])('%s', (text, expected) => {
    expect(parseTaskRequest(text)).toEqual(expected);
  });

  it('names no task when the rules cannot read one, keeping the words as the note', () => {
    expect(parseTaskRequest('add priorities to the todo list')).toEqual({ note: 'add priorities to the todo list' });
    expect(parseTaskRequest('do the next one')).toEqual({ note: 'do the next one' });
    expect(parseTaskRequest('')).toEqual({ note: '' });
  });

  it('does not read a version or a number inside the note as a task', () => {
    expect(parseTaskRequest('3 upgrade to node 20.19')).toEqual({ tasks: '3', note: 'upgrade to node 20.19' });
    expect(parseTaskRequest('2.1 retry 3 times')).toEqual({ tasks: '2.1', note: 'retry 3 times' });
  });
});

const tree = (text: string) => parseTasks(text);
const example = readFileSync(join(EXAMPLE, EXAMPLE_TASKS), 'utf8');
const auth = `# Tasks\n\n- [ ] 1. Set up AuthService\n- [ ] 2. Tokens\n  - [ ] 2.1 Issue tokens\n  - [x] 2.2 Verify tokens\n- [ ] 3. Implement AuthService.issueToken()\n`;
const specs: SpecEntry[] = [
  { name: 'todo-priorities', file: '/ws/.kiro/specs/todo-priorities/tasks.md', tree: tree(example) },
  { name: 'user-authentication', file: '/ws/.kiro/specs/user-authentication/tasks.md', tree: tree(auth) },
  { name: 'user-profile', file: '/ws/.kiro/specs/user-profile/tasks.md', tree: tree('- [ ] 1. Profile page\n') },
];

describe('resolveTaskRequest', () => {
  it('takes the tasks.md in view when the request names no spec, with the note and the pause', () => {
    const r = resolveTaskRequest(parseTaskRequest('run 2.1 and 2.2, stop after each task group. Keep the API'), specs, specs[0]!.file);
    expect(r.kind).toBe('tasks');
    if (r.kind !== 'tasks') return;
    expect(r.spec.name).toBe('todo-priorities');
    expect(r.tasks.map((t) => t.id)).toEqual(['2.1', '2.2']);
    expect(r.note).toBe('Keep the API');
    expect(r.pauseBetweenGroups).toBe(true);
  });

  it('takes the spec the request names over the one in view, by its folder name written loosely', () => {
    for (const name of ['user-authentication', 'User Authentication', 'user_authentication', 'authentication']) {
      const r = resolveTaskRequest(parseTaskRequest(`execute task 3 for the ${name} spec`), specs, specs[0]!.file);
      expect(r.kind, name).toBe('tasks');
      if (r.kind === 'tasks') expect([r.spec.name, r.tasks.map((t) => t.id)]).toEqual(['user-authentication', ['3']]);
    }
  });

  it('asks which spec, with the candidates, when a name fits several or none, or nothing says which', () => {
    const several = resolveTaskRequest(parseTaskRequest('run 1 for the user spec'), specs);
    expect(several).toMatchObject({ kind: 'which-spec', message: '"user" fits 2 specs' });
    if (several.kind === 'which-spec') expect(several.candidates.map((s) => s.name)).toEqual(['user-authentication', 'user-profile']);
    const none = resolveTaskRequest(parseTaskRequest('run 1 for the billing spec'), specs);
    expect(none).toMatchObject({ kind: 'which-spec', message: 'there is no spec "billing" in .kiro/specs/' });
    if (none.kind === 'which-spec') expect(none.candidates).toHaveLength(3);
    expect(resolveTaskRequest(parseTaskRequest('run 1'), specs)).toMatchObject({ kind: 'which-spec', message: 'which spec? none is open in the editor and the request names none' });
    expect(resolveTaskRequest(parseTaskRequest('run 1'), [])).toMatchObject({ kind: 'which-spec', candidates: [] });
  });

  it('takes the only spec of the workspace when none is in view', () => {
    expect(resolveTaskRequest(parseTaskRequest('run 1'), [specs[2]!])).toMatchObject({ kind: 'tasks', spec: { name: 'user-profile' } });
  });

  it('asks which task, listing the open ones, for an unknown id, a done task or no id at all', () => {
    const unknown = resolveTaskRequest(parseTaskRequest('run 9'), specs, specs[1]!.file);
    expect(unknown).toMatchObject({ kind: 'which-tasks', message: 'there is no task 9 in tasks.md (user-authentication)' });
    if (unknown.kind === 'which-tasks') expect(unknown.candidates.map((t) => t.id)).toEqual(['1', '2', '2.1', '3']);
    expect(resolveTaskRequest(parseTaskRequest('run 2.2'), specs, specs[1]!.file)).toMatchObject({ kind: 'which-tasks', message: 'task 2.2 is done already; nothing to run (user-authentication)' });
    expect(resolveTaskRequest(parseTaskRequest('run 5-1'), specs, specs[1]!.file)).toMatchObject({ kind: 'which-tasks', message: 'the range 5-1: there is no task 5 in tasks.md (user-authentication)' });
    expect(resolveTaskRequest(parseTaskRequest('run 3-1'), specs, specs[1]!.file)).toMatchObject({ kind: 'which-tasks', message: 'the range 3-1 goes backwards; write 1-3 (user-authentication)' });
    expect(resolveTaskRequest(parseTaskRequest('add the profile page'), specs, specs[1]!.file)).toMatchObject({ kind: 'which-tasks', message: 'which task? name it by its id, a range or a list (3, 1-5, 2.1 and 2.3)' });
  });

  it('runs a parent as its open sub-tasks then itself, as the quick pick does', () => {
    const r = resolveTaskRequest(parseTaskRequest('execute task 2'), specs, specs[1]!.file);
    expect(r.kind === 'tasks' && r.tasks.map((t) => t.id)).toEqual(['2.1', '2']);
  });
});

describe('requestKind (a request without a slash command)', () => {
  it.each([
    ['What did you complete before I interrupted you?', 'summary'],
    ['what was done?', 'summary'],
    ['summary please', 'summary'],
    ['status', 'status'],
    ["what's running", 'status'],
    ['Execute tasks 1 through 5. Stop after each task group and show me what was completed', 'run'],
    ['execute task 3: summarise the design in the README', 'run'],
    ['add the profile page', 'run'],
  ])('%s -> %s', (text, kind) => {
    expect(requestKind(text)).toBe(kind);
  });
});
