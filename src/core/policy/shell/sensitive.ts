import { isSecretPath } from '../secrets.js';
import type { Finding, PolicyContext } from '../types.js';
import { cdTarget, commandName, denyArgv, SHELLS } from './argv.js';
import type { SimpleCommand } from './commandAnalysis.js';
import { GIT_GLOBAL_LONG, gitCommandLine } from './gitOptions.js';
import { longOption } from './longOptions.js';
import { NPM_OPTIONS_WITH_VALUE } from './npmOptions.js';
import { sedCommandLine } from './sedOptions.js';

/** Variables whose literal value changes nothing dangerous: stripped before the allowlist match. */
export const SAFE_ENV = new Set(['CI', 'NODE_ENV', 'FORCE_COLOR', 'NO_COLOR', 'TZ', 'LANG', 'LC_ALL']);

const DANGEROUS_ENV = /^(PATH|MANPAGER|GIT_PAGER|LESSOPEN|LESSCLOSE|LD_.*|DYLD_.*|NODE_OPTIONS|NODE_PATH|npm_config_.*|NPM_CONFIG_.*|GIT_.*|BASH_ENV|ENV|PROMPT_COMMAND|PYTHON.*|PERL5OPT|PERL5LIB|RUBYOPT|RUBYLIB|PAGER|EDITOR|VISUAL|SHELL|IFS|HOME|DATABASE_URL|SHELLOPTS|BASHOPTS|PS4)$/i;

