import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { runDir } from '../runs/journal.js';
import { GitGuard } from './gitGuard.js';
import { trustedPath, trustedProgram } from '../fs/trustedPrograms.js';
import type { SandboxSettings } from '../settings/schema.js';
import { sandboxAvailability } from './availability.js';
import { boundaryNotes } from './boundaries.js';
import { containmentFor, type Containment } from './containment.js';
import type { HostReply, HostRequest, NewHostRequest } from './hostProtocol.js';

/** Whether a run's commands are confined, and if not, why (RULES.md §4 S6): shown in the header, the CLI and summary.json. */
export type SandboxStatus = { confined: true; backend: string } | { confined: false; why: string; mode: SandboxSettings['mode'] };

/** One command made ready to spawn in the sandbox. */
export interface ConfinedCommand {
  file: string;
  args: string[];
  /** Variables to lay over the command's environment (its temp folder, its caches). */
  env: Record<string, string>;
  commandId: string;
}

/** How long the host may take to start and answer; past it the run goes on unconfined (auto) or refuses (required). */
const HOST_TIMEOUT_MS = 30_000;

/** Where the sandbox host script is: beside the bundle, or (tests of the sources) where SPEC_AGENT_SANDBOX_HOST says. */
function hostScript(): string {
  return process.env.SPEC_AGENT_SANDBOX_HOST ?? join(__dirname, 'sandboxHost.mjs');
}

/**
 * The containment of one run's commands (RULES.md §4): a sandbox host process (sandboxHost.ts) for the run, a
 * private temp folder, and the lists of what commands may write, read and reach. `open` never throws: a machine
 * without a sandbox gives a status that says why.
 */
export class CommandSandbox {
  private next = 1;
  /** PATH without the folders commands can write. */
  private path = '';
  /** The confined line of the next command, made while the one before runs. */
  private ready: Promise<{ key: string; argv: string[]; commandId: string }> | undefined;
  private readonly pending = new Map<number, { resolve: (r: HostReply) => void }>();

  private constructor(
    private readonly host: ChildProcess,
    readonly containment: Containment,
    private readonly scratch: string,
    private readonly guard: GitGuard,
  ) {
    host.on('message', (r: HostReply) => {
      this.pending.get(r.id)?.resolve(r);
      this.pending.delete(r.id);
    });
    const gone = () => {
      for (const p of this.pending.values()) p.resolve({ id: -1, ok: false, error: 'the sandbox host ended' });
      this.pending.clear();
    };
    host.on('exit', gone);
    host.on('error', gone);
  }

