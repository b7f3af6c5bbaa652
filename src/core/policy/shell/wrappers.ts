import { longOption } from './longOptions.js';

/**
 * Programs that run another program (RULES.md C4 lists `timeout`, `nice`, `sudo`, …; these are the same kind of
 * thing): its words are a simple command of its own, so the forbidden match (C5), the sensitive checks (C6) and
 * the allowlist (C8) see it. Each entry says how to find where that command starts, as the tool itself reads its
 * options: a value taken for the command would hide it.
 */
export interface WrapperSpec {
  /** Short options that take a value (`strace -o out.txt cmd`). */
  valueShorts?: string;
  /** Long options (without `--`) that take a value when it is not attached with `=`. */
  valueLongs?: string[];
  /** Words after the options that are not the command: `chroot NEWROOT cmd`, `chrt PRIO cmd`, `taskset MASK cmd`. */
  positionals?: number;
  /** Words that must come first (`poetry run cmd`, `direnv exec DIR cmd`). */
  sub?: string[];
  /** Options whose value is a whole command line, run by a shell (`su -c '…'`, `nix-shell --run '…'`). */
  code?: string[];
  /** Options after which there is no command (`taskset -p PID`, `chrt -p PID`). */
  none?: string[];
  /** The words after the options are one command line for a shell (`watchexec 'make test'`, `wsl ls -la`). */
  joined?: boolean;
  /** Every operand is a command line of its own (`concurrently 'a' 'b'`, `hyperfine 'a' 'b'`). */
  eachOperand?: boolean;
  /** Operands before `--` are not the command (`mise exec node@20 -- cmd`). */
  afterDashDash?: boolean;
  /** `VAR=value` words before the command are its environment (`cross-env NODE_ENV=x cmd`). */
  assignments?: boolean;
}

const PYTHON_RUNNERS: WrapperSpec = { sub: ['run'], valueLongs: ['with', 'python', 'project', 'directory', 'package', 'extra', 'group', 'env-file', 'index', 'index-url', 'from', 'spec', 'name', 'prefix', 'cwd'], valueShorts: 'npw' };

