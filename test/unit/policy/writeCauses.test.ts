import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import type { Decision, GateSettings, PolicyContext } from '../../../src/core/policy/types.js';

// RULES.md C7: every source of a write goes through the same handling, whichever way the path is given.
let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});

const check = (command: string, allowed: string[], autonomyLevel: GateSettings['autonomyLevel'] = 'balanced', context: Partial<PolicyContext> = {}): Decision =>
  gate.check({ kind: 'command', command }, { autonomyLevel, allowedCommands: allowed, forbiddenCommands: ['rm -rf', 'git push --force', 'npm publish'], maxFileEditsPerTask: 20, requireApprovalForNewFiles: false }, context);
const WINDOWS: Partial<PolicyContext> = { os: 'windows', workspaceRoot: 'C:\\Users\\me\\repo', home: 'C:\\Users\\me', fs: 'case-insensitive', shell: 'powershell' };

describe('C7: a write target named in an option word or an operand', () => {
  it.each([
    ['sort -o$OUT f', 'sort'],
    ['sort -uo"$OUT" f', 'sort'],
    ['sort --output=$X f', 'sort'],
    ['sort --out=$X f', 'sort'],
    ['tar -C $DIR -cf a.tar src', 'tar'],
    ['tar -cf$X src', 'tar'],
    ['npm --prefix=$P install', 'npm'],
    ['npm -C "$P" install', 'npm'],
    ['git diff --output=$F', 'git diff'],
    ['curl -o $F https://example.com', 'curl'],
    ['find . -fprint $X', 'find'],
    ['tee $X', 'tee'],
    ['cp a $DEST', 'cp'],
    ['cp a $D/', 'cp'],
    ['cp -vt $D a', 'cp'],
    ['mv --target-directory=$(pwd)/x a', 'mv'],
    ['dd if=a of=$OUT', 'dd'],
  ])('%s asks because where it writes is only known when it runs (C7)', (command, allowed) => {
    const d = check(command, [allowed], 'full');
    expect(d.verdict).toBe('ask');
    expect(d.rule).toBe('C7');
    expect(d.reason).toMatch(/only known when it runs/);
  });

  it.each([
    'sort -o ~/x f',
    'sort -uo$HOME/x f',
    'sort --output=~/x f',
    'tar -C ~/x -cf a.tar src',
    'tar -czf ~/out.tgz src/',
    'tar czf ../out.tgz src/',
    'tar --create --file=../x.tar src',
    'npm --prefix=/opt/x install',
    'npm -C ~/x install',
    'git diff --output=$HOME/f',
    'git format-patch -o ~/patches HEAD~1',
    'git worktree add ../wt main',
    'git init ~/x',
    'git config -f ~/.gitconfig user.name x',
    'curl --output-dir ~/x -O https://example.com/a',
    'wget -P ~/x https://example.com/a',
    'find . -fprint0 /tmp/list',
    'install -D a ~/x',
    'install -m 644 a.txt ~/bin/',
    'cp -t ~/x a',
    'cp a.txt ~/',
    'touch ~/x',
    'uniq a.txt ~/x',
    'dd if=a of=~/x',
    'tree -o ~/tree.txt',
    'go build -o ~/bin/x .',
    'gcc -o/usr/local/bin/x a.c',
    'tsc --outDir ../dist',
    'esbuild a.ts --outfile=/tmp/x.js',
    'cargo build --target-dir ~/t',
    'pip install -t ~/lib x',
    'python3 -m venv ~/venv',
    'zip -r ../x src',
    'openssl genrsa -out ~/k.pem',
    'git clone https://example.com/r.git ../r',
  ])('%s is denied: it writes outside the workspace (C7/W1)', (command) => {
    const d = check(command, [], 'full');
    expect(d.verdict).toBe('deny');
    expect(d.rule).toBe('C7/W1');
  });

  it('keeps ordinary writes inside the workspace allowed', () => {
    for (const [command, allowed] of [
      ['sort -k2 -o out.txt f', 'sort'],
      ['sort -to f', 'sort'],
      ['tar -czf out.tgz src/', 'tar'],
      ['tar -cC src -f x.tar .', 'tar'],
      ['tar -c -f - src/', 'tar'],
      ['git diff --output=out.patch', 'git diff'],
      ['git worktree add wt main', 'git worktree'],
      ['install -m 644 a.txt dist/', 'install'],
      ['cp -r src/ dist/', 'cp'],
      ['cp src/a.ts .', 'cp'],
      ['touch -d yesterday a.txt', 'touch'],
      ['uniq a.txt b.txt', 'uniq'],
      ['npm --prefix packages/app run build', 'npm'],
      ['go build -o bin/x .', 'go build'],
      ['gcc -fno-omit-frame-pointer -I/opt/include -o out a.c', 'gcc'],
      ['tsc --outDir dist', 'tsc'],
      ['python3 -m venv .venv', 'python3 -m venv'],
      ['zip -r out.zip src', 'zip'],
    ]) {
      expect(check(command!, [allowed!]).verdict, command).toBe('allow');
    }
  });
});

