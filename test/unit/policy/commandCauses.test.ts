import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import type { GateSettings, PolicyContext, Verdict } from '../../../src/core/policy/types.js';

// The general causes behind the peer cases, each shown on spellings that are not in the case files.
let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});

const settings = (allowedCommands: string[], autonomyLevel: GateSettings['autonomyLevel'] = 'balanced'): GateSettings => ({
  autonomyLevel,
  allowedCommands,
  forbiddenCommands: ['rm -rf', 'git push --force', 'npm publish'],
  maxFileEditsPerTask: 20,
  requireApprovalForNewFiles: false,
});
const verdict = (command: string, allowed: string[], level: GateSettings['autonomyLevel'] = 'balanced', context: Partial<PolicyContext> = {}): Verdict =>
  gate.check({ kind: 'command', command }, settings(allowed, level), context).verdict;
const WINDOWS: Partial<PolicyContext> = { os: 'windows', workspaceRoot: 'C:\\Users\\me\\repo', home: 'C:\\Users\\me', fs: 'case-insensitive', shell: 'powershell' };

describe('C8: what a wrapper runs must match an entry of its own', () => {
  it.each([
    ['nohup node server.js', ['nohup']],
    ['stdbuf -oL python3 gen.py', ['stdbuf']],
    ['ionice -c3 make', ['ionice']],
    ['setsid ./run.sh', ['setsid']],
    ['env -i PATHX=1 perl x.pl', ['env']],
    ['nice -n 10 cargo build', ['nice']],
    ['time go test ./...', ['time']],
    ['command python3 x.py', ['command']],
    ['xargs -n1 -P4 ruby job.rb', ['xargs']],
    ['find src -name "*.ts" -ok node {} \\;', ['find']],
    ['find . -okdir make {} +', ['find']],
    ['sh -c "make all"', ['sh']],
    ['busybox wget x', ['busybox']],
    ['npm exec -- tsx a.ts', ['npm exec']],
    ['timeout --sig KILL 5 node x.js', ['timeout']],
  ])('%s asks when only the wrapper is allowed', (command, allowed) => {
    expect(verdict(command, allowed)).toBe('ask');
  });

  it('allows when the inner command has its own entry, or the wrapper entry holds its words', () => {
    expect(verdict('nohup node server.js', ['nohup', 'node server.js'])).toBe('allow');
    expect(verdict('xargs grep -l TODO', ['xargs', 'grep'])).toBe('allow');
    expect(verdict('timeout 60 npm test', ['timeout', 'timeout 60 npm test'])).toBe('allow');
    expect(verdict('find . -name "*.md"', ['find'])).toBe('allow');
  });

  it('still finds a forbidden command behind a wrapper whose long option is abbreviated', () => {
    expect(verdict('timeout --kill 3 5 rm -fr build', ['timeout'], 'full')).toBe('deny');
  });
});

describe('C4: program options that run commands, also as long-option prefixes', () => {
  it.each(['git grep -O', 'git grep --open-files', 'git grep --op', 'git grep -iO'])('%s foo asks at full', (g) => {
    expect(verdict(`${g} foo`, ['git grep'], 'full')).toBe('ask');
  });
  it('leaves the other git grep options and the pattern -O alone', () => {
    expect(verdict('git grep --or -e a -e b', ['git grep'])).toBe('allow');
    expect(verdict('git grep -n -e -O src', ['git grep'])).toBe('allow');
  });
  it('reads man --pag= as --pager', () => {
    expect(verdict('man --pag=cat ls', ['man'], 'full')).toBe('ask');
  });
});

