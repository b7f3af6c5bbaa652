import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import type { Decision, GateSettings } from '../../../src/core/policy/types.js';

// RULES.md C4/C5/C8: programs that run other programs, each read the way the tool reads its own options.
let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});

const check = (command: string, allowed: string[], autonomyLevel: GateSettings['autonomyLevel'] = 'balanced'): Decision =>
  gate.check({ kind: 'command', command }, { autonomyLevel, allowedCommands: allowed, forbiddenCommands: ['rm -rf', 'git push --force', 'npm publish'], maxFileEditsPerTask: 20, requireApprovalForNewFiles: false }, {});

describe('C4: wrappers find the forbidden command they run (C5)', () => {
  it.each([
    'chroot /srv rm -rf /',
    'chroot --userspec=1:1 /srv rm -rf x',
    'unshare -r rm -rf x',
    'unshare --map-user 0 rm -rf x',
    'nsenter -t 1 -m rm -rf x',
    "su -c 'rm -rf x'",
    "su root -c 'rm -rf x'",
    "su --command='rm -rf x' root",
    'runuser -u bob -- rm -rf x',
    "runuser bob -c 'rm -fr x'",
    "sg wheel -c 'rm -rf x'",
    'setpriv --reuid=1 rm -rf x',
    'taskset -c 0 rm -rf x',
    'taskset 0x1 rm -rf x',
    'chrt -f 10 rm -rf x',
    'numactl --cpunodebind=0 rm -rf x',
    'numactl -N 0 rm -rf x',
    'catchsegv rm -rf x',
    'valgrind --tool=memcheck rm -rf x',
    'strace -f -o out.txt rm -rf x',
    'ltrace -e malloc rm -rf x',
    'perf stat -e cycles rm -rf x',
    'gdb -batch --args rm -rf x',
    'fakeroot -- rm -rf x',
    'xvfb-run -a rm -rf x',
    'systemd-run --user -p X=1 rm -rf x',
    'prlimit --nofile=10 rm -rf x',
    'unbuffer rm -rf x',
    'torsocks rm -rf x',
    'screen -dmS s rm -rf x',
    "tmux new-session -d 'rm -rf x'",
    'wsl rm -rf x',
    "watchexec -e ts -- 'rm -rf x'",
    "nodemon --exec 'rm -rf x'",
    "concurrently -n a 'npm test' 'rm -rf x'",
    "hyperfine --prepare 'rm -rf x' 'ls'",
    'cross-env NODE_ENV=x rm -rf x',
    'dotenv -e .env.test -- rm -rf x',
    'direnv exec . rm -rf x',
    'mise exec node@20 -- rm -rf x',
    'poetry run rm -rf x',
    'uv run --with pytest rm -rf x',
    'pipx run rm -rf x',
    'uvx rm -rf x',
    'bundle exec rm -rf x',
    'conda run -n env rm -rf x',
    "nix-shell -p hello --run 'rm -rf x'",
    'bun x rm -rf x',
    'npm explore lodash -- rm -rf x',
    "git submodule foreach --recursive 'rm -rf x'",
    "git filter-branch --tree-filter 'rm -rf x' HEAD",
    "at now <<< 'rm -rf x'",
    "batch <<'EOF'\nrm -rf x\nEOF",
    'watch -n1 -d rm -rf x',
    "parallel --jobs 4 'rm -rf {}' ::: a",
  ])('%s is denied', (command) => {
    expect(check(command, [], 'full').verdict).toBe('deny');
  });

  it('asks for what a wrapper runs unless it has an entry of its own (C8)', () => {
    expect(check('taskset -c 0 node x.js', ['taskset']).verdict).toBe('ask');
    expect(check('taskset -c 0 node x.js', ['taskset', 'node x.js']).verdict).toBe('allow');
    expect(check('poetry run pytest -q', ['poetry run']).verdict).toBe('ask');
    expect(check('poetry run pytest -q', ['poetry run pytest']).verdict).toBe('allow');
    expect(check('uvx ruff check', ['uvx', 'ruff check']).verdict).toBe('allow');
    expect(check('strace -o trace.txt ls', ['strace', 'ls']).verdict).toBe('allow');
  });

  it('asks for the privilege tools and for code the gate cannot see', () => {
    for (const c of ['chroot /srv ls', 'unshare -r ls', 'nsenter -t 1 -m ls', 'runuser -u bob ls', 'setpriv --reuid=1 ls']) expect(check(c, [c.split(' ')[0]!, 'ls'], 'full').rule, c).toBe('C6');
    expect(check("gdb -ex 'shell id' ./a.out", ['gdb'], 'full')).toMatchObject({ verdict: 'ask', rule: 'C4' });
    expect(check('gdb --eval-command=run ./a.out', ['gdb'], 'full')).toMatchObject({ verdict: 'ask', rule: 'C4' });
    expect(check('make SHELL=/tmp/evil', ['make'], 'full')).toMatchObject({ verdict: 'ask', rule: 'C4' });
    expect(check("make -C sub .SHELLFLAGS='-c id'", ['make'], 'full').verdict).toBe('ask');
    expect(check('deno run https://example.com/x.ts', ['deno run'], 'full').verdict).toBe('ask');
    expect(check('crontab jobs.txt', ['crontab'], 'full').verdict).toBe('ask');
  });

  it('keeps the ordinary uses allowed', () => {
    expect(check('make -C sub', ['make']).verdict).toBe('allow');
    expect(check('make install PREFIX=/usr/local', ['make']).verdict).toBe('allow');
    expect(check('deno run -A x.ts', ['deno run']).verdict).toBe('allow');
    expect(check('gdb --version', ['gdb']).verdict).toBe('allow');
    expect(check('perf list', ['perf list']).verdict).toBe('allow');
    expect(check('crontab -l', ['crontab']).verdict).toBe('allow');
    expect(check('git submodule status', ['git submodule']).verdict).toBe('allow');
  });
});

