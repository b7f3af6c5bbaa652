import { existsSync, readlinkSync } from 'node:fs';
import type { PolicyContext } from './types.js';

/**
 * The little the path rules need to know of a file system. Kept this small so the gate stays pure: the tests and
 * the cases describe the world in `PolicyContext`, the extension passes the real disk.
 */
export interface FileSystemView {
  /** The target of the symbolic link at this absolute path, as stored in the link; undefined when it is no link. */
  readlink(absPath: string): string | undefined;
  /** false when nothing exists at this absolute path; undefined when the view cannot tell. */
  exists?(absPath: string): boolean | undefined;
}

/** A place a path names: absolute (with '/' separators, `C:/...` on Windows) and, inside the workspace, relative. */
export interface Location {
  abs: string;
  /** Workspace-relative with '/' separators ('' for the workspace folder itself); undefined outside the workspace. */
  rel: string | undefined;
}

export interface CanonicalPath extends Location {
  /** Why the spelling itself deserves a second look (W0), in plain words; empty for ordinary paths. */
  hazards: string[];
  /**
   * Other places the same spelling can land. A `..` after a symbolic link goes to the link target's parent for the
   * kernel (shell redirects) but cancels the link for `path.resolve`; the rules must hold for both.
   */
  alternates: Location[];
  /**
   * The names the file is reached through before links are followed: the path as written, and each link on the way.
   * Writing through `.git/hooks/pre-commit -> scripts/hook.sh` changes the hook, so protected names count here too.
   */
  via: Location[];
}

/** The hazard of a path naming the workspace folder: a concern for a write, the ordinary case for a listing. */
export const WORKSPACE_ITSELF = 'names the workspace folder itself';

/** Enough for any real link chain; a loop stops here instead of hanging the gate. */
const MAX_LINKS = 40;

/**
 * A parsed path. `root` is '/' (POSIX), 'C:/' (a Windows drive), '//server/share/' (UNC) or '//?/' / '//./' (Win32
 * device and verbatim forms); undefined for a relative path.
 */
interface Parsed {
  root: string | undefined;
  parts: string[];
}

interface ResolvedPath {
  root: string;
  parts: string[];
}

/** UNC and device roots are never looked up: even a readlink on `\\attacker\share` sends the user's NTLM hash. */
function isOpaqueRoot(root: string): boolean {
  return root.startsWith('//');
}

function format(root: string, parts: readonly string[]): string {
  return root + parts.join('/');
}

function hex(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

// Characters a reviewer cannot see or that reorder what they see: C0/C1 controls, format characters (zero-width,
// bidi, BOM, tags), variation selectors, Hangul fillers, and every whitespace but the plain space.
const HIDDEN_CHAR = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\u034F\u115F\u1160\u180B-\u180F\u3164\uFE00-\uFE0F\uFFA0]/u;
const HIDDEN_CHARS = new RegExp(HIDDEN_CHAR.source, 'gu');

