import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specFiles } from '../../../src/core/agent/prompt.js';
import { readSteering } from '../../../src/core/agent/steeringFiles.js';
import { KEY_TEXT, leakyRepo } from '../../support/leakyRepo.js';

// What the prompt quotes goes to the model provider like a read_file result: the read rules hold for it too.
let repo: ReturnType<typeof leakyRepo>;
beforeAll(() => {
  repo = leakyRepo();
  symlinkSync(join(repo.home, '.ssh/id_rsa'), join(repo.root, '.kiro/steering/notes.md'));
  symlinkSync('../../.env', join(repo.root, '.kiro/steering/env.md'));
  const spec = join(repo.root, '.kiro/specs/f');
  mkdirSync(spec, { recursive: true });
  writeFileSync(join(spec, 'tasks.md'), '- [ ] 1 Do it\n');
  writeFileSync(join(spec, 'requirements.md'), '# Requirements\n');
  symlinkSync(join(repo.home, '.ssh/id_rsa'), join(spec, 'design.md'));
});
afterAll(() => rmSync(repo.base, { recursive: true, force: true }));

describe('files quoted in the prompt', () => {
  it('steering through a link out of the workspace or to a secret is left out', async () => {
    const docs = await readSteering(repo.root, null);
    expect(docs.map((d) => d.file)).toEqual(['.kiro/steering/x.md']);
    expect(JSON.stringify(docs)).not.toContain(KEY_TEXT);
  });

  it("a spec document linked out of the spec's folder is left out", async () => {
    expect(await specFiles(join(repo.root, '.kiro/specs/f/tasks.md'))).toEqual({ requirements: '# Requirements\n', requirementsFile: 'requirements.md', design: undefined });
  });
});
