import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import type { GateSettings } from '../../../src/core/policy/types.js';

/**
 * One reading of a command's options for every rule. Each case here was decided wrongly while the rules read
 * them apart: wrapped commands taken from the written words by an index into the brace-expanded ones, each
 * wrapper skipping its options its own way, git's global options listed three times, sed read with the wrong
 * words.
 */
let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});

const settings = (autonomyLevel: GateSettings['autonomyLevel'], allowedCommands: readonly string[] = ['npm test', 'timeout', 'env', 'xargs', 'git status']): GateSettings => ({
  autonomyLevel,
  allowedCommands: allowedCommands as string[],
  forbiddenCommands: ['rm -rf', 'git push --force', 'npm publish'],
  maxFileEditsPerTask: 20,
  requireApprovalForNewFiles: false,
});
const verdict = (command: string, level: GateSettings['autonomyLevel'] = 'full') => gate.check({ kind: 'command', command }, settings(level));

describe('a wrapped command starts at the same word for every rule', () => {
  it.each(['balanced', 'full'] as const)('env {A=1,B=2} rm -rf dist runs rm after two assignments: denied at %s (was ask, and allow at full)', (level) => {
    const d = verdict('env {A=1,B=2} rm -rf dist', level);
    expect(d.verdict).toBe('deny');
    expect(d.reason).toContain('`rm -rf dist` matches the forbidden command "rm -rf"');
  });

  it('timeout {5,6} rm -rf dist runs the program 6 (bash: timeout 5 6 rm -rf dist), not rm', () => {
    const d = verdict('timeout {5,6} rm -rf dist', 'balanced');
    expect(d.verdict).toBe('ask');
    expect(d.reason).toContain('`6 rm -rf dist` (run by timeout');
  });

  it('sed -i reads its files with their own words: a variable path after a brace word asks, it is not /out.txt (was deny)', () => {
    const d = verdict('sed -i s/a/b/ {a,b}.txt x $D/out.txt');
    expect(d.verdict).toBe('ask');
    expect(d.reason).toContain('sed -i writes to a path only known when it runs');
    expect(d.findings.filter((f) => f.verdict === 'deny')).toEqual([]);
  });
});

describe("wrappers' options are skipped one way, as the tools read them", () => {
  it.each([
    // sudo's -u takes its value attached; the old skip looked only at the last letter of the bundle.
    ['sudo -uroot rm -rf dist'],
    // xargs -0I: the bundle ends in -I, whose value is the next word; the old skip matched only "-I" alone.
    ['xargs -0I {} rm -rf dist'],
    // --replace takes its value only attached (getopt optional_argument): rm is the command.
    ['xargs --replace rm -rf dist'],
    ['xargs -e rm -rf dist'],
    // `-v` of the command run, not of `command`: the old check looked for -v anywhere and saw no command at all.
    ['command rm -rf -v dist'],
  ])('%s is denied at full (was allow or ask)', (command) => {
    expect(verdict(command).verdict).toBe('deny');
  });

  it('the values of value-taking options are still skipped', () => {
    for (const command of ['sudo -u root rm -rf dist', 'sudo -iu root rm -rf dist', 'xargs -I {} rm -rf dist', 'xargs -n 1 rm -rf dist', 'timeout -s KILL 5 rm -rf dist', 'timeout --sig KILL 5 rm -rf dist', 'nice -n 5 rm -rf dist', 'env -u FOO rm -rf dist']) {
      expect(verdict(command).verdict, command).toBe('deny');
    }
    expect(verdict('timeout 5 npm test', 'balanced').verdict).toBe('allow');
    expect(verdict('xargs -n 1 npm test', 'balanced').verdict).toBe('allow');
    // `command -v rm` looks rm up: it runs nothing.
    expect(verdict('command -v rm').verdict).toBe('allow');
  });
});

describe("git's global options are read in one place", () => {
  it('an option the others skipped (--super-prefix) no longer hides -c alias.p=!… : denied at full (was allow)', () => {
    expect(verdict("git --super-prefix x -c 'alias.p=!rm -rf dist' p").verdict).toBe('deny');
  });

  it('nor -C outside the workspace after it: ask at full (was allow)', () => {
    const d = verdict('git --super-prefix x -C /tmp status');
    expect(d.verdict).toBe('ask');
    expect(d.reason).toContain('git -C points outside the workspace');
  });

  it('--attr-source takes a value: the subcommand after it is push (was not seen)', () => {
    expect(verdict('git --attr-source HEAD push --force').verdict).toBe('deny');
  });

  it('the ordinary spellings are read as before', () => {
    expect(verdict('git -C . status', 'balanced').verdict).toBe('ask');
    expect(verdict('git status', 'balanced').verdict).toBe('allow');
    expect(verdict('git --git-dir=/tmp/x status').reason).toContain('git --git-dir points outside the workspace');
    expect(verdict('git -c core.pager=less push -f').verdict).toBe('deny');
  });
});

describe("npm's options that take a value are one list for every rule", () => {
  it('npm --loglevel silent exec -- rm -rf dist runs rm: denied (was ask: the exec was not seen)', () => {
    expect(verdict('npm --loglevel silent exec -- rm -rf dist').verdict).toBe('deny');
  });

  it.each(['npm --otp 123 run deploy', 'yarn --cwd app deploy'])('%s runs a deploy script: ask at full (was allow)', (command) => {
    const d = verdict(command);
    expect(d.verdict).toBe('ask');
    expect(d.reason).toContain('the deploy script deploys, releases or publishes');
  });

  it('publish after any of them is still found', () => {
    expect(verdict('npm --tag beta publish').verdict).toBe('deny');
    expect(verdict('npm --otp 123 publish').verdict).toBe('deny');
  });
});

describe('allowedCommands is matched once per decision', () => {
  /** An allowlist that counts how often it is walked. */
  function counted(entries: string[]): { list: string[]; walks: () => number } {
    let walks = 0;
    const list = new Proxy(entries, {
      get(target, key, receiver) {
        if (key === Symbol.iterator) walks++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    return { list, walks: () => walks };
  }

  it.each([['npm test'], ['timeout 60 npm test && git status'], ['cd src && npx prisma migrate dev']])('%s: the entries are read once, whatever the number of commands', (command) => {
    const { list, walks } = counted(['npm test', 'timeout 60 npm test', 'git status', 'npx prisma migrate dev']);
    const d = gate.check({ kind: 'command', command }, settings('balanced', list));
    expect(d.verdict).toBe('allow');
    expect(walks()).toBe(1);
  });

  it('the reason names the entries that allowed the line, a wrapped command under its wrapper\'s entry', () => {
    const d = gate.check({ kind: 'command', command: 'timeout 60 npm test && git status' }, settings('balanced', ['timeout 60 npm test', 'git status']));
    expect(d.reason).toBe('allow: every command matches allowedCommands ("timeout 60 npm test", "git status")');
  });
});
