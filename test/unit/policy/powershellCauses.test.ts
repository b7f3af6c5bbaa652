import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import type { Decision, GateSettings, PolicyContext } from '../../../src/core/policy/types.js';

// RULES.md C2/C4/C7 for PowerShell: its quoting, here-strings and script blocks read as PowerShell reads them.
let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});

const WINDOWS: Partial<PolicyContext> = { os: 'windows', workspaceRoot: 'C:\\Users\\me\\repo', home: 'C:\\Users\\me', fs: 'case-insensitive', shell: 'powershell' };
const check = (command: string, allowed: string[], autonomyLevel: GateSettings['autonomyLevel'] = 'balanced'): Decision =>
  gate.check({ kind: 'command', command }, { autonomyLevel, allowedCommands: allowed, forbiddenCommands: ['rm -rf', 'git push --force', 'npm publish'], maxFileEditsPerTask: 20, requireApprovalForNewFiles: false }, WINDOWS);

describe('PowerShell quoting', () => {
  it("reads '' inside '…' as one quote character, so the string stays data", () => {
    expect(check("Write-Output 'it''s'", ['Write-Output']).verdict).toBe('allow');
    expect(check("Write-Output 'it''s; Remove-Item -Recurse -Force x'", ['Write-Output']).verdict).toBe('allow');
    expect(check("Write-Output 'a''; Remove-Item -Recurse -Force x; ''b'", [], 'full').verdict).toBe('allow');
    expect(check("Write-Output 'it''s' > ..\\x.txt", ['Write-Output']).verdict).toBe('deny');
  });
  it('treats the typographic quotes as quotes, as PowerShell does', () => {
    for (const c of ["Write-Output 'a\u2018; Remove-Item -Recurse -Force x; \u2018b'", 'Write-Output \u2018a\u2019; Remove-Item -Recurse -Force x', 'Write-Output "a\u201d; Remove-Item -Recurse -Force x; \u201cb"']) {
      expect(check(c, ['Write-Output'], 'full').verdict, c).toBe('deny');
    }
    expect(check('Write-Output \u2018a; b\u2019', ['Write-Output']).verdict).toBe('allow');
  });
  it('reads here-strings as data, and @"…"@ still runs its subexpressions', () => {
    expect(check("Write-Output @'\nit's $(Remove-Item -Recurse -Force x); done\n'@", ['Write-Output']).verdict).toBe('allow');
    expect(check('Write-Output @"\nhello "there"\n"@', ['Write-Output']).verdict).toBe('allow');
    expect(check('Write-Output @"\nhi $(Remove-Item -Recurse -Force x)\n"@', ['Write-Output'], 'full').verdict).toBe('deny');
  });
});

describe('PowerShell script blocks are code (C4/C8)', () => {
  it.each([
    'Get-ChildItem | ForEach-Object { Remove-Item -Recurse -Force x }',
    'Get-ChildItem | % { Remove-Item -Recurse -Force $_ }',
    'Invoke-Command -ScriptBlock { Remove-Item -Recurse -Force x }',
    'Start-Job { Remove-Item -Recurse -Force x }',
    "1..3 | ForEach-Object -Process { Write-Output 'x}'; Remove-Item -Recurse -Force x }",
    'Get-ChildItem | ForEach-Object { if ($_) { Remove-Item -Recurse -Force x } }',
    'Get-ChildItem | ForEach-Object -Process:{ Remove-Item -Recurse -Force x }',
  ])('%s is denied', (command) => {
    expect(check(command, ['Get-ChildItem', 'ForEach-Object', 'Invoke-Command', 'Start-Job'], 'full').verdict).toBe('deny');
  });
  it('denies a write outside from inside a block', () => {
    expect(check('Get-ChildItem | ForEach-Object { Set-Content ..\\x.txt hi }', ['Get-ChildItem', 'ForEach-Object', 'Set-Content'], 'full').verdict).toBe('deny');
  });
  it("allows a block whose own commands are allowlisted, and asks when they are not", () => {
    expect(check('Get-ChildItem | ForEach-Object { Write-Output hi }', ['Get-ChildItem', 'ForEach-Object', 'Write-Output']).verdict).toBe('allow');
    const d = check('Get-ChildItem | ForEach-Object { Write-Output hi }', ['Get-ChildItem', 'ForEach-Object']);
    expect(d).toMatchObject({ verdict: 'ask', rule: 'C8' });
    expect(d.reason).toMatch(/script block/);
    expect(check('Invoke-Command { npm test }', ['Invoke-Command', 'npm test']).verdict).toBe('allow');
  });
  it('says why it asks for control flow with a script block, and still finds what it would run', () => {
    expect(check('if ($true) { Get-Date }', ['Get-Date']).reason).toMatch(/PowerShell control flow/);
    expect(check('foreach ($f in $files) { Remove-Item -Recurse -Force $f }', [], 'full').verdict).toBe('deny');
  });
  it('reads a brace inside a bare word as text', () => {
    expect(check('npm run build -- --env={prod}', ['npm run build']).verdict).toBe('allow');
    expect(check("git log --format='{%h}'", ['git log']).verdict).toBe('allow');
  });
  it('leaves hashtables and ${braced} variables alone', () => {
    expect(check('Write-Output @{a=1}', ['Write-Output']).verdict).toBe('allow');
    expect(check('Write-Output ${x}', ['Write-Output']).verdict).toBe('ask');
  });
});

