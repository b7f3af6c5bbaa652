import { canonicalize, printable, WORKSPACE_ITSELF, type FileSystemView, type Location } from './paths.js';
import { secretTest } from './secrets.js';
import { stricter, type Decision, type Finding, type GateSettings, type PolicyContext, type ReadTool, type Verdict } from './types.js';

const DOING: Record<ReadTool, string> = { read_file: 'reading', list_files: 'listing', search_files: 'searching' };

/** A view of the same world without its links: where the path points as written, before any link is followed. */
const NO_LINKS: FileSystemView = { readlink: () => undefined };

/**
 * RULES.md §3 for one read. The autonomy level plays no part: where a read may go does not depend on how much the
 * user lets the agent change, and reading is how the agent works (R3).
 */
export function decideRead(action: { path: string; tool?: ReadTool }, settings: GateSettings, ctx: PolicyContext, fsView: FileSystemView): Decision {
  const tool = action.tool ?? 'read_file';
  const doing = DOING[tool];
  const written = printable(action.path);
  const cp = canonicalize(action.path, ctx, fsView);
  const findings: Finding[] = [];
  const add = (verdict: Verdict, rule: string, message: string) => {
    if (!findings.some((f) => f.message === message)) findings.push({ verdict, rule, message });
  };
  const show = (loc: Location) => printable(loc.rel === undefined ? loc.abs : loc.rel === '' ? 'the workspace folder' : loc.rel);

  // R1: where the bytes come from, including the other reading of a `..` after a link.
  for (const loc of [cp as Location, ...cp.alternates]) {
    if (loc.rel === undefined) add('deny', 'R1', `${outsideBecause(action.path, loc, ctx, fsView)}; ${doing} outside the workspace is denied at every level, links included`);
  }
  for (const hazard of cp.hazards) {
    if (hazard !== WORKSPACE_ITSELF) add('ask', 'R1', `the path "${written}" ${hazard}; ${doing} it asks first`);
  }

  // R2: only read_file returns contents. A listing shows names, and a search skips secret files (the tool says
  // which), so neither reads one. The names a file is reached through count too: `notes.md -> .env` reads .env.
  if (tool === 'read_file') {
    const secret = secretTest(settings.protectedPaths ?? [], ctx.fs === 'case-insensitive');
    for (const loc of [cp as Location, ...cp.alternates, ...cp.via]) {
      if (loc.rel === undefined || loc.rel === '') continue;
      const why = secret(loc.rel);
      const name = show(loc) === written ? written : `${show(loc)} (from "${written}")`;
      if (why) add('ask', 'R2', `reading ${name} asks first at every level: ${why}`);
    }
  }

  const worst = findings.reduce<Verdict>((v, f) => stricter(v, f.verdict), 'allow');
  if (worst !== 'allow') {
    const decisive = findings.find((f) => f.verdict === worst)!;
    return { verdict: worst, rule: decisive.rule, reason: `${worst}: ${decisive.message}`, findings };
  }
  const what = cp.rel === '' ? 'the workspace' : show(cp);
  const extra = tool === 'search_files' ? ' (secret files in it are not searched)' : tool === 'list_files' ? ' (names only)' : '';
  return { verdict: 'allow', rule: 'R3', reason: `allow: ${doing} ${what}${extra}, inside the workspace`, findings };
}

/** Why the read lands outside, in the user's words: a path written outside, or a link that leads there. */
function outsideBecause(path: string, loc: Location, ctx: PolicyContext, fsView: FileSystemView): string {
  const written = printable(path);
  const lexical = canonicalize(path, ctx, NO_LINKS);
  const target = printable(loc.abs);
  if (lexical.rel === undefined) return `${written} is outside the workspace${lexical.abs === loc.abs ? '' : ` (${target})`}`;
  if (fsView.readlink(lexical.abs) !== undefined) return `${written} is a symbolic link to ${target}, outside the workspace`;
  return `${written} leads through a symbolic link to ${target}, outside the workspace`;
}
