import { cdTarget } from './shell/argv.js';
import type { SimpleCommand } from './shell/commandAnalysis.js';
import { SAFE_ENV } from './shell/sensitive.js';

const NEUTRAL = new Set(['true', 'false', ':']);

/** How one simple command stands with `allowedCommands` (RULES.md C8). */
export interface AllowMatch {
  allowed: boolean;
  /** The entry that allows it: its own, or its wrapper's when the wrapper's entry reaches into its words. */
  entry?: string;
  /** The longest entry its own words begin with, if any (what a wrapper's entry covers is measured by it). */
  own?: { entry: string; tokens: string[] };
}

/**
 * RULES.md C8 for one decision: the entries are read once, and each simple command is matched once, its result
 * kept for every question the gate asks of it (may it run? which entry says so? does its wrapper's entry cover
 * what it runs?). The one place the gate compares a command with the allowlist.
 */
export class Allowlist {
  private readonly entries: Array<{ entry: string; tokens: string[] }> = [];
  /** Packages that allowlisted `npx PKG` / `npm exec PKG` entries name (RULES.md C6: declared without projectDependencies). */
  readonly packages: string[] = [];
  private readonly matches = new Map<SimpleCommand, AllowMatch>();

  constructor(
    allowed: readonly string[],
    private readonly inside: (path: string) => boolean,
  ) {
    for (const entry of allowed) {
      const tokens = entry.trim().split(/\s+/).filter(Boolean);
      if (tokens.length === 0) continue;
      this.entries.push({ entry, tokens });
      const pkgFrom = tokens[0] === 'npx' ? 1 : (tokens[0] === 'npm' || tokens[0] === 'pnpm') && tokens[1] === 'exec' ? 2 : -1;
      const pkg = pkgFrom === -1 ? undefined : tokens.slice(pkgFrom).find((t) => !t.startsWith('-'));
      if (pkg) this.packages.push(pkg);
    }
  }

  match(cmd: SimpleCommand): AllowMatch {
    let m = this.matches.get(cmd);
    if (!m) this.matches.set(cmd, (m = this.decide(cmd)));
    return m;
  }

  private decide(cmd: SimpleCommand): AllowMatch {
    const own = this.longestEntry(cmd);
    const result = (allowed: boolean, entry = allowed ? own?.entry : undefined): AllowMatch => ({ allowed, entry, own });
    // `timeout 60 npm test` allowed as a whole covers the `npm test` it runs: the entry reaches into its words.
    const wrapper = cmd.wrappedBy && this.match(cmd.wrappedBy.cmd);
    if (wrapper?.allowed && wrapper.own && wrapper.own.tokens.length > cmd.wrappedBy!.at) return result(true, wrapper.own.entry);
    // `[[ … ]]` is a conditional expression, not a program; `[ … ]` is the builtin `[` and needs an entry.
    if (cmd.kind === 'test') return cmd.argv[0]?.value === '[[' ? result(true, undefined) : result(own !== undefined);
    if (cmd.kind !== 'command') return result(false);
    if (cmd.assignments.some((a) => !SAFE_ENV.has(a.name) || a.value.value === null)) return result(false);
    if (cmd.argv.length === 0) return result(true, undefined);
    const first = cmd.argv[0]!.value;
    if (first === null || /[/\\]/.test(first)) return result(false);
    if (NEUTRAL.has(first) || first === 'popd') return result(true, undefined);
    const cd = cdTarget(cmd);
    if (cd !== undefined) return result(typeof cd === 'object' && this.inside(cd.path), undefined);
    return result(own !== undefined);
  }

  /** The longest entry whose words begin the command: `timeout 60 npm test` says more about what runs than `timeout`. */
  private longestEntry(cmd: SimpleCommand): { entry: string; tokens: string[] } | undefined {
    const argv = cmd.argv.map((w) => w.value);
    if (argv.some((a) => a === null)) return undefined;
    let best: { entry: string; tokens: string[] } | undefined;
    for (const e of this.entries) {
      if (e.tokens.length <= argv.length && e.tokens.length > (best?.tokens.length ?? 0) && e.tokens.every((t, i) => argv[i] === t)) best = e;
    }
    return best;
  }
}