describe('PowerShell writers (C7)', () => {
  it.each([
    'Set-Content -Path:..\\x.txt hi',
    'Get-Date | Out-File -FilePath:..\\out.txt',
    'Copy-Item a.txt -Destination:C:\\x',
    'New-Item -Path . -Name ..\\..\\x.txt',
    'Rename-Item ..\\a.txt b.txt',
    'Rename-Item a.txt ..\\..\\b.txt',
    'Expand-Archive a.zip -DestinationPath ..\\x',
    'Compress-Archive src ..\\x.zip',
    'Invoke-WebRequest https://x -OutFile ..\\x',
    'Export-Csv -Path C:\\x.csv',
    'Start-Transcript -Path C:\\t.txt',
    'clc ..\\x.txt',
  ])('%s is denied: it writes outside the workspace', (command) => {
    expect(check(command, [], 'full')).toMatchObject({ verdict: 'deny', rule: 'C7/W1' });
  });
  it('asks for an archive extracted in place, and for a target only known at run time', () => {
    expect(check('Expand-Archive a.zip', ['Expand-Archive'], 'full').reason).toMatch(/zip-slip/);
    expect(check('iwr https://x -OutFile $env:TEMP\\x', ['iwr'], 'full')).toMatchObject({ verdict: 'ask', rule: 'C7' });
  });
  it('keeps writes inside the workspace allowed', () => {
    for (const [c, e] of [
      ['Set-Content -Path x.txt -Value hi', 'Set-Content'],
      ['New-Item -Path src -Name a.ts', 'New-Item'],
      ['Rename-Item a.txt b.txt', 'Rename-Item'],
      ['Copy-Item a.txt b.txt', 'Copy-Item'],
    ]) {
      expect(check(c!, [e!]).verdict, c).toBe('allow');
    }
  });
});

describe('PowerShell code and shell state (C4/C6)', () => {
  it('opens a literal given to Invoke-Expression as PowerShell code', () => {
    expect(check("Invoke-Expression 'Remove-Item -Recurse -Force x'", [], 'full').verdict).toBe('deny');
    expect(check('iex "Remove-Item -Recurse -Force x"', [], 'full').verdict).toBe('deny');
    expect(check("iex 'Get-Date'", ['iex', 'Get-Date'], 'full')).toMatchObject({ verdict: 'ask', rule: 'C6' });
  });
  it.each(['Add-Type -TypeDefinition "public class X {}"', 'Set-Alias ls Remove-Item', 'New-Alias x y', 'Set-Variable x 1', 'Import-Module .\\m.psm1', 'Set-ExecutionPolicy Bypass', 'Invoke-Item x.exe', 'Set-Item -Path env:PATH -Value C:\\x', 'schtasks /create /tn x /tr calc', 'Register-ScheduledTask x'])('%s asks at every level (C6)', (command) => {
    expect(check(command, [command.split(' ')[0]!], 'full')).toMatchObject({ verdict: 'ask', rule: 'C6' });
  });
});