/** The path with anything invisible spelled out as `\u{...}`, so a message cannot itself carry a bidi trick. */
export function printable(text: string): string {
  return text.replace(HIDDEN_CHARS, (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`);
}

// Latin look-alikes from Cyrillic, Greek and a few IPA letters: the ones that can spell the protected names.
// NFKD already folds fullwidth forms, ligatures and accents.
const CONFUSABLES: Record<string, string> = {
  а: 'a', в: 'b', с: 'c', ԁ: 'd', е: 'e', ё: 'e', һ: 'h', і: 'i', ї: 'i', ј: 'j', к: 'k', ӏ: 'l', м: 'm', н: 'h', о: 'o',
  р: 'p', ԛ: 'q', г: 'r', ѕ: 's', т: 't', у: 'y', ү: 'y', ԝ: 'w', х: 'x', ь: 'b', п: 'n',
  А: 'a', В: 'b', С: 'c', Е: 'e', Н: 'h', І: 'i', Ј: 'j', К: 'k', М: 'm', О: 'o', Р: 'p', Ѕ: 's', Т: 't', Х: 'x', У: 'y',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y',
  Α: 'a', Β: 'b', Ε: 'e', Ζ: 'z', Η: 'h', Ι: 'i', Κ: 'k', Μ: 'm', Ν: 'n', Ο: 'o', Ρ: 'p', Τ: 't', Υ: 'y', Χ: 'x',
  ı: 'i', ɡ: 'g', ɑ: 'a', ʏ: 'y', ɪ: 'i', ո: 'n', օ: 'o', ս: 'u', '\u2024': '.', '\u2219': '.', '\u00B7': '.', '\u2010': '-',
  '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2212': '-', '\u02BC': "'",
};

/** What a name looks like to a reader: accents dropped, compatibility forms folded, look-alike letters mapped. */
function skeleton(name: string): string {
  const folded = name.normalize('NFKD').replace(/\p{M}/gu, '');
  let out = '';
  for (const ch of folded) out += CONFUSABLES[ch] ?? ch;
  return out.toLowerCase();
}

/**
 * Names the file rules protect, by single path component. Used only to spot look-alikes and 8.3 aliases of them;
 * the rules themselves live in fileRules.ts.
 */
function isSensitiveName(lower: string): boolean {
  return (
    lower.startsWith('.env') ||
    ['.git', '.gitmodules', '.github', '.kiro', '.vscode', '.husky', '.npmrc', 'secrets', 'package.json', 'workflows'].includes(lower) ||
    /^id_(rsa|dsa|ecdsa|ed25519)/.test(lower) ||
    lower.endsWith('.pem') ||
    lower.endsWith('.key')
  );
}

/** Long names that an 8.3 short name could stand for and that the rules care about (those that need a short name). */
const SHORT_NAME_TARGETS = ['.git', '.gitmodules', '.github', '.kiro', '.vscode', '.husky', '.npmrc', '.env', 'package.json', 'workflows'];

function shortNameParts(long: string): { base: string; ext: string } {
  const name = long.replace(/^\.+/, '').replace(/ /g, '').toUpperCase();
  const dot = name.lastIndexOf('.');
  const base = (dot < 0 ? name : name.slice(0, dot)).replace(/\./g, '');
  return { base: base.slice(0, 6), ext: dot < 0 ? '' : name.slice(dot + 1, dot + 4) };
}

const SHORT_NAME = /^([^~.]{1,7})~([0-9]{1,6})(?:\.([^.]{1,3}))?$/;

/**
 * NTFS answers to `GIT~1` for `.git`. Without a directory listing the gate cannot know which long name a short one
 * stands for, so it maps to the protected name it could be (the stricter reading) and flags any other.
 */
function mapShortName(component: string, hazards: Set<string>): string {
  const m = SHORT_NAME.exec(component);
  if (!m) return component;
  const base = (m[1] ?? '').toUpperCase();
  const ext = (m[3] ?? '').toUpperCase();
  const candidates = SHORT_NAME_TARGETS.filter((long) => {
    const p = shortNameParts(long);
    return p.base.startsWith(base) && (ext === '' || p.ext.startsWith(ext) || long === '.env');
  });
  const exact = candidates.find((long) => shortNameParts(long).base === base) ?? candidates[0];
  if (exact === '.env') return ext ? `.env.${ext.toLowerCase()}` : '.env';
  if (exact !== undefined) return exact;
  hazards.add(`has a component (${component}) that may be a Windows 8.3 short name standing for a longer, hidden name`);
  return component;
}

const WINDOWS_DEVICE = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Win32 spellings that reach the same file: NTFS streams, trailing dots and spaces, 8.3 short names. */
function cleanWindowsComponent(part: string, hazards: Set<string>): string {
  if (part === '.' || part === '..') return part;
  let name = part;
  const colon = name.indexOf(':');
  if (colon >= 0) {
    hazards.add(`names an NTFS stream (${printable(part)}), which writes into ${printable(name.slice(0, colon)) || 'its folder'} out of sight`);
    name = name.slice(0, colon);
  }
  const trimmed = name.replace(/[. ]+$/, '');
  if (trimmed === '') {
    // `...`, `.. ` and friends: Win32 and NTFS disagree on whether they are a name, `.` or `..`; never guess.
    if (name !== '.' && name !== '..') hazards.add(`has a component made only of dots and spaces (${JSON.stringify(part)}), which Windows reads unpredictably`);
    return name === '' ? '.' : name;
  }
  if (WINDOWS_DEVICE.test(trimmed)) hazards.add(`names a Windows device (${trimmed}) rather than a file`);
  return mapShortName(trimmed, hazards);
}

const HOME_PREFIX = /^(~|\$HOME|\$\{HOME\})(?=[/\\]|$)/;
const WINDOWS_HOME_PREFIX = /^(~|\$HOME|\$\{HOME\}|%USERPROFILE%|%HOME%|\$env:USERPROFILE|\$env:HOME)(?=[/\\]|$)/i;

function expandHome(text: string, ctx: PolicyContext): string {
  const prefix = ctx.os === 'windows' ? WINDOWS_HOME_PREFIX : HOME_PREFIX;
  const m = prefix.exec(text);
  if (m) return ctx.home + text.slice(m[0].length);
  // `~+` is the working directory, where the command starts: the workspace.
  if (/^~\+(?=[/\\]|$)/.test(text)) return ctx.workspaceRoot + text.slice(2);
  // `~user` is another account's home; next to ours is the usual place and is outside the workspace either way.
  const other = /^~([^/\\]+)(?=[/\\]|$)/.exec(text);
  if (other) return `${ctx.home.replace(/[/\\][^/\\]*[/\\]*$/, '')}/${other[1]}${text.slice(other[0].length)}`;
  return text;
}

function parsePath(text: string, ctx: PolicyContext, hazards: Set<string>, opts: { home: boolean }): Parsed {
  let s = opts.home ? expandHome(text, ctx) : text;
  if (ctx.os !== 'windows') {
    const root = s.startsWith('/') ? '/' : undefined;
    return { root, parts: s.split('/').filter((p) => p !== '') };
  }
  s = s.replace(/\\/g, '/');
  let root: string | undefined;
  let rest: string;
  let m: RegExpExecArray | null;
  if ((m = /^\/\/([?.])\//.exec(s))) {
    root = `//${m[1]}/`;
    rest = s.slice(m[0].length);
  } else if ((m = /^\/\/([^/]+)(?:\/([^/]*))?\/?/.exec(s))) {
    root = m[2] ? `//${m[1]}/${m[2]}/` : `//${m[1]}/`;
    rest = s.slice(m[0].length);
  } else if ((m = /^([A-Za-z]):/.exec(s))) {
    const drive = `${(m[1] ?? '').toUpperCase()}:/`;
    rest = s.slice(2);
    if (rest.startsWith('/')) root = drive;
    else {
      // `C:foo` is relative to that drive's current folder, which the gate cannot see. Reading it from the drive's
      // root puts it outside the workspace, the strictest of the places it could be.
      hazards.add(`is relative to the current folder of drive ${drive.slice(0, 2)}, which the gate cannot see`);
      root = drive;
    }
  } else if (s.startsWith('/')) {
    // `\foo` is rooted on the current drive: the workspace's.
    root = /^[A-Za-z]:/.test(ctx.workspaceRoot) ? `${ctx.workspaceRoot.slice(0, 1).toUpperCase()}:/` : '/';
    rest = s;
  } else {
    rest = s;
  }
  const parts = rest
    .split('/')
    .filter((p) => p !== '')
    .map((p) => cleanWindowsComponent(p, hazards));
  return { root, parts };
}

function lexicalJoin(base: readonly string[], parts: readonly string[]): string[] {
  const out = [...base];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out;
}

interface WalkState {
  links: number;
  hazards: Set<string>;
  via: ResolvedPath[];
}

/**
 * Follows the path the way the kernel does: one component at a time, splicing each link's target in, so links on any
 * ancestor and on the leaf (dangling or not) are resolved, and a `..` met after a link climbs from its target.
 */
function follow(start: ResolvedPath, parts: readonly string[], ctx: PolicyContext, fsView: FileSystemView, st: WalkState): ResolvedPath {
  let root = start.root;
  let cur = [...start.parts];
  // The components still to walk, next one last: a stack keeps long or link-heavy paths linear.
  const todo = [...parts].reverse();
  while (todo.length > 0) {
    const c = todo.pop() as string;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      cur.pop();
      continue;
    }
    cur.push(c);
    if (isOpaqueRoot(root)) continue;
    const target = fsView.readlink(format(root, cur));
    if (target === undefined) continue;
    if (st.links >= MAX_LINKS) {
      st.hazards.add(`goes through more than ${MAX_LINKS} symbolic links (a loop?), so where it lands is unknown`);
      continue;
    }
    st.links++;
    st.via.push({ root, parts: lexicalJoin(cur, [...todo].reverse()) });
    cur.pop();
    const t = parsePath(target, ctx, st.hazards, { home: false });
    if (t.root !== undefined) {
      root = t.root;
      cur = [];
    }
    for (let i = t.parts.length - 1; i >= 0; i--) todo.push(t.parts[i] as string);
  }
  return { root, parts: cur };
}

