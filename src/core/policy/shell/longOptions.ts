/**
 * GNU getopt_long and git's parse-options take any unambiguous prefix of a long option (`--in-pl` is
 * `--in-place`), so a rule that looks for one option must look for its prefixes too. Returns the full name
 * (without `--`) and the `=value` part, or undefined when the word is no long option of `names` or is ambiguous.
 */
export function longOption(word: string, names: readonly string[]): { name: string; value: string | undefined } | undefined {
  if (!word.startsWith('--') || word.length < 3) return undefined;
  const eq = word.indexOf('=');
  const given = word.slice(2, eq === -1 ? undefined : eq);
  const value = eq === -1 ? undefined : word.slice(eq + 1);
  let found: string | undefined;
  for (const n of names) {
    if (n === given) return { name: n, value };
    if (!n.startsWith(given)) continue;
    // Two candidates: ambiguous, unless an exact match comes later.
    if (found !== undefined) return names.includes(given) ? { name: given, value } : undefined;
    found = n;
  }
  return found === undefined ? undefined : { name: found, value };
}
