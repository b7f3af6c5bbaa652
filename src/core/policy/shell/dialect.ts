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

function fromPowerShell(code: string): string {
  let out = '';
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    if (ch === "'") {
      // Literal text; '' inside is a quote, which bash reads as two adjacent strings: the same characters bar one.
      const end = code.indexOf("'", i + 1);
      const stop = end === -1 ? code.length : end + 1;
      out += code.slice(i, stop);
      i = stop - 1;
    } else if (ch === '"') {
      out += '"';
      let j = i + 1;
      for (; j < code.length && code[j] !== '"'; j++) {
        const c = code[j]!;
        if (c === '`' && j + 1 < code.length) out += escapedInDoubleQuotes(code[++j]!);
        else if (c === '\\') out += '\\\\';
        else out += c;
      }
      if (j < code.length) out += '"';
      i = j;
    } else if (ch === '`') {
      if (i + 1 < code.length) out += `\\${code[++i]}`;
    } else if (ch === '\\') out += '\\\\';
    else out += ch;
  }
  return out;
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
