import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { nounFor, plural } from '../../../src/core/text/plural.js';

const SRC = resolve(__dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The text of every string and template literal of a file (what a message can say; comments and code are not). */
function literals(file: string): Array<{ line: number; text: string }> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Array<{ line: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      out.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

describe('plural', () => {
  it('says one in the singular, zero and many in the plural, with an irregular plural when given', () => {
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(0, 'file')).toBe('0 files');
    expect(plural(3, 'file')).toBe('3 files');
    expect(plural(1, 'process', 'processes')).toBe('1 process');
    expect(plural(2, 'process', 'processes')).toBe('2 processes');
    expect(plural(2, 'large file')).toBe('2 large files');
    expect(nounFor(1, 'file')).toBe('file');
    expect(nounFor(4, 'match', 'matches')).toBe('matches');
    expect(plural(1, 'acceptance criterion', 'acceptance criteria')).toBe('1 acceptance criterion');
    expect(plural(2, 'acceptance criterion', 'acceptance criteria')).toBe('2 acceptance criteria');
  });

  it('no message in src/ hedges a plural with "(s)" or "(es)" ("http(s)" is a scheme, not a plural)', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(50);
    const hits = files.flatMap((file) =>
      literals(file).flatMap(({ line, text }) => [...text.matchAll(/\b([A-Za-z-]+)\((s|es|ies)\)/g)].filter((m) => m[1] !== 'http').map((m) => `${relative(SRC, file)}:${line}: ${m[0]}`)),
    );
    expect(hits).toEqual([]);
  });

  it('no module of src/ pluralises on its own (a local plural helper, or "${n === 1 ? \'\' : \'s\'}"): one helper, one irregular-plural rule', () => {
    const own = resolve(SRC, 'core/text/plural.ts');
    const hits = sourceFiles(SRC)
      .filter((file) => file !== own)
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((text, i) =>
            /\b(const|function|let)\s+plural\b|\?\s*(''|"")\s*:\s*['"](s|es)['"]|\?\s*['"](s|es)['"]\s*:\s*(''|"")/.test(text) ? [`${relative(SRC, file)}:${i + 1}: ${text.trim()}`] : [],
          ),
      );
    expect(hits).toEqual([]);
  });
});