function comparer(ctx: PolicyContext): (a: string, b: string) => boolean {
  return ctx.fs === 'case-insensitive' ? (a, b) => a.toLowerCase() === b.toLowerCase() : (a, b) => a === b;
}

/** Path components, never a string prefix: `/home/dev/project-secrets` is not under `/home/dev/project`. */
function relativeTo(p: ResolvedPath, root: ResolvedPath, eq: (a: string, b: string) => boolean): string | undefined {
  // Drive letters are case-insensitive even on a case-sensitive NTFS folder.
  if (!(eq(p.root, root.root) || (/^[A-Z]:\/$/i.test(p.root) && p.root.toUpperCase() === root.root.toUpperCase()))) return undefined;
  if (p.parts.length < root.parts.length) return undefined;
  for (let i = 0; i < root.parts.length; i++) if (!eq(p.parts[i] ?? '', root.parts[i] ?? '')) return undefined;
  return p.parts.slice(root.parts.length).join('/');
}

/**
 * W0: where a file action's path really lands, and what about its spelling should make a human look.
 * Relative paths are relative to the workspace root; `~` and `$HOME` are `ctx.home`.
 */
export function canonicalize(path: string, ctx: PolicyContext, fsView: FileSystemView): CanonicalPath {
  const hazards = new Set<string>();
  const eq = comparer(ctx);

  for (const ch of path) {
    if (HIDDEN_CHAR.test(ch)) {
      hazards.add(`contains an invisible, control or bidi character (${hex(ch)}) that hides what the path really says`);
    }
  }
  if (path.trim() === '') hazards.add('is empty');

  const rootParsed = parsePath(ctx.workspaceRoot, ctx, new Set(), { home: false });
  const lexicalRoot: ResolvedPath = { root: rootParsed.root ?? '/', parts: lexicalJoin([], rootParsed.parts) };
  const input = parsePath(path, ctx, hazards, { home: true });

  for (const part of input.parts) {
    if (!/[^\x20-\x7E]/.test(part)) continue;
    const looks = skeleton(part);
    if (/^[\x20-\x7E]+$/.test(looks) && isSensitiveName(looks)) {
      const odd = [...part].filter((ch) => /[^\x20-\x7E]/.test(ch)).map(hex);
      hazards.add(`has a component (${printable(part)}) that looks like the protected name ${looks} but is spelled with non-ASCII characters (${odd.join(', ')})`);
    }
  }

  const st: WalkState = { links: 0, hazards, via: [] };
  const resolvedRoot = follow({ root: lexicalRoot.root, parts: [] }, lexicalRoot.parts, ctx, fsView, { links: 0, hazards: new Set(), via: [] });
  const base: ResolvedPath = input.root === undefined ? lexicalRoot : { root: input.root, parts: [] };
  const lexical: ResolvedPath = { root: base.root, parts: lexicalJoin(base.parts, input.parts) };
  const landed = follow({ root: lexical.root, parts: [] }, lexical.parts, ctx, fsView, st);

  const locate = (p: ResolvedPath): Location => ({
    abs: format(p.root, p.parts),
    rel: relativeTo(p, resolvedRoot, eq) ?? relativeTo(p, lexicalRoot, eq),
  });
  const same = (a: Location, b: Location) => eq(a.abs, b.abs);
  const main = locate(landed);

  const alternates: Location[] = [];
  if (input.parts.includes('..')) {
    const physical = locate(follow({ root: base.root, parts: [] }, [...base.parts, ...input.parts], ctx, fsView, st));
    if (!same(physical, main)) {
      hazards.add(`uses '..' after a symbolic link, so it lands at ${printable(main.abs)} or ${printable(physical.abs)} depending on how it is opened`);
      alternates.push(physical);
    }
  }

  const via: Location[] = [];
  for (const p of [lexical, ...st.via]) {
    const loc = locate(p);
    if (!same(loc, main) && !via.some((v) => same(v, loc))) via.push(loc);
  }

  if (main.rel === '') hazards.add(WORKSPACE_ITSELF);
  return { ...main, hazards: [...hazards], alternates, via };
}

