/**
 * `cmd <> file` (and `n<>file`) opens file for reading and writing, which tree-sitter-bash does not parse. It is
 * rewritten to `>>` (same length, so every offset stays true), which also writes without truncating; the offsets
 * of the rewritten operators are kept so the redirect is still reported as `<>` (RULES.md C7).
 */
export function rewriteReadWriteOpens(source: string): { source: string; at: ReadonlySet<number> } {
  const at = new Set<number>();
  if (!source.includes('<>')) return { source, at };
  let i = 0;
  const n = source.length;
  while (i < n) {
    const ch = source[i]!;
    if (ch === '\\') i += 2;
    else if (ch === "'") {
      const end = source.indexOf("'", i + 1);
      i = end === -1 ? n : end + 1;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < n && source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else if (ch === '#' && (i === 0 || /[\s;&|()]/.test(source[i - 1]!))) {
      const nl = source.indexOf('\n', i);
      i = nl === -1 ? n : nl;
    } else if (ch === '<' && source[i + 1] === '>' && source[i - 1] !== '<') {
      at.add(i);
      i += 2;
    } else i++;
  }
  if (at.size === 0) return { source, at };
  let out = '';
  let last = 0;
  for (const k of at) {
    out += `${source.slice(last, k)}>>`;
    last = k + 2;
  }
  return { source: out + source.slice(last), at };
}