describe('C7: extracting an archive', () => {
  it.each(['tar xf a.tar', 'tar -xzf a.tgz', 'tar --extract -f a.tar', 'tar --ext -f a.tar', 'tar -x -f a.tar -C dir', 'tar -C $DIR -xf a.tar', 'bsdtar -xf a.tar', 'gtar -xvf a.tar', 'busybox tar x -f a.tar', 'jar xf lib.jar', '7z x a.7z', 'cpio -idv'])('%s asks: members may be absolute or hold ..', (command) => {
    const d = check(command, ['tar', 'bsdtar', 'gtar', 'busybox', 'jar', '7z', 'cpio'], 'full');
    expect(d).toMatchObject({ verdict: 'ask', rule: 'C7' });
    expect(d.reason).toMatch(/absolute paths or hold `\.\.`/);
  });
  it('says why for unzip (zip-slip), and lists or tests without asking', () => {
    expect(check('unzip a.zip', ['unzip'], 'full').reason).toMatch(/zip-slip/);
    expect(check('unzip -q a.zip -d out', ['unzip'], 'full').verdict).toBe('ask');
    expect(check('unzip -l a.zip', ['unzip']).verdict).toBe('allow');
    expect(check('unzip -t a.zip', ['unzip']).verdict).toBe('allow');
  });
  it('denies extracting into a folder outside', () => {
    expect(check('unzip -o a.zip -d ~/x', ['unzip'], 'full').verdict).toBe('deny');
    expect(check('tar -xf a.tar -C /etc', ['tar'], 'full').verdict).toBe('deny');
    expect(check('tar xfC a.tar /etc', ['tar'], 'full').verdict).toBe('deny');
  });
  it('does not ask for listing an archive or extracting to stdout', () => {
    expect(check('tar -tf a.tar', ['tar']).verdict).toBe('allow');
    expect(check('tar -tvzf a.tgz', ['tar']).verdict).toBe('allow');
    expect(check('tar tf a.tar', ['tar']).verdict).toBe('allow');
    expect(check('tar -xOf a.tar x.txt', ['tar']).verdict).toBe('allow');
    expect(check('tar -xf a.tar --to-stdout', ['tar']).verdict).toBe('allow');
  });
});

describe('C7: links made earlier on the line', () => {
  it.each([
    'ln ../../etc/hosts h && echo x >> h',
    'ln /etc/passwd p; echo x > p',
    'cp -s /etc/hosts h; echo x > h',
    'cp --symbolic-link /etc/hosts h; echo x > h',
    'cp --sym /etc/hosts h; echo x > h',
    'cp -al /etc h; echo x > h/passwd',
    'cp --link /etc/hosts h; echo x > h',
  ])('%s asks for the write through the link', (command) => {
    const d = check(command, ['ln', 'cp', 'echo'], 'full');
    expect(d).toMatchObject({ verdict: 'ask', rule: 'C7' });
    expect(d.reason).toMatch(/makes a link/);
  });
  it('counts New-Item -ItemType HardLink and mklink /H', () => {
    expect(check('New-Item -ItemType HardLink -Path h -Target C:\\Windows\\win.ini ; Set-Content h hi', ['New-Item', 'Set-Content'], 'balanced', WINDOWS).verdict).toBe('ask');
    expect(check('mklink /H h C:\\Windows\\win.ini & echo x > h', ['mklink', 'echo'], 'balanced', { ...WINDOWS, shell: 'cmd' }).verdict).toBe('ask');
  });
  it('leaves a plain copy and a write to it allowed', () => {
    expect(check('cp -a src h; echo x > h/passwd', ['cp', 'echo']).verdict).toBe('allow');
  });
});