/**
 * The world as a policy case describes it. Link keys are workspace-relative or absolute; targets are returned as
 * stored (absolute, or relative to the link's folder), as readlink(2) would.
 */
export function describedFileSystem(ctx: PolicyContext): FileSystemView {
  const fold = ctx.fs === 'case-insensitive' ? (s: string) => s.toLowerCase() : (s: string) => s;
  const rootParsed = parsePath(ctx.workspaceRoot, ctx, new Set(), { home: false });
  const root: ResolvedPath = { root: rootParsed.root ?? '/', parts: lexicalJoin([], rootParsed.parts) };
  const key = (p: string, from: ResolvedPath = root): string => {
    const parsed = parsePath(p, ctx, new Set(), { home: true });
    const base = parsed.root === undefined ? from : { root: parsed.root, parts: [] };
    return fold(format(base.root, lexicalJoin(base.parts, parsed.parts)));
  };

  const links = new Map<string, string>();
  const dangling = new Set<string>(ctx.danglingTargets.map((t) => key(t)));
  for (const [link, target] of Object.entries(ctx.symlinks)) {
    links.set(key(link), target);
    if (ctx.danglingTargets.includes(target)) {
      // A relative target names a file beside the link, not in the workspace root.
      const parsed = parsePath(link, ctx, new Set(), { home: true });
      const linkBase = parsed.root === undefined ? root : { root: parsed.root, parts: [] };
      const folder = lexicalJoin(linkBase.parts, parsed.parts).slice(0, -1);
      dangling.add(key(target, { root: linkBase.root, parts: folder }));
    }
  }
  return {
    readlink: (absPath) => links.get(fold(absPath)),
    exists: (absPath) => (dangling.has(fold(absPath)) ? false : undefined),
  };
}

/** The real disk, read only through readlink and exists, both synchronous and cheap. */
export const realFileSystem: FileSystemView = {
  readlink(absPath) {
    try {
      return readlinkSync(absPath);
    } catch {
      return undefined;
    }
  },
  exists(absPath) {
    try {
      return existsSync(absPath);
    } catch {
      return undefined;
    }
  },
};
