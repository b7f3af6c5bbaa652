import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FILE_REF_MAX_BYTES } from '../../../src/core/agent/fileReferences.js';
import { taskPrompt } from '../../../src/core/agent/prompt.js';
import { readSteering } from '../../../src/core/agent/steeringFiles.js';
import { TaskSteering, type SteeringIncluded } from '../../../src/core/agent/taskSteering.js';
import { parseTasks } from '../../../src/core/spec/index.js';

/**
 * The prompt a task starts with, for steering files as Kiro writes them: each inclusion mode, a BOM, CRLF, a list
 * of patterns, an unknown mode, global steering, `#[[file:…]]` references. Real files in a temp workspace and a
 * temp "home"; the snapshots are of the steering part of the prompt the model receives.
 */
let base: string;
afterEach(() => rmSync(base, { recursive: true, force: true }));

function setup(files: Record<string, string>): { ws: string; global: string } {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'spec-agent-steering-')));
  const ws = join(base, 'ws');
  const global = join(base, 'home/.kiro/steering');
  mkdirSync(join(ws, '.kiro/steering'), { recursive: true });
  mkdirSync(global, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    const abs = path.startsWith('~/') ? join(base, 'home', path.slice(2)) : join(ws, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
  return { ws, global };
}

async function prompt(ws: string, global: string, tasksMd: string): Promise<{ steering: string; included: SteeringIncluded[] }> {
  const tree = parseTasks(tasksMd);
  const task = tree.tasks[0]!;
  const included: SteeringIncluded[] = [];
  const steering = await new TaskSteering(await readSteering(ws, global), ws, (e) => included.push(e)).start([task.title, ...task.details]);
  const text = taskPrompt({ workspace: ws, tasksFile: join(ws, '.kiro/specs/f/tasks.md'), tree, task, requirements: undefined, design: undefined, steering: steering.quoted, steeringOnRequest: steering.onRequest, workspaceFiles: [], verifyCommands: [] });
  // The steering sections alone: from the first "## Steering" heading to the plan.
  const from = text.indexOf('## Steering');
  return { steering: from === -1 ? '' : text.slice(from, text.indexOf('## Plan')).trim(), included };
}

const MODES = {
  '.kiro/steering/always.md': '---\ninclusion: always\n---\n# Always\nuse tabs\n',
  '.kiro/steering/plain.md': '# No front matter\nis always\n',
  '.kiro/steering/bom-manual.md': '\uFEFF---\ninclusion: manual\n---\n# Release steps\nbump the version\n',
  '.kiro/steering/crlf-ts.md': '---\r\ninclusion: fileMatch\r\nfileMatchPattern: "src/**/*.ts"\r\n---\r\n# TypeScript\r\nstrict mode\r\n',
  '.kiro/steering/list-sql.md': '---\ninclusion: fileMatch\nfileMatchPattern: ["*.sql", "migrations/**"]\n---\n# SQL\nsnake_case\n',
  '.kiro/steering/api.md': '---\ninclusion: auto\nname: api-design\ndescription: REST conventions; use when adding endpoints\n---\n# API\nplural nouns\n',
  '.kiro/steering/odd.md': '---\ninclusion: sometimes\n---\n# Odd\nnever quoted\n',
};

describe('the steering part of a task prompt', () => {
  it('a task naming no file and no steering: always files, auto listed; manual, fileMatch and unknown left out', async () => {
    const { ws, global } = setup(MODES);
    const r = await prompt(ws, global, '- [ ] 1 Add a feature\n');
    expect(r.steering).toMatchInlineSnapshot(`
      "## Steering (.kiro/steering/always.md)
      # Always
      use tabs

      ## Steering (.kiro/steering/plain.md)
      # No front matter
      is always

      ## Steering on request
      Read one of these with read_file on its path when its description fits the work:
      - api-design (.kiro/steering/api.md): REST conventions; use when adding endpoints"
    `);
    expect(r.included.map((e) => `${e.name}: ${e.reason}`)).toEqual(['always: always', 'plain: always']);
  });

  it('a task naming files matched by a CRLF pattern and by a list, and referencing #bom-manual', async () => {
    const { ws, global } = setup(MODES);
    const r = await prompt(ws, global, '- [ ] 1 Store items\n  - Edit `src/store/items.ts` and add `migrations/002_items.sql`\n  - Follow #bom-manual when done\n');
    expect(r.steering).toMatchInlineSnapshot(`
      "## Steering (.kiro/steering/always.md)
      # Always
      use tabs

      ## Steering (.kiro/steering/bom-manual.md)
      # Release steps
      bump the version

      ## Steering (.kiro/steering/crlf-ts.md)
      # TypeScript
      strict mode

      ## Steering (.kiro/steering/list-sql.md)
      # SQL
      snake_case

      ## Steering (.kiro/steering/plain.md)
      # No front matter
      is always

      ## Steering on request
      Read one of these with read_file on its path when its description fits the work:
      - api-design (.kiro/steering/api.md): REST conventions; use when adding endpoints"
    `);
    expect(r.steering).not.toContain('inclusion:');
    expect(r.steering).not.toContain('never quoted');
    expect(r.included.map((e) => e.reason)).toEqual([
      'always',
      'manual: the task references #bom-manual',
      'fileMatch: the task names src/store/items.ts (src/**/*.ts)',
      'fileMatch: the task names migrations/002_items.sql (*.sql)',
      'always',
    ]);
  });

  it('global steering is read; the workspace file wins a name clash', async () => {
    const { ws, global } = setup({
      '~/.kiro/steering/personal.md': '# Mine\nexplain before editing\n',
      '~/.kiro/steering/style.md': '# Global style\nspaces\n',
      '.kiro/steering/style.md': '# Project style\ntabs\n',
      '~/.kiro/steering/review.md': '---\ninclusion: auto\ndescription: how I like reviews\n---\nbe terse\n',
    });
    const r = await prompt(ws, global, '- [ ] 1 Do it\n');
    expect(r.steering).toMatchInlineSnapshot(`
      "## Steering (~/.kiro/steering/personal.md)
      # Mine
      explain before editing

      ## Steering (.kiro/steering/style.md)
      # Project style
      tabs

      ## Steering on request
      Read one of these with read_file on its path when its description fits the work:
      - review (~/.kiro/steering/review.md): how I like reviews"
    `);
  });

  it('#[[file:…]] references: quoted (bounded), a missing file said, outside / link out / secret refused', async () => {
    const { ws, global } = setup({
      'api/openapi.yaml': 'openapi: 3.0.0\n',
      'big.txt': 'x'.repeat(FILE_REF_MAX_BYTES + 10),
      '.env': 'TOKEN=hunter2\n',
      '~/private.md': 'PRIVATE-OUTSIDE\n',
      '.kiro/steering/refs.md': [
        '# API',
        'Follow #[[file:api/openapi.yaml]]',
        'See #[[file:missing.md]]',
        'And #[[file:../home/private.md]]',
        'And #[[file:linked.md]]',
        'And #[[file:.env]]',
        'And #[[file:big.txt]]',
      ].join('\n'),
    });
    symlinkSync(join(base, 'home/private.md'), join(ws, 'linked.md'));
    const r = await prompt(ws, global, '- [ ] 1 Do it\n');
    const shown = r.steering.replace(/x{100,}/, (m) => `<${m.length} x>`).replaceAll(base, '<base>');
    expect(shown).toMatchInlineSnapshot(`
      "## Steering (.kiro/steering/refs.md)
      # API
      Follow #[[file:api/openapi.yaml]]
      \`\`\`
      openapi: 3.0.0
      \`\`\`

      See #[[file:missing.md]] (missing.md: no such file in the workspace)
      And #[[file:../home/private.md]] (../home/private.md: not included, is outside the workspace)
      And #[[file:linked.md]] (linked.md: not included, it leads outside the workspace through a symbolic link)
      And #[[file:.env]] (.env: not included, it is a .env* file, which holds secrets)
      And #[[file:big.txt]]
      \`\`\`
      <32768 x>
      \`\`\`
      [cut: the first 32768 of 32778 bytes of big.txt are quoted (32 KB per reference)]"
    `);
    expect(r.steering).not.toContain('PRIVATE-OUTSIDE');
    expect(r.steering).not.toContain('hunter2');
  });

  it('resumed: a fileMatch file the earlier run already added to a tool result is not added again', async () => {
    const { ws, global } = setup({ '.kiro/steering/js.md': '---\ninclusion: fileMatch\nfileMatchPattern: "*.js"\n---\nJS\n', 'a.js': '', 'b.js': '' });
    const docs = await readSteering(ws, global);
    const included: SteeringIncluded[] = [];
    const first = new TaskSteering(docs, ws, (e) => included.push(e));
    const note = await first.touched(['a.js'], 'read');
    expect(note).toBe('[steering] .kiro/steering/js.md now applies (fileMatchPattern "*.js" matched a.js):\nJS');
    expect(await first.touched(['b.js'], 'edit')).toBeUndefined();
    const resumed = new TaskSteering(docs, ws, (e) => included.push(e), [{ role: 'tool', toolCallId: 'c1', tool: 'read_file', content: `contents\n\n${note}` }]);
    expect(await resumed.touched(['b.js'], 'edit')).toBeUndefined();
    expect(included).toHaveLength(1);
  });
});