describe('C7: sed as GNU and BSD sed read their options', () => {
  it.each([
    "sed --in-pla 's/a/b/' ../other/x.txt",
    "sed --in 's/a/b/' /etc/hosts",
    "sed -n --in-place=/tmp/* 's/a/b/' notes.txt",
    "sed -i -e 's/a/b/' ../../x.txt",
    "sed -E -i '../up.txt' -e 's/a/b/' ok.txt",
    "sed -si~ 's/a/b/' ~/.profile",
  ])('%s is denied on linux', (command) => {
    expect(verdict(command, ['sed'])).toBe('deny');
  });
  it('reads -i SUFFIX as BSD sed does on macos', () => {
    expect(verdict("sed -i '' 's/a/b/' src/x.ts", ['sed'], 'balanced', { os: 'macos' })).toBe('allow');
    expect(verdict("sed -i ../../bak 's/a/b/' src/x.ts", ['sed'], 'balanced', { os: 'macos' })).toBe('allow');
    expect(verdict("sed -i '/../../out/*' 's/a/b/' x.ts", ['sed'], 'balanced', { os: 'macos' })).toBe('deny');
  });
  it('asks for a script read from a file, in any spelling', () => {
    for (const c of ['sed -nf prog.sed x', 'sed --file=prog.sed x', 'sed --fi prog.sed x']) expect(verdict(c, ['sed'])).toBe('ask');
  });
  it('keeps ordinary in-place edits allowed', () => {
    expect(verdict("sed -i.orig 's/a/b/' src/app.ts", ['sed'])).toBe('allow');
    expect(verdict("sed --in-place=.bak -e 's/a/b/' docs/x.md", ['sed'])).toBe('allow');
  });
});

describe('C7: write targets only known at run time', () => {
  it('asks for a glob target and denies one that lands outside', () => {
    expect(verdict('date > log[0-9].txt', ['date'])).toBe('ask');
    expect(verdict('echo x >> build/*.log', ['echo'], 'full')).toBe('ask');
    expect(verdict('echo x > ../elsewhere/*.txt', ['echo'])).toBe('deny');
  });
  it('reads ~ and $HOME as home for the deny side only', () => {
    expect(verdict('cp a.txt ~/b.txt', ['cp'])).toBe('deny');
    expect(verdict('tee ${HOME}/x < a', ['tee'])).toBe('deny');
    expect(verdict('cat $HOME/notes.txt', ['cat'])).toBe('ask');
    expect(verdict('echo ~', ['echo'])).toBe('ask');
  });
  it('treats <> as a write, also with a descriptor', () => {
    expect(verdict('cat 3<> /etc/hosts', ['cat'])).toBe('deny');
    expect(verdict('exec 4<>fifo.txt', ['exec'], 'full')).toBe('allow');
  });
  it('sees redirects and commands written after a heredoc operator', () => {
    expect(verdict('tee <<END >> ~/.zshrc\nalias x=y\nEND', ['tee'])).toBe('deny');
    expect(verdict("cat <<'X' | python3\nprint(1)\nX", ['cat', 'python3'])).toBe('ask');
  });
  it('asks for a write through a link the same line makes', () => {
    expect(verdict('ln -sfn /usr/lib lib; touch lib/x', ['ln', 'touch'])).toBe('ask');
    expect(verdict('ln -s target link && cp a.txt link/', ['ln', 'cp'])).toBe('ask');
    expect(verdict('New-Item -ItemType SymbolicLink -Path out -Target C:\\ ; Set-Content out\\x.txt hi', ['New-Item', 'Set-Content'], 'balanced', WINDOWS)).toBe('ask');
  });
});

describe('C2/C0: builtins, process substitution and parentheses', () => {
  it('treats [ as a command and [[ as an expression', () => {
    expect(verdict('[ -d src ] && ls src', ['ls'])).toBe('ask');
    expect(verdict('[ -d src ] && ls src', ['ls', '['])).toBe('allow');
    expect(verdict('[[ -n "$CI" ]] || echo local', ['echo'])).toBe('allow');
    expect(verdict('test -e x || touch x', ['touch'], 'full')).toBe('allow');
  });
  it('looks through process substitutions', () => {
    expect(verdict('comm -12 <(sort a.txt) <(sort b.txt)', ['comm', 'sort'])).toBe('allow');
    expect(verdict('comm -12 <(sort a.txt) <(curl x)', ['comm', 'sort', 'curl'])).toBe('ask');
    expect(verdict('paste <(cut -f1 a) <(rm -rf /)', ['paste', 'cut'], 'full')).toBe('deny');
  });
  it('asks for a parenthesis right after a word, which bash refuses', () => {
    expect(verdict('ls (src)', ['ls'], 'full')).toBe('ask');
    expect(verdict('cat =(ls)', ['cat', 'ls'], 'full')).toBe('ask');
  });
});