  /** `projectHosts`: the registries the project's own files named when its policy was accepted with them (RunPolicy). */
  static async open(o: { workspace: string; runId: string; settings: SandboxSettings; home?: string; env?: NodeJS.ProcessEnv; projectHosts?: readonly string[] }): Promise<{ sandbox?: CommandSandbox; status: SandboxStatus }> {
    const mode = o.settings.mode;
    if (mode === 'off') return { status: { confined: false, why: 'sandbox.mode is "off" in .kiro/settings.json', mode } };
    const scratch = mkdtempSync(join(tmpdir(), `spec-agent-${o.runId}-`));
    const tmpDir = join(scratch, 'tmp');
    const hostCwd = join(scratch, 'host');
    mkdirSync(tmpDir);
    mkdirSync(hostCwd);
    const containment = containmentFor({ workspace: o.workspace, home: o.home ?? homedir(), tmpDir, settings: o.settings, env: o.env ?? process.env, projectHosts: o.projectHosts ?? [] });
    const available = await sandboxAvailability(containment.allowWrite);
    if (!available.available) {
      rmSync(scratch, { recursive: true, force: true });
      return { status: { confined: false, why: available.why, mode } };
    }
    // What runs outside the sandbox comes from folders commands cannot write (trustedPrograms.ts).
    const path = trustedPath(containment.allowWrite);
    let host: ChildProcess;
    try {
      host = fork(hostScript(), [], { cwd: hostCwd, env: { ...process.env, PATH: path }, execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    } catch (err) {
      rmSync(scratch, { recursive: true, force: true });
      return { status: { confined: false, why: `the sandbox could not start (${(err as Error).message})`, mode } };
    }
    let stderr = '';
    host.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    const guard = new GitGuard(resolve(o.workspace), join(runDir(o.workspace, o.runId), 'quarantine'));
    await guard.baseline();
    const sandbox = new CommandSandbox(host, containment, scratch, guard);
    const programs = process.platform === 'linux' ? { bwrap: trustedProgram('bwrap', containment.allowWrite), socat: trustedProgram('socat', containment.allowWrite), rg: trustedProgram('rg', containment.allowWrite) } : {};
    sandbox.path = path;
    const init = await sandbox.request({ type: 'init', ...programs });
    if (!init.ok) {
      await sandbox.close();
      return { status: { confined: false, why: whyNot(init.error, stderr), mode } };
    }
    // The library's checks do not start a namespace; a container without user namespaces fails only here.
    const probe = await sandbox.probe();
    if (probe) {
      await sandbox.close();
      return { status: { confined: false, why: whyNot(probe, stderr), mode } };
    }
    return { sandbox, status: { confined: true, backend: init.backend ?? 'sandbox' } };
  }

  /**
   * The command line that runs `command` confined, with a fresh unguessable id (it binds the command's network
   * list). The confined line does not hold the command: it runs `$SPEC_AGENT_COMMAND`, so the next line is made
   * while this command runs, and a command starts without waiting for the library's wrap (about 15-30 ms).
   */
  async confine(command: string): Promise<ConfinedCommand> {
    const lists = this.lists();
    const ready = await this.ready?.catch(() => undefined);
    this.ready = undefined;
    const line = ready && ready.key === lists.key ? ready : await this.wrap(lists);
    // The outer shell of the confined line is run by this process, unconfined: never one found where commands write.
    const file = isAbsolute(line.argv[0]!) ? line.argv[0]! : trustedProgram(line.argv[0]!, this.containment.allowWrite, this.path);
    if (!file) throw new Error(`the sandbox could not find ${line.argv[0]} outside the folders commands can write`);
    const started = await this.request({ type: 'start', commandId: line.commandId, allowedDomains: this.containment.allowedDomains });
    if (!started.ok) throw new Error(`the sandbox could not start the command: ${started.error}`);
    this.ready = this.wrap(lists);
    this.ready.catch(() => undefined);
    const c = this.containment;
    return {
      file,
      args: line.argv.slice(1),
      env: {
        ...c.env,
        SPEC_AGENT_COMMAND: command,
        TMPDIR: c.tmpDir,
        // Caches a tool would write in the home folder (read-only here) go to the run's own folder.
        npm_config_cache: join(c.tmpDir, 'npm-cache'),
        XDG_CACHE_HOME: join(c.tmpDir, 'cache'),
      },
      commandId: line.commandId,
    };
  }

  /**
   * What is denied now. A path that does not exist is left out: the library would stand a device file there while
   * the command runs (`git add -A` fails on it, `mkdir .vscode` finds it taken). `.git/hooks` is made when missing,
   * so that a command cannot plant a hook that git would run later outside the sandbox.
   */
  private lists(): { key: string; denyWrite: string[]; denyRead: string[] } {
    const c = this.containment;
    // Made when missing, so that they are read-only to commands: a hook git would run later, and VS Code's
    // tasks and settings (`.vscode/tasks.json` with runOn folderOpen), which run outside any sandbox. An empty
    // folder changes nothing for git.
    const hooks = c.denyWrite.find((p) => p.endsWith(`${sep}.git${sep}hooks`));
    const vscode = c.denyWrite.find((p) => p.endsWith(`${sep}.vscode`));
    for (const dir of [hooks, vscode]) {
      if (dir && !existsSync(dir) && existsSync(dirname(dir))) {
        try {
          mkdirSync(dir);
        } catch {
          // not ours to make (a .git file of a worktree): left out below
        }
      }
    }
    const denyWrite = c.denyWrite.filter((p) => existsSync(p));
    const denyRead = c.denyRead.filter((p) => existsSync(p));
    return { key: JSON.stringify([denyWrite, denyRead]), denyWrite, denyRead };
  }

  private async wrap(lists: { key: string; denyWrite: string[]; denyRead: string[] }): Promise<{ key: string; argv: string[]; commandId: string }> {
    const commandId = randomBytes(16).toString('base64url');
    const c = this.containment;
    // The library sets TMPDIR to a folder all its sandboxes share; each run gets its own. The command comes in the
    // environment and is run by a bash of its own, as `bash -c` would run it.
    const body = `export TMPDIR=${quote(c.tmpDir)} TMP=${quote(c.tmpDir)} TEMP=${quote(c.tmpDir)}\n__spec_agent_command=$SPEC_AGENT_COMMAND; unset SPEC_AGENT_COMMAND; exec bash -c "$__spec_agent_command"`;
    const r = await this.request({ type: 'wrap', commandId, command: body, shell: 'bash', cwd: c.tmpDir, allowWrite: c.allowWrite, denyWrite: lists.denyWrite, denyRead: lists.denyRead });
    if (!r.ok || !r.argv?.length) throw new Error(`the sandbox could not prepare the command: ${r.ok ? 'no command line' : r.error}`);
    return { key: lists.key, argv: r.argv, commandId };
  }

  /** While a command runs: `onTrap` as soon as it plants something git would run outside the sandbox (gitGuard.ts). */
  watchTraps(onTrap: () => void): () => void {
    return this.guard.watch(onTrap);
  }

  /** After the command: the boundaries it hit, in words for the model and the user; what it planted for git, moved away. */
  async finished(commandId: string, output: string): Promise<string[]> {
    const r = await this.request({ type: 'done', commandId });
    const traps = await this.guard.check().catch(() => []);
    return [
      ...boundaryNotes(output, r.ok ? (r.violations ?? []) : [], this.containment),
      ...traps.map((t) => `${t.path} refused by the sandbox: ${t.why}, outside any sandbox; ${t.movedTo ? `it was moved to ${t.movedTo}` : 'it could not be moved: remove it before you run git'}`),
    ];
  }

  async close(): Promise<void> {
    if (this.host.connected) this.host.disconnect();
    if (this.host.exitCode === null && this.host.signalCode === null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.host.kill('SIGKILL');
          resolve();
        }, 2000);
        this.host.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    rmSync(this.scratch, { recursive: true, force: true });
  }

  /** Runs `true` confined: undefined when it works, else what failed. */
  private async probe(): Promise<string | undefined> {
    let c: ConfinedCommand;
    try {
      c = await this.confine('true');
    } catch (err) {
      return (err as Error).message;
    }
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(c.file, c.args, { cwd: this.containment.tmpDir, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (err) => resolve({ code: null, stderr: err.message }));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    await this.finished(c.commandId, '');
    return result.code === 0 ? undefined : result.stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${result.code}`;
  }

  private request(m: NewHostRequest): Promise<HostReply> {
    const id = this.next++;
    return new Promise<HostReply>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ id, ok: false, error: `the sandbox host did not answer within ${HOST_TIMEOUT_MS / 1000} s` });
      }, HOST_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
      try {
        this.host.send({ ...m, id } as HostRequest);
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve({ id, ok: false, error: (err as Error).message });
      }
    });
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The reason a sandbox could not be made, in words that say what to do. */
function whyNot(error: string, stderr: string): string {
  const text = `${error} ${stderr}`;
  if (/bubblewrap|bwrap/i.test(text) && /not (found|installed)|ENOENT|missing/i.test(text)) return 'bubblewrap is not installed (Debian/Ubuntu: sudo apt-get install bubblewrap socat ripgrep)';
  if (/socat/i.test(text) && /not (found|installed)|missing/i.test(text)) return 'socat is not installed (Debian/Ubuntu: sudo apt-get install socat)';
  if (/namespace|Operation not permitted|setting up uid map|No permissions/i.test(text)) return `this machine does not allow unprivileged user namespaces, which the sandbox needs (${error.trim().slice(0, 200)})`;
  return `the sandbox could not start: ${error.trim().slice(0, 300)}`;
}
