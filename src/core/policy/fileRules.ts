import { hasPart, leaf, matchesGlob, protectedGlob, SECRETS, type Protection } from './secrets.js';
import { canonicalize, printable, type FileSystemView, type Location } from './paths.js';
import type { FileActionKind, Finding, GateSettings, PolicyContext } from './types.js';

// W3 beyond the secrets: names whose change runs code later or changes what the allowed commands do. Like the
// secrets, matched in any folder: a nested package.json or .git is used by the same tools (npm workspaces, submodules).
const PROTECTED: Protection[] = [
  ...SECRETS,
  { test: hasPart('.git'), why: 'it is inside .git/, whose hooks and config run code on later git commands' },
  { test: leaf((n) => n === '.gitmodules'), why: 'it is .gitmodules, which decides what git clones and checks out' },
  { test: hasPart('.vscode'), why: 'it is editor configuration (.vscode/), where settings and tasks can run code or auto-approve tools' },
  {
    test: (parts) => parts.some((p, i) => p === '.github' && parts[i + 1] === 'workflows'),
    why: 'it is a CI workflow (.github/workflows/), which runs with the repository secrets',
  },
  { test: hasPart('.husky'), why: 'it is a git hook (.husky/), which runs on later git commands' },
  { test: leaf((n) => n === 'package.json'), why: 'it is package.json, whose scripts define what the allowed commands run' },
];

const NOUN: Record<FileActionKind, string> = { write: 'writes', create: 'new files', delete: 'deletions' };
const VERB: Record<FileActionKind, string> = { write: 'writing', create: 'creating', delete: 'deleting' };

/**
 * W0–W4 for one file action. Returns only ask and deny findings; none means the action is allowed.
 * `fromCommand` marks a write a shell command makes (a redirect, a `tee` target, C7): only the path rules apply
 * then, since the command's own verdict already covers the autonomy level.
 */
export function checkFileAction(
  kind: FileActionKind,
  path: string,
  settings: GateSettings,
  ctx: PolicyContext,
  fsView: FileSystemView,
  opts: { fromCommand?: boolean } = {},
): Finding[] {
  const findings: Finding[] = [];
  const add = (verdict: Finding['verdict'], rule: string, message: string) => {
    if (!findings.some((f) => f.rule === rule && f.message === message)) findings.push({ verdict, rule, message });
  };
  const written = printable(path);
  const cp = canonicalize(path, ctx, fsView);
  const ci = ctx.fs === 'case-insensitive';
  const noun = opts.fromCommand ? 'writes' : NOUN[kind];
  const verb = opts.fromCommand ? 'writing' : VERB[kind];
  const show = (loc: Location, inner = false) => {
    const name = printable(loc.rel === undefined ? loc.abs : loc.rel === '' ? 'the workspace folder' : loc.rel);
    if (name === written) return name;
    return inner ? `${name}, from "${written}"` : `${name} (from "${written}")`;
  };

  // W0
  for (const hazard of cp.hazards) add('ask', 'W0', `the path "${written}" ${hazard}; ${verb} it asks first`);

  // W1: where the bytes land, including the other reading of a `..` after a link.
  const landings = [cp as Location, ...cp.alternates];
  for (const loc of landings) {
    if (loc.rel === undefined) add('deny', 'W1', `${noun} outside the workspace (${show(loc, true)}) are denied`);
  }

  // W2 and W3 also hold for the names the file is reached through: writing through a link named .git/hooks/x
  // changes that hook whatever the link points at.
  const names = [...landings, ...cp.via].filter((loc) => loc.rel !== undefined && loc.rel !== '');
  const globs = (settings.protectedPaths ?? []).map((g) => ({ glob: g, re: protectedGlob(g, ci) }));
  for (const loc of names) {
    const rel = loc.rel as string;
    const parts = (ci ? rel.toLowerCase() : rel).split('/');
    if (parts[0] === '.kiro') {
      add('deny', 'W2', `${noun} to ${show(loc)} are denied: .kiro/ holds the gate's own policy (settings, hooks, steering)`);
    } else if (parts.includes('.kiro')) {
      // A nested .kiro/ is not this workspace's policy, but becomes policy when that folder is opened on its own.
      add('ask', 'W2', `${verb} ${show(loc)} asks first: it is inside a nested .kiro/ folder, which is Kiro policy for that folder`);
    }
    for (const p of PROTECTED) {
      if (p.test(parts)) add('ask', 'W3', `${verb} ${show(loc)} asks first: ${p.why}`);
    }
    for (const { glob, re } of globs) {
      if (matchesGlob(re, rel)) add('ask', 'W3', `${verb} ${show(loc)} asks first: it matches the protected path "${printable(glob)}" in settings`);
    }
  }

  if (opts.fromCommand) return findings;

  // W4
  const target = show(cp);
  const level = settings.autonomyLevel;
  if (kind === 'delete') add('ask', 'W4', `deleting ${target} asks first at every autonomy level`);
  if (kind !== 'delete') {
    const isNew = kind === 'create' || !ctx.exists || fsView.exists?.(cp.abs) === false;
    if (isNew && settings.requireApprovalForNewFiles) add('ask', 'W4', `creating ${target} asks first: requireApprovalForNewFiles is on`);
    if (ctx.fileEditsSoFarInTask + 1 > settings.maxFileEditsPerTask) {
      add('ask', 'W4', `${verb} ${target} asks first: it would be file edit ${ctx.fileEditsSoFarInTask + 1} in this task, over maxFileEditsPerTask (${settings.maxFileEditsPerTask})`);
    }
    if (ctx.largeRewrite && level !== 'full') add('ask', 'W4', `${verb} ${target} asks first: it rewrites most of the file, and ${level} asks before large rewrites`);
  }
  if (level === 'cautious') add('ask', 'W4', `${verb} ${target} asks first: cautious asks before every file change`);
  return findings;
}