export const WRAPPERS: Record<string, WrapperSpec> = {
  // RULES.md C4's own list. Each reads its options as the tool does: `sudo -uroot cmd` has the user attached,
  // `xargs -0I {} cmd` ends its bundle in -I, whose value is the next word.
  timeout: { valueShorts: 'sk', valueLongs: ['signal', 'kill-after'], positionals: 1 },
  nice: { valueShorts: 'n', valueLongs: ['adjustment'] },
  nohup: {},
  setsid: {},
  stdbuf: { valueShorts: 'ioe', valueLongs: ['input', 'output', 'error'] },
  ionice: { valueShorts: 'cnpPu', valueLongs: ['class', 'classdata', 'pid', 'pgid', 'uid'] },
  time: { valueShorts: 'fo', valueLongs: ['format', 'output'] },
  sudo: { valueShorts: 'ughpCDrtUT', valueLongs: ['user', 'group', 'host', 'prompt', 'chdir', 'role', 'type', 'other-user', 'command-timeout'] },
  doas: { valueShorts: 'uC' },
  command: { none: ['-v', '-V'] },
  exec: { valueShorts: 'a' },
  // -e, -i and -l take a value only attached (`-eEOF`), so the next word is the command; -I, -L, -n... take the next.
  xargs: { valueShorts: 'ILnPdEsa', valueLongs: ['max-args', 'max-procs', 'delimiter', 'max-chars', 'arg-file', 'process-slot-var'] },
  watch: { valueShorts: 'nq', valueLongs: ['interval', 'equexit'], joined: true },
  // Privilege and isolation: what they run is still a command on this machine.
  chroot: { valueLongs: ['userspec', 'groups'], positionals: 1 },
  unshare: { valueShorts: 'SGRw', valueLongs: ['setuid', 'setgid', 'root', 'wd', 'propagation', 'map-user', 'map-group', 'map-users', 'map-groups', 'setgroups'] },
  nsenter: { valueShorts: 'tSG', valueLongs: ['target', 'setuid', 'setgid'] },
  su: { valueShorts: 'sgGw', valueLongs: ['shell', 'group', 'supp-group', 'whitelist-environment'], code: ['-c', '--command', '--session-command'], none: ['*'] },
  runuser: { valueShorts: 'ugGsw', valueLongs: ['user', 'group', 'supp-group', 'shell', 'whitelist-environment'], code: ['-c', '--command', '--session-command'] },
  sg: { positionals: 1, joined: true, code: ['-c'] },
  proot: { valueShorts: 'rbwqkm', valueLongs: ['rootfs', 'bind', 'cwd', 'qemu', 'kernel-release'] },
  setpriv: { valueLongs: ['reuid', 'regid', 'ruid', 'euid', 'rgid', 'egid', 'groups', 'inh-caps', 'ambient-caps', 'bounding-set', 'securebits', 'selinux-label', 'apparmor-profile', 'pdeathsig'] },
  pkexec: { valueLongs: ['user'] },
  fakeroot: { valueShorts: 'lsi', valueLongs: ['lib', 'faked'] },
  firejail: {},
  'systemd-run': { valueShorts: 'pEMH', valueLongs: ['property', 'setenv', 'machine', 'host', 'unit', 'uid', 'gid', 'nice', 'working-directory', 'description', 'slice', 'on-calendar', 'on-active', 'service-type'] },
  'flatpak-spawn': { valueLongs: ['env', 'directory', 'forward-fd'] },
  // Scheduling and resources.
  taskset: { positionals: 1, none: ['-p', '--pid'] },
  chrt: { valueShorts: 'TPD', valueLongs: ['sched-runtime', 'sched-period', 'sched-deadline'], positionals: 1, none: ['-p', '--pid'] },
  numactl: { valueShorts: 'imNCpPw', valueLongs: ['interleave', 'membind', 'cpunodebind', 'physcpubind', 'preferred', 'preferred-many', 'weighted-interleave'] },
  prlimit: { valueShorts: 'po', valueLongs: ['pid', 'output'] },
  trickle: { valueShorts: 'dunwtlL' },
  cgexec: { valueShorts: 'g', valueLongs: ['sticky'] },
  eatmydata: {},
  'with-contenv': {},
  nocache: {},
  caffeinate: { valueShorts: 'tw' },
  // Debugging and tracing tools start the program they trace.
  catchsegv: {},
  valgrind: {},
  strace: { valueShorts: 'oeEIPpsSuabXU', valueLongs: ['output', 'trace', 'signal', 'status', 'env', 'attach', 'string-limit', 'user', 'columns'] },
  ltrace: { valueShorts: 'aenopsuwAlxDF', valueLongs: ['output', 'library'] },
  perf: { sub: ['record', 'stat', 'trace'], valueShorts: 'eopFcCuG', valueLongs: ['event', 'output', 'pid', 'freq', 'count', 'cpu', 'call-graph'] },
  // Terminals, sessions and helpers that run a command for you.
  'dbus-launch': { valueLongs: ['config-file', 'autolaunch'] },
  'xvfb-run': { valueShorts: 'nspfe', valueLongs: ['server-num', 'server-args', 'xauth-protocol', 'auth-file', 'error-file', 'wait'] },
  'ssh-agent': { valueShorts: 'aEtPO' },
  rlwrap: { valueShorts: 'aAbCDefFgHlopPqsSwz' },
  unbuffer: {},
  chronic: {},
  ifne: {},
  entr: { code: ['-s'] },
  torsocks: { valueShorts: 'uapP' },
  proxychains: { valueShorts: 'f' },
  proxychains4: { valueShorts: 'f' },
  tsp: { valueShorts: 'LDNwW' },
  screen: { valueShorts: 'SsctTpeEhlLx' },
  tmux: { sub: ['new-session', 'new', 'new-window', 'neww', 'split-window', 'splitw', 'run-shell', 'run', 'respawn-pane', 'respawnp', 'respawn-window', 'respawnw', 'display-popup', 'popup'], valueShorts: 'censtxyFlpTw', joined: true },
  wsl: { valueShorts: 'du', valueLongs: ['distribution', 'user', 'cd', 'shell-type'], joined: true },
  watchexec: { valueShorts: 'ewidsfWEF', valueLongs: ['exts', 'watch', 'ignore', 'delay', 'signal', 'filter', 'shell', 'on-busy-update', 'debounce'], joined: true },
  nodemon: { code: ['-x', '--exec'], none: ['*'] },
  concurrently: { valueShorts: 'ncpPlt', valueLongs: ['names', 'prefix-colors', 'prefix', 'max-processes', 'kill-others-on-fail', 'success', 'restart-tries', 'restart-after', 'timestamp-format'], eachOperand: true },
  hyperfine: { valueShorts: 'wrmMuSn', valueLongs: ['warmup', 'runs', 'min-runs', 'max-runs', 'time-unit', 'shell', 'command-name', 'export-json', 'export-csv', 'export-markdown', 'parameter-scan', 'parameter-list'], code: ['-p', '--prepare', '-c', '--cleanup', '-s', '--setup', '--conclude'], eachOperand: true },
  // Environment managers: `poetry run pytest` runs pytest.
  'cross-env': { assignments: true },
  'cross-env-shell': { assignments: true, joined: true },
  dotenv: { valueShorts: 'evc' },
  direnv: { sub: ['exec'], positionals: 1 },
  asdf: { sub: ['exec'] },
  mise: { sub: ['exec', 'x'], valueShorts: 'C', valueLongs: ['cd', 'jobs'], code: ['-c', '--command'], afterDashDash: true },
  poetry: PYTHON_RUNNERS,
  uv: PYTHON_RUNNERS,
  pdm: PYTHON_RUNNERS,
  pipenv: PYTHON_RUNNERS,
  hatch: PYTHON_RUNNERS,
  rye: PYTHON_RUNNERS,
  pixi: PYTHON_RUNNERS,
  conda: PYTHON_RUNNERS,
  micromamba: PYTHON_RUNNERS,
  pipx: PYTHON_RUNNERS,
  uvx: { valueLongs: PYTHON_RUNNERS.valueLongs },
  bundle: { sub: ['exec'] },
  'nix-shell': { code: ['--run', '--command'], none: ['*'] },
  nix: { sub: ['shell', 'develop'], code: ['-c', '--command'], none: ['*'] },
};

