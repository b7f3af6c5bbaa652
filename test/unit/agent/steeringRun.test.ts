import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Executor } from '../../../src/core/agent/executor.js';
import { selectTasks } from '../../../src/core/agent/taskSelection.js';
import { OpenAICompatibleModel } from '../../../src/core/models/openaiModel.js';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import { realFileSystem } from '../../../src/core/policy/paths.js';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { Journal } from '../../../src/core/runs/journal.js';
import { agentSettingsSchema } from '../../../src/core/settings/schema.js';
import { loadTasks } from '../../../src/core/spec/index.js';
import { EXAMPLE_TASKS, exampleRepo } from '../../support/exampleRepo.js';
import { bodies, closeServer, serve, type Body } from '../../support/wireServer.js';

/**
 * A real run whose model is a local HTTP server speaking OpenAI's chat-completions protocol: what steering the
 * model receives is read from the requests the server got, as in the issue.
 */
async function runOverWire(ws: string, globalDir: string, calls: Array<[string, unknown]>) {
  const turns = [...calls, ['complete_task', { summary: 'done' }] as [string, unknown]];
  const base = await serve((_body, n) => {
    const [name, args] = turns[Math.min(n, turns.length) - 1]!;
    return { call: { name, args } };
  });
  try {
    const model = new OpenAICompatibleModel({ id: 'vllm:m', model: 'm', baseURL: base, maxRetries: 0 });
    const settings = agentSettingsSchema.parse({ autonomyLevel: 'full', verifyCommands: [] });
    const spec = await loadTasks(join(ws, EXAMPLE_TASKS));
    const journal = Journal.open(ws, `run-steering-${Math.random().toString(16).slice(2, 8)}`);
    const events: RunEvent[] = [];
    journal.onEvent((e) => events.push(e));
    const executor = new Executor({ workspace: ws, tasksFile: join(ws, EXAMPLE_TASKS), tasks: selectTasks(spec.tree, '2.2').tasks, model, gate: await PolicyGate.create(), settings: () => settings, context: { workspaceRoot: ws, home: '/nonexistent-home' }, fsView: realFileSystem, journal, signal: new AbortController().signal, globalSteeringDir: globalDir });
    const outcome = await executor.run();
    journal.close();
    return { outcome, bodies: [...bodies], events };
  } finally {
    await closeServer();
  }
}

const toolResults = (body: Body) => body.messages.filter((m) => m.role === 'tool').map((m) => m.content ?? '');

describe('steering during a run', () => {
  it('fileMatch steering joins once when the agent reads or edits a matching file; auto steering is read by its listed path', async () => {
    const ws = await exampleRepo('steering');
    const globalDir = join(realpathSync(await mkdtemp(join(tmpdir(), 'spec-agent-home-'))), '.kiro/steering');
    mkdirSync(globalDir, { recursive: true });
    writeFileSync(join(ws, '.kiro/steering/js.md'), '---\ninclusion: fileMatch\nfileMatchPattern: ["src/**/*.js", "lib/**"]\n---\n# JS rules\nno semicolons #[[file:package.json]]\n');
    writeFileSync(join(ws, '.kiro/steering/tests.md'), '---\ninclusion: fileMatch\nfileMatchPattern: "test/**"\n---\n# Test rules\none assert per test\n');
    writeFileSync(join(ws, '.kiro/steering/never.md'), '---\ninclusion: fileMatch\nfileMatchPattern: "docs/**"\n---\nNEVER-SHOWN\n');
    writeFileSync(join(globalDir, 'review.md'), '---\ninclusion: auto\ndescription: how I like changes explained\n---\nGLOBAL-REVIEW-RULES\n');

    const r = await runOverWire(ws, globalDir, [
      ['read_file', { path: 'src/todo.js' }],
      ['read_file', { path: 'src/todo.js' }],
      ['write_file', { path: 'test/extra.test.js', content: "'use strict';\n" }],
      ['read_file', { path: '~/.kiro/steering/review.md' }],
    ]);
    expect(r.outcome.state).toBe('completed');

    const first = r.bodies[0]!.messages.find((m) => m.role === 'user')!.content!;
    expect(first).toContain('## Steering (.kiro/steering/conventions.md)');
    expect(first).toContain('- review (~/.kiro/steering/review.md): how I like changes explained');
    expect(first).not.toContain('# JS rules');
    expect(first).not.toContain('GLOBAL-REVIEW-RULES');

    const results = toolResults(r.bodies.at(-1)!);
    expect(results).toHaveLength(4);
    expect(results[0]).toMatch(/\n\n\[steering\] \.kiro\/steering\/js\.md now applies \(fileMatchPattern "src\/\*\*\/\*\.js" matched src\/todo\.js\):\n# JS rules\nno semicolons #\[\[file:package\.json\]\]\n```\n\{/);
    expect(results[1]).not.toContain('[steering]');
    expect(results[2]).toContain('[steering] .kiro/steering/tests.md now applies (fileMatchPattern "test/**" matched test/extra.test.js):\n# Test rules');
    expect(results[3]).toBe('~/.kiro/steering/review.md (how I like changes explained):\nGLOBAL-REVIEW-RULES');
    expect(JSON.stringify(r.bodies)).not.toContain('NEVER-SHOWN');

    const included = r.events.filter((e) => e.type === 'steering.included').map((e) => `${e.name}: ${e.reason}`);
    expect(included).toEqual([
      'conventions: always',
      'js: fileMatch: the agent read src/todo.js (src/**/*.js)',
      'tests: fileMatch: the agent edited test/extra.test.js (test/**)',
      'review: auto: the agent asked for it',
    ]);
  });

  it("#[[file:…]] in the task's own lines and in design.md are quoted in the first prompt", async () => {
    const ws = await exampleRepo('steering-refs');
    const tasks = join(ws, EXAMPLE_TASKS);
    writeFileSync(tasks, readFileSync(tasks, 'utf8').replace('  - Sort `open()` by priority', '  - Order as in #[[file:docs/order.md]]\n  - Sort `open()` by priority'));
    mkdirSync(join(ws, 'docs'));
    writeFileSync(join(ws, 'docs/order.md'), 'ORDER: high, normal, low\n');
    writeFileSync(join(ws, '.kiro/specs/todo-priorities/design.md'), '# Design\nSee #[[file:docs/gone.md]] and #[[file:package.json]]\n');
    const r = await runOverWire(ws, join(ws, 'no-global'), []);
    expect(r.outcome.state).toBe('completed');
    const first = r.bodies[0]!.messages.find((m) => m.role === 'user')!.content!;
    expect(first).toContain('- Order as in #[[file:docs/order.md]]\n```\nORDER: high, normal, low\n```');
    expect(first).toContain('See #[[file:docs/gone.md]] (docs/gone.md: no such file in the workspace) and #[[file:package.json]]\n```\n{');
  });
});
