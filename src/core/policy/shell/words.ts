import type { SyntaxNode } from './syntaxTree.js';

/** What the deny-side evaluation knows: the home folder and literal assignments seen earlier on the line. */
export interface WordEnv {
  /** The text the syntax tree was parsed from. */
  source: string;
  home: string;
  /** Literal `name=value` assignments by name, with the offset where each was made. */
  assignments: Map<string, Array<{ at: number; value: string }>>;
}

/**
 * A word after quote removal, escapes, `$'…'` decoding and `~`. `value` is null when the word has a part
 * whose value is unknown (a variable, a substitution): it can never be allowed. `deny` is the best guess
 * used only to find forbidden commands: `$IFS` as a space, `$@`/`$*` as empty, earlier literal assignments,
 * `$HOME` as home, any other unknown as empty.
 */
export interface Word {
  value: string | null;
  deny: string;
  /** Unquoted glob characters, which the shell would expand. */
  glob: boolean;
  /**
   * `deny` took some unknown part as empty (a variable other than `$HOME`, a substitution): it cannot tell where a
   * path lands. `~`, `$HOME` and earlier literal assignments are exact.
   */
  guessed: boolean;
  /** The deny value has spaces from an unquoted `$IFS` and must be split again. */
  split: boolean;
  /** Some part was quoted (so it is data even if it looks like an operator). */
  quoted: boolean;
  /** Command and process substitutions inside the word, to analyse as commands. */
  substitutions: SyntaxNode[];
  /** Parameter expansions inside the word (`$x`, `${x@P}`). */
  expansions: string[];
  text: string;
  node: SyntaxNode;
}

export function resolveWord(node: SyntaxNode, env: WordEnv): Word {
  const w: Word = { value: '', deny: '', glob: false, guessed: false, split: false, quoted: false, substitutions: [], expansions: [], text: node.text, node };
  appendPart(w, node, env, false);
  return w;
}

function add(w: Word, literal: string | null, deny: string): void {
  w.value = literal === null || w.value === null ? null : w.value + literal;
  w.deny += deny;
}

function appendPart(w: Word, node: SyntaxNode, env: WordEnv, inDoubleQuotes: boolean): void {
  switch (node.type) {
    case 'word':
    case 'number':
    case 'command_name':
    case 'variable_name':
      if (node.type === 'command_name' && node.namedChildCount > 0) {
        for (const c of node.namedChildren) if (c) appendPart(w, c, env, inDoubleQuotes);
        return;
      }
      appendUnquoted(w, node.text, env, node.startIndex === w.node.startIndex);
      return;
    case 'raw_string':
      w.quoted = true;
      add(w, node.text.slice(1, -1), node.text.slice(1, -1));
      return;
    case 'ansi_c_string': {
      w.quoted = true;
      const decoded = decodeAnsiC(node.text.slice(2, -1));
      add(w, decoded, decoded);
      return;
    }
    case 'string':
    case 'translated_string': {
      w.quoted = true;
      const open = node.type === 'translated_string' ? 2 : 1;
      let cursor = node.startIndex + open;
      const end = node.endIndex - 1;
      for (const c of node.namedChildren) {
        if (!c) continue;
        if (c.startIndex > cursor) {
          const between = env.source.slice(cursor, c.startIndex);
          add(w, unescapeDoubleQuoted(between), unescapeDoubleQuoted(between));
        }
        if (c.type === 'string_content') {
          const t = unescapeDoubleQuoted(c.text);
          add(w, t, t);
        } else appendPart(w, c, env, true);
        cursor = c.endIndex;
      }
      if (end > cursor) {
        const rest = env.source.slice(cursor, end);
        add(w, unescapeDoubleQuoted(rest), unescapeDoubleQuoted(rest));
      }
      return;
    }
    case 'concatenation':
      for (const c of node.children) if (c) appendPart(w, c, env, inDoubleQuotes);
      // tree-sitter splits `log[0-9].txt` at the brackets: the bracket expression spans its unquoted parts.
      if (!inDoubleQuotes && /\[[^\]]+\]/.test(node.children.map((c) => (c.type === 'word' ? c.text : ' ')).join(''))) w.glob = true;
      return;
    case 'simple_expansion':
    case 'expansion': {
      const name = node.namedChildren.find((c) => c?.type === 'variable_name' || c?.type === 'special_variable_name')?.text ?? node.text;
      w.expansions.push(node.text);
      const known = expandForDeny(node, name, env);
      if (known.split && !inDoubleQuotes) w.split = true;
      if (!known.exact) w.guessed = true;
      add(w, known.literal, known.deny);
      for (const c of node.descendantsOfType(['command_substitution', 'process_substitution'])) if (c) w.substitutions.push(c);
      return;
    }
    case 'command_substitution':
      w.substitutions.push(node);
      w.guessed = true;
      add(w, null, '');
      return;
    case 'process_substitution':
      // The word becomes a pipe's name, not the command's output: the inner commands are checked on their own (C2).
      w.substitutions.push(node);
      add(w, '/dev/fd/63', '');
      return;
    case 'arithmetic_expansion':
      for (const c of node.descendantsOfType(['command_substitution', 'process_substitution'])) if (c) w.substitutions.push(c);
      w.guessed = true;
      add(w, null, '');
      return;
    case 'string_content':
      add(w, unescapeDoubleQuoted(node.text), unescapeDoubleQuoted(node.text));
      return;
    default:
      // brace_expression, extglob_pattern and the rest: keep the text, but never treat it as a known value.
      for (const c of node.descendantsOfType(['command_substitution', 'process_substitution'])) if (c) w.substitutions.push(c);
      w.guessed = true;
      add(w, null, node.text);
  }
}