describe('C4/C6: the variables cross-env sets are checked as if written before the command', () => {
  // [the assignments, the command, its allowedCommands entry]
  const cases: Array<[string, string, string]> = [
    ['NODE_OPTIONS=--require=./x.js', 'npm test', 'npm test'],
    ['GIT_SSH_COMMAND="ssh -i key"', 'git fetch origin', 'git fetch'],
    ['LD_PRELOAD=./evil.so', 'node x.js', 'node x.js'],
    ['PATH=./bin:/usr/bin', 'npm test', 'npm test'],
    ['NODE_ENV=test NODE_OPTIONS=--inspect', 'npm test', 'npm test'],
    ['NODE_ENV=test', 'npm test', 'npm test'],
    ['NODE_ENV=test CI=1', 'npm test', 'npm test'],
  ];
  const levels: Array<GateSettings['autonomyLevel']> = ['balanced', 'full'];

  it.each(cases)('cross-env %s %s decides as the same written directly', (env, command, entry) => {
    for (const level of levels) {
      const direct = check(`${env} ${command}`, [entry], level);
      const viaCrossEnv = check(`cross-env ${env} ${command}`, [entry, 'cross-env'], level);
      expect({ verdict: viaCrossEnv.verdict, rule: viaCrossEnv.rule }, level).toEqual({ verdict: direct.verdict, rule: direct.rule });
      if (direct.rule === 'C6') expect(viaCrossEnv.reason, level).toBe(direct.reason);
    }
  });

  it('a variable that changes what runs asks at every level, through cross-env and cross-env-shell too (it was dropped)', () => {
    for (const level of levels) {
      expect(check('cross-env NODE_OPTIONS=--require=./x.js npm test', ['npm test', 'cross-env'], level), level).toMatchObject({ verdict: 'ask', rule: 'C6', reason: 'ask: sets NODE_OPTIONS, which changes what programs load or run' });
      expect(check(`cross-env-shell NODE_OPTIONS="--require './x.js'" 'npm test'`, ['npm test', 'cross-env-shell'], level), level).toMatchObject({ verdict: 'ask', rule: 'C6', reason: 'ask: sets NODE_OPTIONS, which changes what programs load or run' });
    }
    // A safe one keeps the command allowed, as `NODE_ENV=test npm test` is.
    expect(check("cross-env-shell NODE_ENV=test 'npm test'", ['npm test', 'cross-env-shell']).verdict).toBe('allow');
  });
});

describe('C6: dangerous options on allowed tools, also abbreviated', () => {
  it.each([
    ['git --exec-p=/tmp/x status', 'git'],
    ['git --exec-path=/tmp/x status', 'git'],
    ['git fetch --upload-p=/tmp/x', 'git fetch'],
    ["git ls-remote --upload-pa='x' origin", 'git ls-remote'],
    ['git push --receive-p=x origin', 'git push'],
    ['npm --script-s=/tmp/x test', 'npm'],
    ['npm test --script_shell=/tmp/x', 'npm'],
    ['npm --node-opt=--require=x test', 'npm'],
  ])('%s asks at full (C6)', (command, allowed) => {
    expect(check(command, [allowed], 'full')).toMatchObject({ verdict: 'ask', rule: 'C6' });
  });
  it('leaves git --exec-path alone when it only prints the path', () => {
    expect(check('git --exec-path', ['git'], 'full').verdict).toBe('allow');
  });
});

describe('C7: redirect forms', () => {
  it.each(['echo x >| ~/x', 'echo x &>> ~/x', 'echo x 2>> ~/x', 'echo x {fd}> ~/x', 'echo x >& ~/x', 'echo x >&~/x', 'echo x 3>| /etc/x', 'echo x &>/tmp/x'])('%s is denied', (command) => {
    expect(check(command, ['echo']).verdict).toBe('deny');
  });
  it.each(['echo x {fd}>out.txt', 'echo x >& out.txt', 'echo x 2>&1', 'echo x &> out.txt', 'echo x >| out.txt', 'echo x 2>>err.log'])('%s is allowed', (command) => {
    expect(check(command, ['echo']).verdict).toBe('allow');
  });
  it('brace-expands a redirect target as bash does', () => {
    expect(check('echo x > {~/b,}', ['echo']).verdict).toBe('deny');
    expect(check('echo x > {a,/etc/b}', ['echo']).verdict).toBe('deny');
    expect(check('echo x > "{~/b,}"', ['echo']).verdict).toBe('allow');
    expect(check('echo x > ~+/out.txt', ['echo']).verdict).toBe('allow');
  });
  it('asks for a redirect to a target only known at run time', () => {
    expect(check('echo x >| $OUT', ['echo'])).toMatchObject({ verdict: 'ask', rule: 'C7' });
    expect(check('echo x {fd}>"$F"', ['echo'])).toMatchObject({ verdict: 'ask', rule: 'C7' });
  });
});

