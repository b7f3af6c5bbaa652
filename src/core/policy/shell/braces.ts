/** Bash brace expansion of comma lists (`{rm,-rf,x}`, `pre{a,b}post`, nested), for the deny-side view. */
export function expandBraces(word: string, limit = 256): string[] {
  const open = findOpen(word);
  if (open === undefined) return [word];
  const { start, end, parts } = open;
  const out: string[] = [];
  for (const part of parts) {
    for (const rest of expandBraces(word.slice(0, start) + part + word.slice(end + 1), limit)) {
      out.push(rest);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/** The first `{…}` holding a top-level comma, with its comma-separated parts. */
function findOpen(word: string): { start: number; end: number; parts: string[] } | undefined {
  for (let start = word.indexOf('{'); start !== -1; start = word.indexOf('{', start + 1)) {
    let depth = 0;
    const commas: number[] = [];
    for (let i = start; i < word.length; i++) {
      const ch = word[i];
      if (ch === '\\') i++;
      else if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        if (depth === 0) {
          if (commas.length === 0) break;
          const bounds = [start, ...commas, i];
          const parts = bounds.slice(0, -1).map((b, k) => word.slice(b + 1, bounds[k + 1]));
          return { start, end: i, parts };
        }
      } else if (ch === ',' && depth === 1) commas.push(i);
    }
  }
  return undefined;
}
