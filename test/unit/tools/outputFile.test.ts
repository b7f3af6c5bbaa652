import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputFile } from '../../../src/core/tools/outputFile.js';
import { workspace } from './workspace.js';

describe('OutputFile', () => {
  it('stops at its limit and says how much more there was; numbers files in turn; a file is empty until it is complete', async () => {
    const { root } = await workspace();
    const dir = join(root, '.kiro/runs/r/outputs');
    const a = OutputFile.create(root, 'r', { limit: 10 })!;
    const b = OutputFile.create(root, 'r', { limit: 10 })!;
    expect([a.relativePath, b.relativePath]).toEqual(['.kiro/runs/r/outputs/1.log', '.kiro/runs/r/outputs/2.log']);
    a.add(Buffer.from('0123456'));
    a.add(Buffer.from('789abcdef'));
    expect(readFileSync(join(dir, '1.log'), 'utf8')).toBe('');
    expect(await a.close(true)).toBe(true);
    expect(readFileSync(join(dir, '1.log'), 'utf8')).toBe('0123456789\n[spec-agent: the output went on for 6 more bytes, past the 10 bytes kept per command]\n');
    expect(await b.close(false)).toBe(false);
    expect(readdirSync(dir)).toEqual(['1.log']);
  });

  it('is not made where the run folder cannot be written (the command runs without it)', async () => {
    const { root } = await workspace({ '.kiro': 'a file, not a folder' });
    expect(OutputFile.create(root, 'r')).toBeUndefined();
  });
});