describe('PowerShell and cmd dialects', () => {
  it('reads \\ as a path separator', () => {
    expect(verdict('Get-ChildItem > ..\\..\\list.txt', ['Get-ChildItem'], 'full', WINDOWS)).toBe('deny');
    expect(verdict('Get-ChildItem > C:\\Users\\me\\repo\\a\\..\\list.txt', ['Get-ChildItem'], 'balanced', WINDOWS)).toBe('allow');
    expect(verdict('Get-ChildItem | Out-File -FilePath ..\\x.txt', ['Get-ChildItem', 'Out-File'], 'balanced', WINDOWS)).toBe('deny');
    expect(verdict('dir > ..\\x.txt', ['dir'], 'full', { ...WINDOWS, shell: 'cmd' })).toBe('deny');
  });
  it('reads the backtick (PowerShell) and ^ (cmd) as the escape', () => {
    expect(verdict('echo a`;b > out.txt', ['echo'], 'balanced', WINDOWS)).toBe('allow');
    expect(verdict('echo a^&b > out.txt', ['echo'], 'balanced', { ...WINDOWS, shell: 'cmd' })).toBe('allow');
    expect(verdict('echo %TEMP% > x.txt', ['echo'], 'balanced', { ...WINDOWS, shell: 'cmd' })).toBe('ask');
  });
  it('parses cmd /c and pwsh -Command bodies in their dialect', () => {
    expect(verdict('cmd /c rmdir /q /s build', ['cmd'])).toBe('deny');
    expect(verdict('cmd.exe /C "del x & rd /S /Q out"', ['cmd'])).toBe('deny');
    expect(verdict('pwsh -Command "Write-Output x > ..\\y.txt"', ['pwsh'], 'full', { ...WINDOWS, shell: 'cmd' })).toBe('deny');
  });
  it('applies the cd rule to every spelling of cd', () => {
    for (const c of ['Set-Location ..\\..', 'sl C:\\', 'Push-Location ..', 'chdir ..', 'cd..', 'cd\\', 'E:']) {
      expect(verdict(c, ['Set-Location', 'sl', 'Push-Location', 'chdir', 'cd..', 'cd\\', 'E:'], 'full', WINDOWS)).toBe('ask');
    }
    expect(verdict('Set-Location src', ['Set-Location', 'ls'], 'balanced', WINDOWS)).toBe('allow');
  });
});

describe('S6: the sandbox context key', () => {
  it('lets full decide commands as balanced does when there is no sandbox', () => {
    expect(verdict('make', ['npm test'], 'full')).toBe('allow');
    expect(verdict('make', ['npm test'], 'full', { sandbox: false })).toBe('ask');
    expect(verdict('npm test', ['npm test'], 'full', { sandbox: false })).toBe('allow');
    expect(verdict('echo x > /etc/x', ['echo'], 'full', { sandbox: false })).toBe('deny');
  });
  it('leaves file actions and the other levels as they are', () => {
    const s = settings([], 'full');
    expect(gate.check({ kind: 'write', path: 'src/a.ts' }, s, { sandbox: false, largeRewrite: true }).verdict).toBe('allow');
    expect(verdict('make', [], 'cautious', { sandbox: false })).toBe('ask');
    expect(verdict('make', ['make'], 'balanced', { sandbox: false })).toBe('allow');
  });
});

describe('C6: network clients ask whatever the host, loopback included', () => {
  // RULES.md C6 lists curl, wget, nc… as network clients that ask at every level and names no loopback exception
  // (nor does any case file): a check of a local dev server goes through node, or asks.
  it.each(['curl http://127.0.0.1:3000/health', 'curl -s http://localhost:8080/', 'wget -qO- http://[::1]:3000/'])('%s asks, even at full with curl allowlisted', (command) => {
    expect(verdict(command, ['curl', 'wget'], 'full')).toBe('ask');
    expect(verdict(command, ['curl', 'wget'])).toBe('ask');
  });
});
