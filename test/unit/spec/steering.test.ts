import { describe, expect, it } from 'vitest';
import { chooseSteering, mergeSteering, parseSteering, steeringDiagnostics, type SteeringDoc } from '../../../src/core/spec/steering.js';

const doc = (text: string, name = 'rules') => parseSteering(text, { name, file: `.kiro/steering/${name}.md`, scope: 'workspace' });

describe('steering front matter, read as YAML', () => {
  it('no front matter, or none with inclusion, is always (Kiro default)', () => {
    expect(doc('# Rules\nuse tabs\n')).toMatchObject({ inclusion: 'always', body: '# Rules\nuse tabs', diagnostics: [] });
    expect(doc('---\ndescription: x\n---\nbody\n')).toMatchObject({ inclusion: 'always', body: 'body' });
    expect(doc('---\n---\nbody\n')).toMatchObject({ inclusion: 'always', body: 'body', diagnostics: [] });
  });

  it('a BOM before --- keeps a manual file manual, its front matter out of the body', () => {
    const d = doc('\uFEFF---\ninclusion: manual\n---\n# Manual rules\n');
    expect(d).toMatchObject({ inclusion: 'manual', body: '# Manual rules', diagnostics: [] });
  });

  it('CRLF line ends', () => {
    const d = doc('---\r\ninclusion: fileMatch\r\nfileMatchPattern: "src/**/*.ts"\r\n---\r\n# TS\r\nstrict\r\n');
    expect(d).toMatchObject({ inclusion: 'fileMatch', patterns: ['src/**/*.ts'], diagnostics: [] });
    expect(d.body).toBe('# TS\r\nstrict');
  });

  it('fileMatchPattern as a flow list, a block list, quoted or not', () => {
    expect(doc('---\ninclusion: fileMatch\nfileMatchPattern: ["components/**/*.tsx", \'**/*.jsx\']\n---\nx').patterns).toEqual(['components/**/*.tsx', '**/*.jsx']);
    expect(doc('---\ninclusion: fileMatch\nfileMatchPattern:\n  - "*.py"\n  - ./scripts/**\n---\nx').patterns).toEqual(['*.py', 'scripts/**']);
  });

  it('auto keeps its name and description', () => {
    expect(doc('---\ninclusion: auto\nname: api-design\ndescription: REST conventions. Use when adding endpoints.\n---\nx')).toMatchObject({ inclusion: 'auto', title: 'api-design', description: 'REST conventions. Use when adding endpoints.', diagnostics: [] });
  });

  it('an unknown inclusion is diagnosed where it stands, and the file is not included', () => {
    const text = '---\ninclusion: sometimes\n---\nx';
    expect(doc(text).inclusion).toBeUndefined();
    expect(steeringDiagnostics(text)).toEqual([{ line: 2, column: 12, endColumn: 21, severity: 'error', code: 'steering-inclusion', message: expect.stringContaining('Unknown steering inclusion "sometimes": use always, fileMatch, manual or auto') }]);
    expect(steeringDiagnostics('---\ninclusion: filematch\nfileMatchPattern: "*.ts"\n---\n')[0]!.message).toContain('did you mean "fileMatch"?');
  });

  it('positions count without the BOM and with CRLF', () => {
    expect(steeringDiagnostics('\uFEFF---\r\ninclusion: Always\r\n---\r\nx')).toMatchObject([{ line: 2, column: 12, endColumn: 18, code: 'steering-inclusion' }]);
  });

  it('bad patterns: not a string, absolute, out of the workspace, empty; fileMatch without any', () => {
    const text = '---\ninclusion: fileMatch\nfileMatchPattern:\n  - 42\n  - /etc/*.conf\n  - ../other/**\n  - ""\n  - "src/*.ts"\n---\nx';
    const d = doc(text);
    expect(d.patterns).toEqual(['src/*.ts']);
    expect(d.diagnostics.map((x) => [x.line, x.code, x.message.replace(/:.*/, '')])).toEqual([
      [4, 'steering-pattern', 'fileMatchPattern 42 is not a glob string.'],
      [5, 'steering-pattern', 'fileMatchPattern "/etc/*.conf" is absolute'],
      [6, 'steering-pattern', 'fileMatchPattern "../other/**" leads out of the workspace with ".."'],
      [7, 'steering-pattern', 'fileMatchPattern "" is empty.'],
    ]);
    expect(steeringDiagnostics('---\ninclusion: fileMatch\n---\n')).toMatchObject([{ line: 2, column: 12, code: 'steering-pattern', message: expect.stringContaining('needs a fileMatchPattern') }]);
    expect(steeringDiagnostics('---\ninclusion: fileMatch\nfileMatchPattern: []\n---\n')).toMatchObject([{ line: 2, code: 'steering-pattern', message: expect.stringContaining('needs a fileMatchPattern') }]);
  });

  it('broken YAML is an error at its line, and the file is not included', () => {
    const d = doc('---\ninclusion: manual\nfileMatchPattern: [a, b\n---\nsecret plan');
    expect(d.inclusion).toBeUndefined();
    expect(d.diagnostics[0]).toMatchObject({ severity: 'error', code: 'steering-front-matter', message: expect.stringMatching(/^Steering front matter is not valid YAML/) });
    expect(d.diagnostics[0]!.line).toBeGreaterThanOrEqual(3);
    expect(doc('---\n- always\n---\nx')).toMatchObject({ inclusion: undefined, diagnostics: [{ line: 2, code: 'steering-front-matter' }] });
  });

  it('front matter never closed: an error on the opening line, the file not included', () => {
    expect(doc('---\ninclusion: manual\n# Rules\n')).toMatchObject({ inclusion: undefined, diagnostics: [{ line: 1, column: 1, endColumn: 4, code: 'steering-front-matter' }] });
  });

  it('auto without a description is a warning', () => {
    expect(steeringDiagnostics('---\ninclusion: auto\n---\nx')).toMatchObject([{ severity: 'warning', code: 'steering-description' }]);
  });
});

