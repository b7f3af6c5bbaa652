import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { editFileTool } from '../../../src/core/tools/editFile.js';
import type { Edit } from '../../../src/core/tools/editMatch.js';
import { proposedDiff } from '../../../src/core/tools/proposedDiff.js';
import { workspace } from './workspace.js';

interface Case {
  name: string;
  path: string;
  file: string;
  edits: Edit[];
  expect: { result: string } | { refused: string };
}

const corpus = JSON.parse(readFileSync(join(__dirname, '../../fixtures/edits/near-miss.json'), 'utf8')) as { cases: Case[] };

describe('edit_file on the near-miss corpus (test/fixtures/edits/near-miss.json)', () => {
  it('holds at least 30 cases, refusals among them', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(30);
    expect(corpus.cases.filter((c) => 'refused' in c.expect).length).toBeGreaterThanOrEqual(5);
  });

  for (const c of corpus.cases) {
    it(c.name, async () => {
      const { root, ctx } = await workspace({ [c.path]: c.file });
      // The approval card's diff, taken before the edit: it must be the change the edit then writes.
      const diff = await proposedDiff(root, 'edit_file', { path: c.path, edits: c.edits });
      const r = await editFileTool.run({ path: c.path, edits: c.edits }, ctx);
      const after = await readFile(join(root, c.path), 'utf8');
      if ('result' in c.expect) {
        expect(r.output.split('\n')[0]).toMatch(/^edited /);
        expect(r.ok).toBe(true);
        expect(after).toBe(c.expect.result);
        expect(applyPatch(c.file, diff!)).toBe(c.expect.result);
      } else {
        expect(r.ok).toBe(false);
        expect(r.output).toContain(c.expect.refused);
        expect(r.output).toContain('Nothing was changed.');
        expect(after).toBe(c.file);
        expect(diff).toMatch(/^# the edit will fail: /);
      }
    });
  }
});