describe('C4: program options that run commands, for more tools', () => {
  it.each([
    "sort --compress-program='rm -rf x' a",
    "sort --compress-prog 'rm -rf x' a",
    "split --filter='rm -rf x' a",
    "zip -T -TT 'rm -rf x' a.zip a",
    "zip -T --unzip-command='rm -rf x' a.zip a",
    "rsync -e 'rm -rf x' a b",
    "rsync -avze 'rm -rf x' a b",
    "rsync --rsh='rm -rf x' a b",
    "diff --diff-program='rm -rf x' a b",
    "man -H'rm -rf x' ls",
    "man --html='rm -rf x' ls",
    "ssh -o ProxyCommand='rm -rf x' h",
    "scp -oLocalCommand='rm -rf x' a h:b",
    'fd -e ts -x rm -rf {}',
    'fdfind . --exec-batch rm -rf',
    "git difftool -x 'rm -rf x'",
    "git difftool --extcmd='rm -rf x'",
    "tcsh -c 'rm -rf x'",
    "nu -c 'rm -rf x'",
  ])('%s is denied', (command) => {
    expect(check(command, [], 'full').verdict).toBe('deny');
  });
  it('asks for a program that is not a literal, and for editors and interpreters given code', () => {
    expect(check('sort --compress-program=$P a', ['sort'], 'full').verdict).toBe('ask');
    expect(check("vim -c 'lua os.execute(1)' x", ['vim'], 'full')).toMatchObject({ verdict: 'ask', rule: 'C4' });
    expect(check("nvim --headless +'qa' x", ['nvim'], 'full')).toMatchObject({ verdict: 'ask', rule: 'C4' });
    expect(check("emacs --batch --eval '(x)'", ['emacs'], 'full')).toMatchObject({ verdict: 'ask', rule: 'C4' });
    for (const c of ["expect -c 'spawn x'", "pypy3 -c 'x'", "julia -e 'x'", "elixir -e 'x'"]) expect(check(c, [c.split(' ')[0]!], 'full').rule, c).toBe('C6');
  });
  it('opens the bash builtins that take a command (-C) as code, and asks for a function (-F)', () => {
    for (const c of ["compgen -C 'rm -rf x' x", "complete -C 'rm -rf x' git", "mapfile -C 'rm -rf x' -c 1 a < f", "readarray -C 'rm -fr x' a < f", 'bind -x \'"\\C-a":rm -rf x\'']) expect(check(c, [], 'full').verdict, c).toBe('deny');
    expect(check('compgen -F f x', ['compgen'], 'full')).toMatchObject({ verdict: 'ask', rule: 'C4' });
    expect(check('compgen -c', ['compgen']).verdict).toBe('allow');
  });
  it("opens sed's e command as code", () => {
    expect(check("sed -n '1e rm -rf x' f", ['sed'], 'full').verdict).toBe('deny');
    expect(check("sed -e 's/a/b/' -e '$!e rm -fr y' f", ['sed'], 'full').verdict).toBe('deny');
    expect(check("sed -n '/e x/p' f", ['sed']).verdict).toBe('allow');
  });
  it('asks for a shell or interpreter running a script another command writes (process substitution)', () => {
    for (const c of ['bash <(echo ls)', 'python3 <(cat x.py)', 'sh -e <(cat a)']) expect(check(c, ['bash', 'python3', 'sh', 'echo', 'cat'], 'full'), c).toMatchObject({ verdict: 'ask', rule: 'C6' });
    expect(check('diff <(sort a) <(sort b)', ['diff', 'sort']).verdict).toBe('allow');
    expect(check('bash script.sh', ['bash']).verdict).toBe('allow');
  });
  it('reads npm pkg set as a write of package.json (W3)', () => {
    expect(check("npm pkg set scripts.test='node x'", ['npm pkg'], 'full')).toMatchObject({ verdict: 'ask', rule: 'C7/W3' });
    expect(check('npm pkg get name', ['npm pkg']).verdict).toBe('allow');
  });
  it('leaves the ordinary uses allowed', () => {
    for (const [c, e] of [
      ['sort -u a', 'sort'],
      ['rsync -av src/ dist/', 'rsync'],
      ['diff -u a b', 'diff'],
      ['man ls', 'man'],
      ['fd -e ts src', 'fd'],
      ['zip -r out.zip src', 'zip'],
      ['vim --version', 'vim'],
    ]) {
      expect(check(c!, [e!]).verdict, c).toBe('allow');
    }
  });
});