describe('which steering a task starts with', () => {
  const docs: SteeringDoc[] = [
    doc('always here', 'base'),
    doc('---\ninclusion: fileMatch\nfileMatchPattern: ["src/**/*.ts", "*.sql"]\n---\nts', 'ts'),
    doc('---\ninclusion: fileMatch\nfileMatchPattern: "docs/**"\n---\ndocs', 'docs'),
    doc('---\ninclusion: manual\n---\nrelease steps', 'release'),
    doc('---\ninclusion: auto\ndescription: API rules\n---\napi', 'api'),
    doc('---\ninclusion: often\n---\nnever', 'odd'),
  ];
  const pick = (texts: string[]) => {
    const c = chooseSteering(docs, texts);
    return { included: c.included.map((x) => `${x.doc.name}: ${x.reason}`), onRequest: c.onRequest.map((d) => d.name), waiting: c.waiting.map((d) => d.name) };
  };

  it('always; fileMatch by a file the task names (list patterns too); manual only by #name; auto listed; unknown never', () => {
    expect(pick(['Add a migration', 'Write `db/001_init.sql`'])).toEqual({
      included: ['base: always', 'ts: fileMatch: the task names db/001_init.sql (*.sql)'],
      onRequest: ['api'],
      waiting: ['docs'],
    });
    expect(pick(['Ship it, following #release'])).toMatchObject({ included: ['base: always', 'release: manual: the task references #release'] });
    expect(pick(['Refer to release notes', 'issue #12'])).toMatchObject({ included: ['base: always'] });
  });

  it('a workspace file wins over a global one of the same name', () => {
    const global = parseSteering('global base', { name: 'base', file: '~/.kiro/steering/base.md', scope: 'global' });
    const mine = parseSteering('global only', { name: 'personal', file: '~/.kiro/steering/personal.md', scope: 'global' });
    expect(mergeSteering([docs[0]!], [global, mine]).map((d) => d.file)).toEqual(['~/.kiro/steering/personal.md', '.kiro/steering/base.md']);
  });
});