/**
 * `$HOME` is the context's home; `$IFS` is a space; `$@`/`$*` empty; earlier literal assignments. For the deny
 * side only (RULES.md C3): the value that runs is never known here, so the word is never allowed for it.
 */
function expandForDeny(node: SyntaxNode, name: string, env: WordEnv): { literal: null; deny: string; split: boolean; exact: boolean } {
  const plain = node.type === 'simple_expansion' || /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(node.text);
  if (plain && name === 'HOME') return { literal: null, deny: env.home, split: false, exact: true };
  if (plain && name === 'IFS') return { literal: null, deny: ' ', split: true, exact: false };
  if (plain && (name === '@' || name === '*')) return { literal: null, deny: '', split: false, exact: false };
  if (plain) {
    const seen = env.assignments.get(name)?.filter((a) => a.at < node.startIndex).at(-1);
    if (seen) return { literal: null, deny: seen.value, split: false, exact: true };
  }
  return { literal: null, deny: '', split: false, exact: false };
}

function appendUnquoted(w: Word, text: string, env: WordEnv, atWordStart: boolean): void {
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      literal += text[++i];
      continue;
    }
    if (ch === '*' || ch === '?' || (ch === '[' && text.includes(']', i))) w.glob = true;
    if (ch === '~' && i === 0 && atWordStart && (text.length === 1 || text[1] === '/')) {
      // Like $HOME: the home folder for the deny side, a value only known at run time for the allow side.
      w.expansions.push('~');
      add(w, null, literal + env.home);
      literal = '';
      continue;
    }
    literal += ch;
  }
  add(w, literal, literal);
}

function unescapeDoubleQuoted(s: string): string {
  return s.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c));
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** Bash's `$'…'` escapes. */
export function decodeAnsiC(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)/g, (_, e: string) => {
    if (e[0] === 'x' || e[0] === 'u' || e[0] === 'U') return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    if (e[0] === 'c') return String.fromCharCode(e.charCodeAt(1) & 31);
    return SIMPLE_ESCAPES[e] ?? `\\${e}`;
  });
}
