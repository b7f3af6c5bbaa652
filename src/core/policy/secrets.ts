import { Minimatch } from 'minimatch';

export interface Protection {
  /** Whether the workspace-relative path, split into components (lower-cased on a case-insensitive FS), is protected. */
  test(parts: readonly string[]): boolean;
  /** What it is and why a human should look, in plain words. */
  why: string;
}

export const hasPart = (name: string) => (parts: readonly string[]) => parts.includes(name);
export const leaf = (test: (name: string) => boolean) => (parts: readonly string[]) => test(parts[parts.length - 1] ?? '');

/**
 * The secrets of RULES.md W3 and R2, one list for writes and reads so the two can never disagree. Matched in any
 * folder, not only at the root: dotenv in a sub-package reads its own .env, and asking is cheap next to missing one.
 */
export const SECRETS: readonly Protection[] = [
  { test: (parts) => parts.some((p) => p.startsWith('.env')), why: 'it is a .env* file, which holds secrets' },
  { test: hasPart('secrets'), why: 'it is under secrets/' },
  { test: leaf((n) => n.endsWith('.pem') || n.endsWith('.key')), why: 'it is a key or certificate file (*.pem, *.key)' },
  // id_rsa is the rule's example; the other OpenSSH key types are the same kind of secret.
  { test: leaf((n) => /^id_(rsa|dsa|ecdsa|ed25519)/.test(n)), why: 'it is an SSH private key (id_rsa*)' },
  { test: leaf((n) => n === '.npmrc'), why: 'it is .npmrc, which holds registry tokens and can change the shell npm scripts run in' },
  { test: leaf((n) => n === '.netrc' || n === '.pgpass' || n === '.git-credentials'), why: 'it is a credentials file (.netrc, .pgpass, .git-credentials)' },
  { test: (parts) => parts.slice(0, -1).some((p) => p === '.ssh' || p === '.aws' || p === '.gnupg' || p === '.docker'), why: 'it is under .ssh/, .aws/, .gnupg/ or .docker/, which hold keys and credentials' },
];

/**
 * Whether a path a command names (any separator, any case) is one of SECRETS: the command scan (sensitive.ts) asks
 * by the same list the file and read rules use, so `cat .netrc` and `read_file .netrc` cannot disagree.
 */
export function isSecretPath(path: string): boolean {
  const parts = path.toLowerCase().split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  // A folder named as such (`~/.ssh`) is the secret place itself.
  const asFolder = [...parts, ''];
  return SECRETS.some((s) => s.test(parts) || s.test(asFolder));
}

/**
 * A `protectedPaths` glob: dotfiles match (protection must not skip `.secret`), and a pattern without '/'
 * matches the name in any folder.
 */
export function protectedGlob(glob: string, ignoreCase: boolean): { test(path: string): boolean } {
  const g = glob.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '').replace(/\/+$/, '');
  const mm = new Minimatch(g, { dot: true, matchBase: true, nocase: ignoreCase });
  return { test: (path) => mm.match(path) };
}

/** A pattern naming a folder protects what is inside it, as the user means by "protect config/". */
export function matchesGlob(glob: { test(path: string): boolean }, rel: string): boolean {
  const parts = rel.split('/');
  for (let i = parts.length; i >= 1; i--) if (glob.test(parts.slice(0, i).join('/'))) return true;
  // `config/**` protects everything in config/, so deleting or replacing config itself asks too.
  return glob.test(`${rel}/-`);
}

/**
 * Why a workspace-relative path ('/' separators) is a secret to read (R2): the secrets list or a `protectedPaths`
 * entry; undefined when it is not one. Build once per list of globs: a search classifies every file with it.
 */
export function secretTest(protectedPaths: readonly string[], ignoreCase: boolean): (rel: string) => string | undefined {
  const globs = protectedPaths.map((g) => ({ glob: g, re: protectedGlob(g, ignoreCase) }));
  return (rel) => {
    const parts = (ignoreCase ? rel.toLowerCase() : rel).split('/');
    const hit = SECRETS.find((p) => p.test(parts));
    if (hit) return hit.why;
    const g = globs.find(({ re }) => matchesGlob(re, rel));
    return g ? `it matches the protected path "${g.glob}" in settings` : undefined;
  };
}