const NETWORK = new Set(['iwr', 'invoke-webrequest', 'irm', 'invoke-restmethod', 'curl.exe', 'wget.exe', 'curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'ssh', 'scp', 'sftp', 'ftp', 'telnet', 'tftp', 'lftp', 'aria2c', 'http', 'https', 'xh']);
const DESTRUCTIVE = new Set(['rm', 'rmdir', 'unlink', 'shred', 'truncate', 'dd', 'kill', 'killall', 'pkill', 'wipefs', 'fdisk', 'parted', 'remove-item', 'ri', 'del', 'erase', 'rd', 'stop-process']);
const INTERPRETERS = new Set(['node', 'nodejs', 'deno', 'bun', 'python', 'python2', 'python3', 'perl', 'ruby', 'php', 'lua', 'Rscript', 'osascript', 'pwsh', 'powershell']);
const PRIVILEGE = new Set(['sudo', 'doas', 'su', 'pkexec', 'runas', 'runuser', 'chroot', 'nsenter', 'unshare', 'setpriv', 'sg', 'newgrp', 'run0']);
const SHELL_STATE = new Set(['eval', 'source', '.', 'export', 'declare', 'typeset', 'readonly', 'local', 'set', 'unset', 'alias', 'unalias', 'trap', 'shopt', 'enable', 'builtin', 'hash', 'ulimit', 'umask', 'read', 'mapfile', 'readarray', 'getopts', 'let', 'coproc', 'iex', 'invoke-expression', 'start-process', 'saps', 'at', 'batch', 'fc', 'bind', 'complete', 'set-alias', 'new-alias', 'sal', 'nal', 'set-variable', 'new-variable', 'sv', 'nv', 'remove-variable', 'rv', 'clear-variable', 'clv', 'import-module', 'ipmo', 'add-type', 'set-executionpolicy', 'invoke-item', 'ii']);
/** Programs that register something to run later, where the gate will not see it. */
const SCHEDULERS = new Set(['schtasks', 'register-scheduledtask', 'new-scheduledtask', 'new-service', 'launchctl', 'systemd-run']);
const DEPLOY: Array<[string, RegExp]> = [
  ['gh', /^(release|pr merge|repo (delete|create|edit)|secret|workflow run|api)/],
  ['docker', /^(push|login|rm|rmi|system prune|compose (down|push))/],
  ['kubectl', /^(apply|delete|create|replace|patch|rollout|scale|exec|edit)/],
  ['terraform', /^(apply|destroy|import|state)/],
  ['helm', /^(install|upgrade|uninstall|delete|rollback)/],
  ['vercel', /./],
  ['netlify', /^deploy/],
  ['firebase', /^deploy/],
  ['fly', /^(deploy|launch|destroy)/],
  ['flyctl', /^(deploy|launch|destroy)/],
  ['heroku', /./],
  ['aws', /./],
  ['gcloud', /./],
  ['az', /./],
  ['twine', /^upload/],
  ['cargo', /^(publish|yank|login)/],
  ['gem', /^(push|yank)/],
  ['vsce', /^publish/],
  ['ovsx', /^publish/],
];
/** The one secrets list of the file and read rules (secrets.ts), for paths commands name. */
const SECRET = { test: isSecretPath };

export interface SensitiveOptions {
  ctx: PolicyContext;
  caseInsensitive: boolean;
  /** Packages that count as declared for npx (projectDependencies, else those named in allowedCommands). */
  declaredPackages: Set<string>;
  /** Whether a path (from `cd`, `-C`, `--prefix`) stays inside the workspace. */
  insideWorkspace(path: string): boolean;
}

/** RULES.md C6: built-in sensitive commands, which ask at every level and are never allowed. */
export function sensitiveFindings(cmd: SimpleCommand, o: SensitiveOptions): Finding[] {
  const out: Finding[] = [];
  const ask = (message: string) => out.push({ verdict: 'ask', rule: 'C6', message, command: cmd.text });
  const argv = denyArgv(cmd);

  for (const a of cmd.assignments) {
    if (a.value.value === null) ask(`sets ${a.name} from an expansion or substitution`);
    else if (DANGEROUS_ENV.test(a.name)) ask(`sets ${a.name}, which changes what programs load or run`);
  }
  if (cmd.kind === 'assignment') ask('assigns a shell variable, which changes what later commands do');
  if (cmd.kind === 'function') ask('defines a shell function');
  if (cmd.kind === 'declaration' || cmd.kind === 'unset') ask(`changes the shell's state (${argv[0] ?? cmd.kind})`);
  for (const w of cmd.argv) if (/\/dev\/(tcp|udp)\//.test(w.deny)) ask('opens a network connection through /dev/tcp or /dev/udp');
  for (const r of cmd.redirects) {
    if (r.target && /\/dev\/(tcp|udp)\//.test(r.target.deny)) ask('opens a network connection through /dev/tcp or /dev/udp');
    if (r.target && r.op.startsWith('<') && SECRET.test(r.target.deny)) ask(`reads a secret (${r.target.deny})`);
  }
  if (argv.length === 0) return out;

  const name = commandName(argv[0]!, o.caseInsensitive);
  const lower = name.toLowerCase();
  const args = argv.slice(1);
  if (lower !== name && (DESTRUCTIVE.has(lower) || NETWORK.has(lower) || SHELL_STATE.has(lower))) ask(`${name} (${lower}) is destructive, reaches the network or runs code it builds`);
  if (name === 'printf' && args.some((a) => /^-[a-zA-Z]*v/.test(a))) ask('printf -v assigns a shell variable');
  if ((lower === 'set-item' || lower === 'si') && args.some((a) => /^(env|variable|alias|function):/i.test(a))) ask(`${name} sets an environment variable, variable, alias or function of the shell`);
  if ((name === 'rsync' && args.some((a) => a.startsWith('--delete') || a === '--remove-source-files')) || (name === 'git' && args[0] === 'rm')) ask(`${name} ${name === 'git' ? 'rm' : '--delete'} deletes files`);
  if (name === 'git' && args[0] === 'config' && args.some((a) => /^(core\.(hookspath|pager|fsmonitor|sshcommand|editor|askpass|gitproxy)|alias\.|sequence\.editor|diff\.external|credential\.|include\.|includeif\.|filter\.|url\.)/i.test(a))) ask('git config sets a key that runs programs');
  if ((name === 'pip' || name === 'pip3' || /^python[0-9.]*$/.test(name)) && args.includes('install') && args.some((a) => /^(https?:|git\+|file:)|\.(tgz|tar\.gz|whl|zip)$/.test(a))) ask('installs from a URL, git remote or tarball');
  if (['flock', 'script', 'run0', 'parallel', 'toybox', 'bunx', 'corepack'].includes(name)) ask(`${name} runs another command`);
  if (name === 'node' && args.some((a) => /^--(import|require|loader|experimental-loader)(=|$)/.test(a) && /data:|https?:/.test(args.join(' ')))) ask('node loads code from a data: or network URL');
  for (const w of cmd.argv.slice(1)) {
    if (w.glob && /(^|\/)\.(e|en|env|s|ss|ssh|a|aw|aws|n|np|npmrc)?[*?[]|id_|\.pem|\.key|secret/i.test(w.deny)) {
      ask(`the glob ${w.deny} may match secret files`);
      break;
    }
  }
  for (const a of args) {
    const path = a.includes('=') && a.startsWith('-') ? a.slice(a.indexOf('=') + 1) : a;
    if (SECRET.test(path) || path.startsWith(`${o.ctx.home}/.ssh`) || path.startsWith(`${o.ctx.home}/.aws`)) {
      ask(`touches a secret (${path})`);
      break;
    }
  }

  if (DESTRUCTIVE.has(name) || /^mkfs/.test(name)) ask(`${name} deletes or destroys data`);
  if ((lower === 'cmd' || lower === 'cmd.exe') && args.some((a) => /^\/[ck]$/i.test(a))) ask('cmd /c runs a command line');
  if (name === 'find' && args.some((a) => a === '-delete')) ask('find -delete deletes files');
  if (PRIVILEGE.has(name)) ask(`${name} runs with other privileges`);
  if (SHELL_STATE.has(name)) ask(`${name} changes the shell's state or runs code it builds`);
  const cd = cdTarget(cmd);
  if (cd === 'dynamic' || cd === 'home') ask(`${argv[0]} goes to ${cd === 'home' ? 'the home folder' : 'a place only known when it runs ($OLDPWD, an expansion, another drive)'}`);
  else if (cd && !o.insideWorkspace(cd.path)) ask(`${argv[0]} leaves the workspace (${cd.path})`);
  if (NETWORK.has(name)) ask(`${name} talks to the network`);
  if (name === 'rsync' && args.some((a) => /^[^-/][^/]*:|^rsync:\/\//.test(a))) ask('rsync to or from a remote host');
  if ((SHELLS.has(name) || INTERPRETERS.has(name)) && reads_stdin(args, cmd)) ask(`${name} runs code from its input (a pipe into a shell or interpreter)`);
  // `bash <(curl …)`, `python3 <(cat x)`: the script is another command's output, as with a pipe into it.
  const script = cmd.argv.slice(1).find((w) => !w.deny.startsWith('-') || w.deny === '-');
  if ((SHELLS.has(name) || INTERPRETERS.has(name)) && script && script.value === '/dev/fd/63' && script.substitutions.length > 0) ask(`${name} runs a script that another command writes (a process substitution)`);
  inlineCode(name, args, ask, () => sedCommandLine(cmd, 'linux').scripts);
  if (name === 'git') gitSensitive(argv, o, ask);
  if (name === 'npm' || name === 'pnpm' || name === 'yarn') npmSensitive(name, args, o, ask);
  if (name === 'npx' || name === 'bunx') npxSensitive(args, o, ask);
  if (name === 'prisma') prismaSensitive(args, ask);
  if (name === 'deno' && /^(run|x|install|eval|serve)$/.test(args[0] ?? '') && args.some((a) => /^(https?:|npm:|jsr:)/.test(a))) ask('deno runs code it downloads (a URL, npm: or jsr: specifier)');
  if ((name === 'crontab' && !args.some((a) => a === '-l')) || SCHEDULERS.has(lower)) ask(`${name} registers a program to run later, outside the gate`);
  if (name === 'rg' && args.some((a) => a === '--pre' || a.startsWith('--pre=') || a === '--hostname-bin' || a.startsWith('--hostname-bin=') || a === '-z' || a === '--search-zip' || /^-[a-zA-Z]*z/.test(a))) ask('rg runs a preprocessor or decompressor program');
  if (name === 'man' && args.some((a) => /^-P/.test(a) || longOption(a, ['pager', 'path', 'preprocessor', 'prompt'])?.name === 'pager')) ask('man -P runs a pager program');
  for (const [tool, sub] of DEPLOY) if (name === tool && sub.test(args.join(' '))) ask(`${tool} ${args[0] ?? ''} changes something outside this machine`);
  if (/^(npm|pnpm|yarn|pip|pip3|gem|cargo|go)$/.test(name) && /^(install|i|add|get)$/.test(args[0] ?? '') && args.some((a) => /^(https?:|git[+:@]|github:|gitlab:|bitbucket:|file:)|\.(tgz|tar\.gz|whl|zip)$/.test(a))) ask('installs from a URL, git remote or tarball');
  return out;
}

function reads_stdin(args: string[], cmd: SimpleCommand): boolean {
  if (cmd.heredocText !== undefined) return false;
  if (args.some((a) => /^(--version|-V|--help|-h|-v)$/.test(a))) return false;
  const operands = args.filter((a) => !a.startsWith('-') || a === '-');
  return operands.length === 0 || operands[0] === '-' || /^\/dev\/(stdin|fd\/0)$/.test(operands[0]!) || args.includes('-s');
}

function inlineCode(name: string, args: string[], ask: (m: string) => void, sedScripts: () => string[]): void {
  const has = (...flags: string[]) => args.some((a) => flags.includes(a) || flags.some((f) => f.startsWith('--') && a.startsWith(`${f}=`)));
  if ((name === 'node' || name === 'nodejs' || name === 'bun' || name === 'deno') && (has('--eval', '--print') || args.some((a) => /^-[a-zA-Z]*[ep]/.test(a) && !a.startsWith('--')) || args[0] === 'eval')) ask(`${name} runs inline code`);
  if (/^python[0-9.]*$/.test(name) && (args.some((a) => /^-[a-zA-Z]*c/.test(a) && !a.startsWith('--')) || args[0] === '-')) ask(`${name} runs inline code`);
  if (/^(lua|luajit|tclsh|Rscript|osascript|pwsh|powershell)$/i.test(name) && args.some((a) => /^-(e|c|command|encodedcommand)$/i.test(a))) ask(`${name} runs inline code`);
  if ((name === 'perl' || name === 'ruby') && args.some((a) => /^-[a-zA-Z]*[eE]/.test(a))) ask(`${name} runs inline code`);
  if (name === 'php' && has('-r')) ask('php runs inline code');
  if (name.startsWith('pypy') && /^pypy[0-9.]*$/.test(name) && args.some((a) => /^-[a-zA-Z]*c/.test(a) && !a.startsWith('--'))) ask(`${name} runs inline code`);
  if (EVAL_OPTION_INTERPRETERS.has(name) && args.some((a) => /^--?(e|c|eval|E|expr|execute)$/.test(a) || a.startsWith('--eval='))) ask(`${name} runs inline code`);
  if (/^(awk|gawk|mawk|nawk)$/.test(name)) ask(`${name} runs a program given inline`);
  if (name === 'sed' && sedRunsCommands(sedScripts())) ask('a sed script that runs shell commands (the e command or flag)');
  if (name === 'sed' && sedScripts().some((s) => /(^|[;\n])\s*[\d$,~/]*\s*[rR]\s*(\S+)/.test(s) && SECRET.test(/[rR]\s*(\S+)/.exec(s)?.[1] ?? ''))) ask('a sed script that reads a secret file');
  if (/^(vi|vim|nvim|less|more|ed|ex)$/.test(name) && args.some((a) => a.includes('!'))) ask(`${name} with a ! shell escape`);
}

/** Interpreters that run code given with -e, -c or --eval. */
const EVAL_OPTION_INTERPRETERS = new Set(['julia', 'elixir', 'iex', 'groovy', 'scala', 'ghc', 'runghc', 'racket', 'clojure', 'kotlin', 'erl', 'expect', 'guile', 'sbcl', 'ocaml', 'crystal', 'tclsh', 'wish']);

/** A sed script with the `e` command or the `e` flag of `s`, after any address (`1`, `$`, `/re/`, `1~2`, `a,b`). */
function sedRunsCommands(scripts: string[]): boolean {
  const address = String.raw`(?:\d+(?:~\d+)?|\$|\/[^/]*\/[IM]*)?\s*(?:,\s*(?:\d+|\$|\/[^/]*\/[IM]*|~?\d+))?\s*!?\s*`;
  const eCommand = new RegExp(`(^|[;\\n{}])\\s*${address}e(\\s|;|$)`);
  return scripts.some((s) => eCommand.test(s) || /(^|[;\n])\s*[^;\n]*s(.)(?:(?!\2).)*\2(?:(?!\2).)*\2[gpiImMw0-9]*e/.test(s));
}

function gitSensitive(argv: string[], o: SensitiveOptions, ask: (m: string) => void): void {
  const line = gitCommandLine(argv);
  for (const g of line.globals) {
    if (g.name === '-c' || g.name === '--config-env') ask(`git ${g.name} sets configuration for this command, which can run programs`);
    if (longOption(g.word, GIT_GLOBAL_LONG)?.name === 'exec-path' && g.word.includes('=')) ask(`git ${g.name} (--exec-path) changes which programs git runs`);
    if ((g.name === '-C' || g.name === '--git-dir' || g.name === '--work-tree') && (g.value === undefined || !o.insideWorkspace(g.value))) ask(`git ${g.name} points outside the workspace`);
  }
  if (argv.some((a) => /^--(exec)(=|$)/.test(a) || (a.length >= 5 && /^--(u|r)/.test(a) && ['upload-pack', 'receive-pack'].includes(longOption(a, GIT_PACK_OPTIONS)?.name ?? '')))) ask('git runs a program given on the command line (--upload-pack, --receive-pack, --exec)');
  const sub = line.sub;
  if (!sub) return;
  const rest = argv.slice(sub.index + 1);
  switch (sub.name) {
    case 'push':
      ask('git push changes a remote repository');
      return;
    case 'clean':
      ask('git clean deletes untracked files');
      return;
    case 'reset':
      if (rest.some((a) => a.length >= 4 && ('--hard'.startsWith(a) || '--merge'.startsWith(a) || '--keep'.startsWith(a)))) ask('git reset --hard discards changes');
      return;
    case 'switch':
      if (rest.some((a) => a === '-f' || a === '--force' || a === '--discard-changes' || /^-[a-zA-Z]*f/.test(a))) ask('git switch --force discards changes');
      return;
    case 'send-pack':
    case 'bisect':
    case 'rebase':
      ask(`git ${sub.name} ${sub.name === 'send-pack' ? 'changes a remote' : 'runs commands or rewrites history'}`);
      return;
    case 'checkout':
      // A file operand (it has an extension, or follows --) discards that file's changes.
      if (rest.includes('--') || rest.includes('.') || rest.includes('-f') || rest.includes('--force') || rest.some((a) => !a.startsWith('-') && /\.[A-Za-z0-9]+$/.test(a))) ask('git checkout discards changes to files');
      return;
    case 'restore':
      if (!rest.includes('--staged') || rest.includes('--worktree') || rest.includes('-W')) ask('git restore discards changes to files');
      return;
    case 'stash':
      if (['drop', 'clear'].includes(rest[0] ?? '')) ask('git stash drop/clear discards stashed work');
      return;
    case 'branch':
      if (rest.some((a) => /^-[a-zA-Z]*D/.test(a) || a === '--delete')) ask('git branch -D deletes a branch');
      return;
    case 'config':
      if (rest.some((a) => a === '--global' || a === '--system')) ask('git config --global changes settings outside the workspace');
      return;
    case 'remote':
    case 'submodule':
      if (['add', 'set-url', 'update', 'foreach'].includes(rest[0] ?? '')) ask(`git ${sub.name} ${rest[0]} reaches or changes remotes`);
      return;
    case 'clone':
    case 'fetch':
    case 'pull':
    case 'ls-remote':
      ask(`git ${sub.name} talks to a remote`);
      return;
    default:
  }
}

/** The long options of fetch, push, clone, ls-remote and archive that begin like the two that name programs. */
const GIT_PACK_OPTIONS = ['upload-pack', 'receive-pack', 'update-head-ok', 'update-shallow', 'upload-archive', 'unshallow', 'remote', 'recurse-submodules', 'recurse-submodules-default', 'refetch', 'refmap', 'reject-shallow', 'reference', 'reference-if-able', 'repo', 'rebase'];

/** npm takes any unambiguous prefix of a long option (`--script-s`), with `_` or `-`. */
const NPM_DANGEROUS_OPTIONS = ['--script-shell', '--node-options', '--userconfig', '--globalconfig', '--prefix'];

function npmSensitive(name: string, args: string[], o: SensitiveOptions, ask: (m: string) => void): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const opt = a.split('=')[0]!.toLowerCase().replace(/_/g, '-');
    const dangerous = opt.startsWith('--') && opt.length >= 5 ? NPM_DANGEROUS_OPTIONS.find((d) => d.startsWith(opt)) : undefined;
    if (dangerous && dangerous !== '--prefix') ask(`${name} ${a.split('=')[0]} (${dangerous}) changes what npm runs`);
    if (dangerous === '--prefix' || opt === '-c') {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
      if (v === undefined || !o.insideWorkspace(v)) ask(`${name} ${a.split('=')[0]} points outside the workspace`);
    }
  }
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (NPM_OPTIONS_WITH_VALUE.has(args[i]!)) i++;
    else if (!args[i]!.startsWith('-')) positional.push(args[i]!);
  }
  const cmd = positional[0] ?? '';
  const isRun = cmd === 'rum' || cmd === 'urn' || (cmd.length >= 3 && 'run-script'.startsWith(cmd));
  const script = isRun ? positional[1] : name === 'yarn' || (name === 'pnpm' && !PNPM_COMMANDS.has(cmd)) ? cmd : undefined;
  if (script && /deploy|release|publish/i.test(script)) ask(`the ${script} script deploys, releases or publishes`);
  if (cmd === 'config' && ['set', 'edit', 'delete'].includes(positional[1] ?? '')) ask(`${name} config ${positional[1]} changes npm's settings outside the workspace`);
  if (['exec', 'x', 'dlx'].includes(cmd)) npxSensitive(args.slice(args.indexOf(cmd) + 1), o, ask);
  if (['install', 'i', 'add', 'in', 'ins', 'inst', 'isnt', 'isntall'].includes(cmd) && positional.slice(1).some((p) => /^[\w.-]+\/[\w.-]+(#.*)?$/.test(p) && !p.startsWith('@'))) ask('installs from a GitHub repository');
  if (['install', 'i', 'add'].includes(cmd) && positional.slice(1).some((a) => /^(https?:|git[+:@]|github:|gitlab:|bitbucket:|file:)|\.(tgz|tar\.gz)$/.test(a))) ask('installs from a URL, git remote or tarball');
}

const PNPM_COMMANDS = new Set(['add', 'install', 'i', 'update', 'up', 'remove', 'rm', 'run', 'exec', 'dlx', 'test', 't', 'publish', 'create', 'init', 'list', 'ls', 'outdated', 'why', 'store', 'audit', 'link', 'unlink', 'import', 'rebuild', 'prune', 'fetch', 'patch', 'config', 'env', 'setup', 'start']);

function npxSensitive(args: string[], o: SensitiveOptions, ask: (m: string) => void): void {
  let pkg: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-y' || a === '--yes') ask('npx --yes installs whatever package it is told to');
    else if (a === '-p' || a === '--package' || a.startsWith('--package=')) {
      ask('npx --package runs a package chosen on the command line');
      if (!a.includes('=')) i++;
    } else if (a === '--') continue;
    else if (!a.startsWith('-')) {
      pkg = a;
      break;
    }
  }
  if (!pkg) return;
  if (/^(@[^/]+\/)?[^@]+@/.test(pkg)) ask(`npx ${pkg} runs a package at a version chosen on the command line`);
  const bare = pkg.replace(/^(@[^/]+\/[^@]+|[^@]+)(@.*)?$/, '$1');
  if (!o.declaredPackages.has(bare)) ask(`npx ${bare}: the package is not a declared dependency of the project (npx would download it)`);
}

function prismaSensitive(args: string[], ask: (m: string) => void): void {
  const line = args.join(' ');
  if (/^migrate (reset|deploy)/.test(line)) ask(`prisma ${args.slice(0, 2).join(' ')} changes a database destructively or remotely`);
  if (/^db push/.test(line) && args.some((a) => a === '--force-reset' || a === '--accept-data-loss')) ask('prisma db push with data loss');
}
