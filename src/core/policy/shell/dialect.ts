/** The shell a command line is written for (RULES.md §0 `shell`, and the `pwsh`/`cmd` wrappers of C4). */
export type Dialect = 'bash' | 'powershell' | 'cmd';

/**
 * A PowerShell or cmd line rewritten as bash text with the same words, so the one real grammar reads it
 * (RULES.md C7): there `\` is a path separator, never an escape, and the escape is the backtick (PowerShell) or
 * `^` (cmd). Each `\` becomes `\\`, each escape `\x`. cmd has no quoting with `'` and no `$`, and its `%VAR%` is a
 * variable like bash's `${VAR}`. Operators (`;`, `|`, `&&`, `>`, `&`) mean the same for the decomposition.
 */
export function asBashSource(code: string, dialect: Dialect): string {
  if (dialect === 'bash') return code;
  return dialect === 'powershell' ? fromPowerShell(code) : fromCmd(code);
}

/** PowerShell's quote characters: the typographic ones delimit strings as the ASCII ones do. */
const PS_SINGLE = "'\u2018\u2019\u201a\u201b";
const PS_DOUBLE = '"\u201c\u201d\u201e';

/**
 * Marks a PowerShell script block `{ … }` passed as an argument: it is code (RULES.md C4/C8), which bash would
 * read as plain words. The block becomes one single-quoted word starting with this character, and the analysis
 * opens it again as PowerShell code of its own (codeBearing.ts).
 */
export const SCRIPT_BLOCK = '\u0001';

/** Whether `c` is one of `quotes` (never true past the end of the text). */
const isQuote = (quotes: string, c: string | undefined): boolean => c !== undefined && c !== '' && quotes.includes(c);

/** `text` as one bash single-quoted word holding exactly these characters. */
const singleQuoted = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;

function fromPowerShell(code: string): string {
  let out = '';
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    const hereString = ch === '@' && (isQuote(PS_SINGLE, code[i + 1]) || isQuote(PS_DOUBLE, code[i + 1])) && /^[ \t]*\r?\n/.test(code.slice(i + 2));
    if (hereString) {
      // @'…'@ is data; @"…"@ expands `$x` and `$( )` like a double-quoted string. Both end at a line starting with the quote and @.
      const single = isQuote(PS_SINGLE, code[i + 1]);
      const end = new RegExp(`\\n[${single ? PS_SINGLE : PS_DOUBLE}]@`).exec(code.slice(i + 2));
      const stop = end ? i + 2 + end.index + end[0].length : code.length;
      const body = code.slice(i + 2, end ? i + 2 + end.index : code.length);
      out += single ? singleQuoted(body) : `"${doubleQuotedBody(body)}"`;
      i = stop - 1;
    } else if (isQuote(PS_SINGLE, ch)) {
      // Literal text; a doubled quote inside is one quote character.
      let j = i + 1;
      let text = '';
      for (; j < code.length; j++) {
        if (!isQuote(PS_SINGLE, code[j])) text += code[j];
        else if (isQuote(PS_SINGLE, code[j + 1])) text += code[++j];
        else break;
      }
      out += j < code.length ? singleQuoted(text) : `'${text}`;
      i = j;
    } else if (isQuote(PS_DOUBLE, ch)) {
      let j = i + 1;
      let body = '';
      for (; j < code.length; j++) {
        const c = code[j]!;
        if (c === '`' && j + 1 < code.length) body += code.slice(j, ++j + 1);
        else if (isQuote(PS_DOUBLE, c) && isQuote(PS_DOUBLE, code[j + 1])) body += code[++j] === '"' ? '`"' : `\`${code[j]}`;
        else if (isQuote(PS_DOUBLE, c)) break;
        else body += c;
      }
      out += `"${doubleQuotedBody(body)}${j < code.length ? '"' : ''}`;
      i = j;
    } else if (ch === '{' && startsScriptBlock(code, i)) {
      const end = closingBrace(code, i);
      if (end === -1) out += ch;
      else {
        out += singleQuoted(SCRIPT_BLOCK + code.slice(i + 1, end));
        i = end;
      }
    } else if (ch === '`') {
      if (i + 1 < code.length) out += `\\${code[++i]}`;
    } else if (ch === '\\') out += '\\\\';
    else out += ch;
  }
  return out;
}

/** The inside of a PowerShell double-quoted string as the inside of a bash one (the backtick is the escape). */
function doubleQuotedBody(body: string): string {
  let out = '';
  for (let j = 0; j < body.length; j++) {
    const c = body[j]!;
    if (c === '`' && j + 1 < body.length) out += escapedInDoubleQuotes(body[++j]!);
    else if (c === '\\') out += '\\\\';
    else if (c === '"') out += '\\"';
    else out += c;
  }
  return out;
}

/**
 * Whether the `{` at `i` opens a script block: at the start of a word (`ForEach-Object {`, `({`, `;{`) or as the
 * value of a parameter (`-Process:{`). Inside a bare word (`--env=a{b}`) it is text.
 */
function startsScriptBlock(code: string, i: number): boolean {
  if (i === 0 || /[\s(;|&]/.test(code[i - 1]!)) return true;
  return code[i - 1] === ':' && /(^|\s)-[A-Za-z]+:$/.test(code.slice(Math.max(0, i - 40), i));
}

/** The `}` that closes the script block opened at `open`, past nested blocks and quoted text; -1 if none. */
function closingBrace(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i]!;
    if (c === '`') i++;
    else if (isQuote(PS_SINGLE, c) || isQuote(PS_DOUBLE, c)) {
      const quotes = isQuote(PS_SINGLE, c) ? PS_SINGLE : PS_DOUBLE;
      for (i++; i < code.length && !isQuote(quotes, code[i]); i++) if (code[i] === '`' && quotes === PS_DOUBLE) i++;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function fromCmd(code: string): string {
  let out = '';
  const variable = /^%([A-Za-z_][A-Za-z0-9_()]*)%/;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    const v = ch === '%' ? variable.exec(code.slice(i)) : null;
    if (v) {
      out += `\${${v[1]!.replace(/[()]/g, '_')}}`;
      i += v[0].length - 1;
    } else if (ch === '"') {
      out += '"';
      let j = i + 1;
      for (; j < code.length && code[j] !== '"'; j++) {
        const c = code[j]!;
        const inner = c === '%' ? variable.exec(code.slice(j)) : null;
        if (inner) {
          out += `\${${inner[1]!.replace(/[()]/g, '_')}}`;
          j += inner[0].length - 1;
        } else out += '\\$`'.includes(c) ? `\\${c}` : c;
      }
      if (j < code.length) out += '"';
      i = j;
    } else if (ch === '^') {
      if (i + 1 < code.length) out += `\\${code[++i]}`;
    } else if ('\\$`\'{}~#!'.includes(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

function escapedInDoubleQuotes(c: string): string {
  return '"$`\\'.includes(c) ? `\\${c}` : c;
}