/** A word of the wrapper's that is a command line; `strip` is the length of an attached `--option=`. */
export interface CodeWord {
  at: number;
  strip: number;
  via: string;
}

/**
 * `env`: the indexes of the `VAR=value` words a wrapper with `assignments` sets for the command it runs
 * (`cross-env NODE_OPTIONS=… npm test`): they are that command's environment, checked as if written before it.
 */
export type WrappedRun = { from: number; env: number[] } | { code: CodeWord[] } | { joinedFrom: number; env: number[] } | undefined;

/** Where the command a wrapper runs starts, or the words that are command lines; undefined when it runs none. */
export function wrapped(name: string, argv: readonly string[]): WrappedRun {
  if (!Object.hasOwn(WRAPPERS, name)) return undefined;
  const spec = WRAPPERS[name]!;
  let i = 1;
  if (spec.sub) {
    // `perf record -e x cmd`, `uv run --with y cmd`: the subcommand may follow global options.
    while (i < argv.length && argv[i]!.startsWith('-')) i++;
    if (!spec.sub.includes(argv[i] ?? '')) return undefined;
    i++;
  }
  // GNU tools permute: `su root -c '…'` has its code option after the user.
  const code: CodeWord[] = [];
  for (let j = i; j < argv.length && argv[j] !== '--'; j++) {
    const a = argv[j]!;
    const eq = a.indexOf('=');
    const opt = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (spec.code?.includes(opt)) code.push(opt === a ? { at: ++j, strip: 0, via: `${name} ${opt}` } : { at: j, strip: eq + 1, via: `${name} ${opt}` });
  }
  if (code.length > 0) return { code };
  if (spec.afterDashDash && argv.includes('--', i)) i = argv.indexOf('--', i);
  const start = commandStart(argv, i, spec);
  if (start === undefined) return undefined;
  i = start;
  if (spec.none?.includes('*')) return undefined;
  const env: number[] = [];
  if (spec.assignments) while (i < argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]!)) env.push(i++);
  i += spec.positionals ?? 0;
  if (i >= argv.length) return undefined;
  if (spec.joined) return { joinedFrom: i, env };
  if (spec.eachOperand) return { code: argv.slice(i).flatMap((a, k) => (a.startsWith('-') ? [] : [{ at: i + k, strip: 0, via: name }])) };
  return { from: i, env };
}

/**
 * The first word after a wrapper's options and their values (past a `--`), the one place every wrapper's options
 * are skipped; undefined when an option says there is no command (`command -v`, `taskset -p`).
 */
export function commandStart(argv: readonly string[], from: number, spec: WrapperSpec): number | undefined {
  let i = from;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return i + 1;
    if (!a.startsWith('-') || a === '-') break;
    if (spec.none?.includes(a.split('=')[0]!)) return undefined;
    if (takesNextWord(spec, a)) i++;
  }
  return i;
}

/**
 * Whether the option word `a` of a wrapper takes the next word as its value: a long option that takes one
 * (any unambiguous prefix, GNU getopt) without `=`, or a bundle whose first value-taking letter ends it
 * (`-u root`, `-0I {}`; `-uroot` has it attached).
 */
export function takesNextWord(spec: WrapperSpec, a: string): boolean {
  if (a.startsWith('--')) return !a.includes('=') && longOption(a, spec.valueLongs ?? []) !== undefined;
  if (!spec.valueShorts) return false;
  const v = [...a.slice(1)].findIndex((c) => spec.valueShorts!.includes(c));
  return v !== -1 && v === a.length - 2;
}
