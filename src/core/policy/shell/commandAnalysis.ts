import type { Parser } from 'web-tree-sitter';
import { copyTree, type SyntaxNode } from './syntaxTree.js';
import { asBashSource, SCRIPT_BLOCK, type Dialect } from './dialect.js';
import { rewriteReadWriteOpens } from './readWriteOpen.js';
import { resolveWord, type Word, type WordEnv } from './words.js';

export interface Redirect {
  /** `>`, `>>`, `>|`, `&>`, `<`, `<<`, `<<<`, `>&`, ... */
  op: string;
  /** The file descriptor written before the operator, if any (`2>`). */
  fd: string | undefined;
  target: Word | undefined;
}

export type CommandKind = 'command' | 'declaration' | 'unset' | 'assignment' | 'function' | 'test' | 'alias';

/** One simple command of a command line, with its words resolved. */
export interface SimpleCommand {
  kind: CommandKind;
  argv: Word[];
  /** `VAR=value` written before the command word (or given to `env`). */
  assignments: Array<{ name: string; value: Word }>;
  redirects: Redirect[];
  /** Its source text. */
  text: string;
  /** How it was reached: `$( )`, `sh -c`, `xargs`, ... (empty at the top level). */
  via: string[];
  /** A heredoc body fed to it, when its delimiter was quoted (the body is data unless a shell reads it). */
  heredocText: string | undefined;
  /** The wrapper that runs it with its own words (`timeout 5 node x.js`), and where among them it starts. */
  wrappedBy?: { cmd: SimpleCommand; at: number };
}

export interface ParseProblem {
  message: string;
}

export interface CommandAnalysis {
  commands: SimpleCommand[];
  problems: ParseProblem[];
}

const MAX_DEPTH = 8;

/**
 * Bash joins lines ended by a backslash before it parses (`r\⏎m` is `rm`), except inside single quotes,
 * `$'…'`, comments and the bodies of heredocs with a quoted delimiter. tree-sitter does not, so this small
 * lexer does it first, tracking exactly those states.
 */
