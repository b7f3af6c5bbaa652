/** Work allowed to count a diff (lines × edit distance); beyond it the caller estimates. */
const MAX_WORK = 20_000_000;

/**
 * Lines added and removed between two texts, as git's diffstat counts them (Myers' shortest edit script); or
 * undefined when the texts differ too much for that to be cheap.
 */
export function lineDiffStats(before: string, after: string): { added: number; removed: number } | undefined {
  const a = before.split('\n');
  const b = after.split('\n');
  let lo = 0;
  while (lo < a.length && lo < b.length && a[lo] === b[lo]) lo++;
  let ha = a.length;
  let hb = b.length;
  while (ha > lo && hb > lo && a[ha - 1] === b[hb - 1]) {
    ha--;
    hb--;
  }
  const n = ha - lo;
  const m = hb - lo;
  if (n === 0 || m === 0) return { added: m, removed: n };
  const maxD = Math.min(n + m, Math.floor(MAX_WORK / (n + m)));
  const offset = maxD + 1;
  const v = new Int32Array(2 * maxD + 3);
  for (let d = 0; d <= maxD; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[lo + x] === b[lo + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        const common = (n + m - d) / 2;
        return { added: m - common, removed: n - common };
      }
    }
  }
  return undefined;
}
