/**
 * The sandbox host: a small process of its own per run that holds @anthropic-ai/sandbox-runtime (its network
 * proxy and its per-process state) and turns a command into the confined command line to spawn.
 *
 * Why a process of its own: the library reads `process.cwd()` for the folder whose dotfiles it protects, and
 * stubs the missing ones there while a command runs. In the CLI that is the user's workspace (where the stubs
 * would break `git add -A`) and in VS Code whatever folder the editor started in; here it is an empty folder.
 * Its proxy also answers while the extension host or the CLI is busy, and it ends with the run.
 */
import { SandboxManager } from '@anthropic-ai/sandbox-runtime';
import type { HostReply, HostRequest } from './hostProtocol.js';

const send = (reply: HostReply) => process.send?.(reply);

async function handle(m: HostRequest): Promise<HostReply> {
  switch (m.type) {
    case 'init': {
      if (!SandboxManager.isSupportedPlatform()) return { id: m.id, ok: false, error: `no sandbox for ${process.platform} yet` };
      await SandboxManager.initialize(
        {
          // Nothing is allowed for the session as a whole: each command brings its own lists (registerCommandNetworkLists).
          network: { allowedDomains: [], deniedDomains: [] },
          filesystem: { denyRead: [], allowWrite: [], denyWrite: [] },
          mandatoryDenySearchDepth: 0,
          // The programs by absolute path, found where commands cannot write (trustedPrograms.ts).
          ...(m.bwrap ? { bwrapPath: m.bwrap } : {}),
          ...(m.socat ? { socatPath: m.socat } : {}),
          ...(m.rg ? { ripgrep: { command: m.rg } } : {}),
        },
        async ({ host, port }) => ({ allow: false as const, reason: `network access to ${port ? `${host}:${port}` : host} refused: add it to sandbox.allowedDomains in .kiro/settings.json` }),
      );
      const deps = SandboxManager.checkDependencies();
      // Without its seccomp helper the library confines files and network but lets a command open unix sockets
      // (the session bus, docker.sock, an ssh agent): not a sandbox worth the name.
      const seccomp = deps.warnings.find((w) => /seccomp/i.test(w));
      const errors = [...deps.errors, ...(seccomp ? [`its seccomp helper is missing (${seccomp})`] : [])];
      if (errors.length) {
        await SandboxManager.reset();
        return { id: m.id, ok: false, error: errors.join('; ') };
      }
      return { id: m.id, ok: true, backend: process.platform === 'darwin' ? 'Seatbelt' : 'bubblewrap' };
    }
    case 'start':
      // Registered only now that the command starts: a list waiting for a command would widen the window in which its id is worth presenting.
      SandboxManager.registerCommandNetworkLists(m.commandId, { allowedDomains: m.allowedDomains });
      return { id: m.id, ok: true };
    case 'wrap': {
      const { argv } = await SandboxManager.wrapWithSandboxArgv(
        m.command,
        m.shell,
        { filesystem: { allowWrite: m.allowWrite, denyWrite: m.denyWrite, denyRead: m.denyRead } },
        undefined,
        m.cwd,
        { commandId: m.commandId },
      );
      return { id: m.id, ok: true, argv };
    }
    case 'done': {
      const violations = SandboxManager.getSandboxViolationStore()
        .getViolationsForCommand(m.commandId)
        .map((v) => v.line);
      SandboxManager.unregisterCommandNetworkLists(m.commandId);
      SandboxManager.cleanupAfterCommand();
      return { id: m.id, ok: true, violations };
    }
  }
}

process.on('message', (m: HostRequest) => {
  handle(m).then(send, (err: unknown) => send({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) }));
});
// The run is gone (ended, or killed): nothing is left to serve, and the proxy must not outlive it.
process.on('disconnect', () => {
  void SandboxManager.reset().finally(() => process.exit(0));
});