export function removeLineContinuations(source: string): string {
  if (!source.includes('\\\n')) return source;
  let out = '';
  let i = 0;
  const heredocs: Array<{ delim: string; quoted: boolean; tabs: boolean }> = [];
  const n = source.length;
  const atWordStart = () => out.length === 0 || /[\s;&|()<>]$/.test(out);
  while (i < n) {
    const ch = source[i]!;
    if (ch === '\\') {
      if (source[i + 1] === '\n') i += 2;
      else {
        out += source.slice(i, i + 2);
        i += 2;
      }
      continue;
    }
    if (ch === "'" || (ch === '$' && source[i + 1] === "'")) {
      // Single quotes and $'…' (where a backslash escapes the next character).
      const ansi = ch === '$';
      let j = i + (ansi ? 2 : 1);
      while (j < n && source[j] !== "'") j += ansi && source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === '"') {
      out += ch;
      i++;
      while (i < n && source[i] !== '"') {
        if (source[i] === '\\' && source[i + 1] === '\n') i += 2;
        else if (source[i] === '\\') {
          out += source.slice(i, i + 2);
          i += 2;
        } else out += source[i++];
      }
      if (i < n) out += source[i++];
      continue;
    }
    if (ch === '#' && atWordStart()) {
      const nl = source.indexOf('\n', i);
      const end = nl === -1 ? n : nl;
      out += source.slice(i, end);
      i = end;
      continue;
    }
    if (ch === '<' && source[i + 1] === '<' && source[i + 2] !== '<') {
      const m = /^<<(-?)[ \t]*((?:'[^'\n]*'|"[^"\n]*"|\\.|[^\s;&|()<>])+)/.exec(source.slice(i));
      if (m) {
        const word = m[2]!;
        heredocs.push({ delim: word.replace(/['"\\]/g, ''), quoted: /['"\\]/.test(word), tabs: m[1] === '-' });
        out += m[0];
        i += m[0].length;
        continue;
      }
    }
    if (ch === '\n' && heredocs.length > 0) {
      out += ch;
      i++;
      // The bodies follow this line, in order; a quoted delimiter keeps its body as it is.
      for (const h of heredocs.splice(0)) {
        while (i < n) {
          const nl = source.indexOf('\n', i);
          const lineEnd = nl === -1 ? n : nl;
          const line = source.slice(i, lineEnd);
          const done = (h.tabs ? line.replace(/^\t+/, '') : line) === h.delim;
          out += done || h.quoted ? line : line.replace(/\\$/, '');
          const joined = !done && !h.quoted && line.endsWith('\\') && nl !== -1;
          if (!joined && nl !== -1) out += '\n';
          i = nl === -1 ? n : nl + 1;
          if (done) break;
        }
      }
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/**
 * Decomposes a command line into simple commands (RULES.md C2): through lists, pipelines, subshells, groups,
 * control flow, functions, command and process substitutions (also inside double quotes and redirect
 * targets) and unquoted heredoc bodies. Code-bearing words (`sh -c`, wrappers, ...) are opened by the caller
 * through `analyseCode`, which this module also uses for nested code.
 */
export function analyseCode(parser: Parser, code: string, home: string, via: string[] = [], dialect: Dialect = 'bash'): CommandAnalysis {
  const { source, at: readWriteOpens } = rewriteReadWriteOpens(removeLineContinuations(asBashSource(code, dialect)));
  const tree = parser.parse(source);
  const result: CommandAnalysis = { commands: [], problems: [] };
  if (!tree) {
    result.problems.push({ message: 'the command could not be parsed' });
    return result;
  }
  try {
    const root = copyTree(tree, source);
    if (root.hasError) result.problems.push({ message: describeSyntaxError(root) });
    const env: WordEnv = { source, home, assignments: collectAssignments(root, source, home) };
    const walker = new Walker(env, result, readWriteOpens);
    walker.walk(root, via);
  } finally {
    tree.delete();
  }
  return result;
}

function describeSyntaxError(root: SyntaxNode): string {
  const err = root.descendantsOfType('ERROR')[0];
  const text = err ? err.text.slice(0, 40) : '';
  // A script block bash cannot place (`if ($x) { … }`, `foreach (…) { … }`): PowerShell control flow, not a quote.
  if (err?.text.includes(SCRIPT_BLOCK)) return 'PowerShell control flow with a script block (if, foreach, function, …), which the gate does not analyse';
  if (/^["'`]|["']$/.test(text) || /["']/.test(text)) return 'syntax error: an unterminated quote or construct';
  return `syntax error near ${JSON.stringify(text)}`;
}

/** Literal `name=value` assignments (no expansions), for the deny-side evaluation of later `$name`. */
function collectAssignments(root: SyntaxNode, source: string, home: string): WordEnv['assignments'] {
  const map: WordEnv['assignments'] = new Map();
  const bare: WordEnv = { source, home, assignments: new Map() };
  for (const a of root.descendantsOfType('variable_assignment')) {
    if (!a) continue;
    const name = a.childForFieldName('name')?.text;
    const value = a.childForFieldName('value');
    if (!name) continue;
    const w = value ? resolveWord(value, bare) : undefined;
    if (w && w.value === null) continue;
    const list = map.get(name) ?? [];
    list.push({ at: a.endIndex, value: w?.value ?? '' });
    map.set(name, list);
  }
  return map;
}

class Walker {
  constructor(
    private readonly env: WordEnv,
    private readonly out: CommandAnalysis,
    private readonly readWriteOpens: ReadonlySet<number>,
  ) {}

  walk(node: SyntaxNode, via: string[]): void {
    switch (node.type) {
      case 'comment':
        return;
      case 'command':
        this.command(node, via, []);
        return;
      case 'redirected_statement':
        this.redirected(node, via);
        return;
      case 'declaration_command':
        this.keywordCommand(node, via, 'declaration');
        return;
      case 'unset_command':
        this.keywordCommand(node, via, 'unset');
        return;
      case 'test_command':
        this.keywordCommand(node, via, 'test');
        return;
      case 'variable_assignment':
      case 'variable_assignments':
        this.bareAssignment(node, via);
        return;
      case 'function_definition': {
        this.push({ kind: 'function', argv: [], assignments: [], redirects: [], text: firstLine(node.text), via, heredocText: undefined });
        const body = node.childForFieldName('body');
        if (body) this.walk(body, [...via, 'function body']);
        return;
      }
      case 'command_substitution':
      case 'process_substitution':
        for (const c of node.namedChildren) if (c) this.walk(c, [...via, node.type === 'command_substitution' ? '$( )' : '<( )']);
        return;
      default:
        for (const c of node.namedChildren) {
          if (!c) continue;
          if (isWordNode(c)) this.substitutionsOf(resolveWord(c, this.env), via);
          else this.walk(c, via);
        }
    }
  }

  private push(cmd: SimpleCommand): void {
    this.out.commands.push(cmd);
  }

  private substitutionsOf(word: Word, via: string[]): void {
    for (const s of word.substitutions) this.walk(s, via);
  }

  private command(node: SyntaxNode, via: string[], outerRedirects: Redirect[], outerHeredoc?: string): SimpleCommand {
    let heredocText = outerHeredoc;
    const assignments: SimpleCommand['assignments'] = [];
    const argv: Word[] = [];
    const redirects: Redirect[] = [...outerRedirects];
    const nested: Word[] = [];
    for (const c of node.namedChildren) {
      if (!c) continue;
      if (c.type === 'variable_assignment') {
        const a = this.assignment(c);
        assignments.push(a);
        nested.push(a.value);
      } else if (c.type === 'file_redirect' || c.type === 'herestring_redirect' || c.type === 'heredoc_redirect') {
        heredocText = this.collectRedirect(c, via, redirects) ?? heredocText;
      } else if (c.type === 'subshell') {
        // `echo (abc)`, zsh's `=(cmd)`: bash refuses a parenthesis after a word, tree-sitter reads a subshell.
        this.out.problems.push({ message: `syntax error near "(" (a parenthesis after a word: ${firstLine(c.text).slice(0, 40)})` });
        this.walk(c, via);
      } else if (c.type === 'command_name' || isWordNode(c)) {
        const w = resolveWord(c, this.env);
        argv.push(w);
        nested.push(w);
      } else {
        this.walk(c, via);
      }
    }
    const cmd: SimpleCommand = { kind: 'command', argv, assignments, redirects, text: node.text, via, heredocText };
    this.push(cmd);
    for (const w of nested) this.substitutionsOf(w, via);
    return cmd;
  }

  private redirected(node: SyntaxNode, via: string[]): void {
    const redirects: Redirect[] = [];
    let heredocText: string | undefined;
    for (const c of node.namedChildren) {
      if (!c || c === node.childForFieldName('body')) continue;
      heredocText = this.collectRedirect(c, via, redirects) ?? heredocText;
    }
    const body = node.childForFieldName('body');
    if (body?.type === 'command') {
      this.command(body, via, redirects, heredocText);
      return;
    }
    if (body) this.walk(body, via);
    // Redirects of a compound statement still write files: keep them on a command of their own.
    if (redirects.length > 0) this.push({ kind: 'command', argv: [], assignments: [], redirects, text: node.text, via, heredocText });
  }

  /**
   * One redirect of a command, into `redirects`; for a heredoc, its body's text is returned. tree-sitter hangs what
   * follows a heredoc operator on the line under it: redirects of the same command (`cat <<EOF > ~/.bashrc`) and
   * the rest of a pipeline or list (`cat <<EOF | sh`), which are walked as commands of their own.
   */
  private collectRedirect(node: SyntaxNode, via: string[], redirects: Redirect[]): string | undefined {
    const r = this.redirect(node, via);
    if (r) redirects.push(r);
    if (node.type !== 'heredoc_redirect') return undefined;
    for (const c of node.namedChildren) {
      if (!c || /^heredoc_(start|body|end)$/.test(c.type) || c.type === 'ERROR') continue;
      if (c.type === 'file_redirect' || c.type === 'herestring_redirect') redirects.push(this.redirect(c, via)!);
      else this.walk(c, via);
    }
    return this.heredoc(node, via);
  }

  /** Substitutions in an unquoted heredoc body run; a quoted body is data, returned for a shell that reads it. */
  private heredoc(node: SyntaxNode, via: string[]): string | undefined {
    const start = node.namedChildren.find((c) => c?.type === 'heredoc_start');
    const body = node.namedChildren.find((c) => c?.type === 'heredoc_body');
    if (!body) return undefined;
    const quoted = !!start && /['"\\]/.test(start.text);
    if (!quoted) for (const s of body.descendantsOfType(['command_substitution', 'process_substitution'])) if (s) this.walk(s, [...via, 'heredoc']);
    return body.text;
  }

  private redirect(node: SyntaxNode, via: string[]): Redirect | undefined {
    if (node.type === 'heredoc_redirect') return { op: '<<', fd: undefined, target: undefined };
    const dest = node.childForFieldName('destination') ?? node.namedChildren.find((c) => c && c.type !== 'file_descriptor');
    const fd = node.namedChildren.find((c) => c?.type === 'file_descriptor')?.text;
    const opMatch = /(&>>|&>|>>|>\||>&|<&|<>|<<<|>|<)/.exec(node.text.slice(fd?.length ?? 0));
    const target = dest ? resolveWord(dest, this.env) : undefined;
    if (target) this.substitutionsOf(target, via);
    if (dest?.type === 'process_substitution') this.walk(dest, via);
    const opAt = node.startIndex + (fd?.length ?? 0) + (opMatch?.index ?? 0);
    return { op: this.readWriteOpens.has(opAt) ? '<>' : (opMatch?.[1] ?? '>'), fd, target };
  }

  private keywordCommand(node: SyntaxNode, via: string[], kind: CommandKind): void {
    const argv: Word[] = [];
    const keyword = node.children[0];
    // `[`, `[[`, `declare`, `unset`: a keyword or builtin name, never a glob or an expansion.
    if (keyword) argv.push({ ...emptyWord(keyword), value: keyword.text, deny: keyword.text, text: keyword.text });
    const assignments: SimpleCommand['assignments'] = [];
    for (const c of node.namedChildren) {
      if (!c) continue;
      if (c.type === 'variable_assignment') {
        const a = this.assignment(c);
        assignments.push(a);
        this.substitutionsOf(a.value, via);
      } else if (isWordNode(c) || c.type === 'variable_name') {
        const w = resolveWord(c, this.env);
        argv.push(w);
        this.substitutionsOf(w, via);
      } else this.walk(c, via);
    }
    this.push({ kind, argv, assignments, redirects: [], text: node.text, via, heredocText: undefined });
  }

  private bareAssignment(node: SyntaxNode, via: string[]): void {
    const list = node.type === 'variable_assignments' ? node.namedChildren : [node];
    const assignments: SimpleCommand['assignments'] = [];
    for (const node of list) {
      if (!node || node.type !== 'variable_assignment') continue;
      const a = this.assignment(node);
      assignments.push(a);
      this.substitutionsOf(a.value, via);
    }
    this.push({ kind: 'assignment', argv: [], assignments, redirects: [], text: node.text, via, heredocText: undefined });
  }

  private assignment(node: SyntaxNode): SimpleCommand['assignments'][number] {
    const value = node.childForFieldName('value');
    return { name: node.childForFieldName('name')?.text ?? '', value: value ? resolveWord(value, this.env) : emptyWord(node) };
  }
}

const WORD_TYPES = new Set(['word', 'string', 'raw_string', 'ansi_c_string', 'translated_string', 'concatenation', 'simple_expansion', 'expansion', 'number', 'command_substitution', 'process_substitution', 'arithmetic_expansion', 'brace_expression']);

function isWordNode(node: SyntaxNode): boolean {
  return WORD_TYPES.has(node.type);
}

function emptyWord(node: SyntaxNode): Word {
  return { value: '', deny: '', glob: false, guessed: false, split: false, quoted: false, substitutions: [], expansions: [], text: '', node };
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return nl === -1 ? s : `${s.slice(0, nl)} …`;
}

export { MAX_DEPTH };
