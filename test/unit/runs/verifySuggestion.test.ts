import { describe, expect, it } from 'vitest';
import { checksRan, looksLikeCheck, npmTestOf } from '../../../src/core/runs/verifySuggestion.js';

describe('what to offer as verifyCommands', () => {
  it('takes tests, linters and type checkers as checks, not installs, fixes or other commands', () => {
    for (const c of ['npm test', 'npm run test:unit', 'npm run lint', 'pnpm typecheck', 'yarn test', 'npx vitest run', 'npx tsc --noEmit', 'eslint .', 'node --test test/', 'go test ./...', 'cargo clippy', 'pytest -q', 'python -m pytest', 'make check']) {
      expect(looksLikeCheck(c), c).toBe(true);
    }
    for (const c of ['npm install', 'npm run build', 'npx eslint . --fix', 'prettier --write .', 'ls', 'node server.js', 'git status', 'npm add vitest', 'cat test.txt']) {
      expect(looksLikeCheck(c), c).toBe(false);
    }
  });

  it('offers the checks the run passed, in order and once; not those that failed', () => {
    expect(checksRan([
      { command: 'npm install', exitCode: 0 },
      { command: 'npm test', exitCode: 1 },
      { command: 'npm run lint', exitCode: 0 },
      { command: 'npm test', exitCode: 0 },
      { command: ' npm run lint ', exitCode: 0 },
      { command: 'npx tsc --noEmit', exitCode: null },
    ])).toEqual(['npm run lint', 'npm test']);
  });

  it('falls back to npm test only for a real test script', () => {
    expect(npmTestOf('{"scripts":{"test":"node --test test/"}}')).toEqual(['npm test']);
    expect(npmTestOf('{"scripts":{"test":"echo \\"Error: no test specified\\" && exit 1"}}')).toEqual([]);
    expect(npmTestOf('{"scripts":{}}')).toEqual([]);
    expect(npmTestOf('not json')).toEqual([]);
    expect(npmTestOf(undefined)).toEqual([]);
  });
});
