import { describe, expect, it } from 'vitest';
import { lineDiffStats } from '../../../src/core/tools/lineDiff.js';

describe('lineDiffStats', () => {
  it('counts lines as a diffstat does', () => {
    expect(lineDiffStats('a\nb\nc\n', 'a\nb\nc\n')).toEqual({ added: 0, removed: 0 });
    expect(lineDiffStats('a\nb\nc\n', 'a\nB\nc\n')).toEqual({ added: 1, removed: 1 });
    expect(lineDiffStats('a\nb\nc\n', 'a\nc\n')).toEqual({ added: 0, removed: 1 });
    expect(lineDiffStats('a\nc\n', 'x\na\nb\nc\ny\n')).toEqual({ added: 3, removed: 0 });
    expect(lineDiffStats('a\nb\nc\nd\n', 'b\na\nd\nc\n')).toEqual({ added: 2, removed: 2 });
    expect(lineDiffStats('', 'a\n')).toEqual({ added: 1, removed: 0 });
  });

  it('gives up, rather than taking long, on big texts that differ everywhere', () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 20_000 }, (_, i) => `b${i}`).join('\n');
    const started = performance.now();
    expect(lineDiffStats(a, b)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(lineDiffStats(a, `${a}\nextra`)).toEqual({ added: 1, removed: 0 });
  });
});
