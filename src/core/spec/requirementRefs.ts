/**
 * Requirement references in a task's detail lines, as Kiro writes them:
 * `_Requirements: 1.1, 2.3_`, `**Validates: Requirements 1.2, 3.4**`, `_Requirements: 3.1–3.4_`,
 * `_Requirements: FR-1, NFR-2_`, the Japanese and Chinese forms Kiro writes (`_要件: 1.1_`, `_需求: 2.1_`,
 * `**検証対象: 要件 6.1**`, `**验证: 需求 3.2**`), and lists wrapped over several lines (`..., 8,` then `9, 10_`).
 * Words such as `All` or `Performance` are not ids and are left out.
 */
const LEAD =
  /^[_*\s]*(?:(?:Validates|验证|検証対象)\s*[:：]\s*(?:Requirements?|需求|要件)\s*[:：]?|(?:Requirements?|要件|需求|Requisitos|Anforderungen|Exigences)\s*[:：])\s*(.*)$/i;
const REF = /^(?:[A-Za-z]+-)?\d+(?:\.\d+)*[a-z]?$/;
const RANGE = /^(\d+(?:\.\d+)*)\s*(?:[–—-]|\.\.|\bthrough\b|\bto\b)\s*(\d+(?:\.\d+)*)$/i;
/** Ranges longer than this are kept as their two ends: a typo must not expand into thousands of ids. */
const MAX_RANGE = 50;

export function readRequirementRefs(lines: readonly string[]): string[] {
  const refs: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = LEAD.exec(lines[i]!);
    if (!m) continue;
    let list = m[1]!;
    while (/,\s*$/.test(list) && i + 1 < lines.length && !LEAD.test(lines[i + 1]!)) list += ' ' + lines[++i]!;
    for (const raw of list.replace(/[_*]+\s*$/, '').split(/[,;]/)) addRef(refs, raw.replace(/[_*`]/g, '').trim().replace(/\.$/, ''));
  }
  return refs;
}

function addRef(refs: string[], token: string): void {
  if (REF.test(token)) {
    if (!refs.includes(token)) refs.push(token);
    return;
  }
  const r = RANGE.exec(token);
  if (!r) return;
  for (const id of expandRange(r[1]!, r[2]!)) if (!refs.includes(id)) refs.push(id);
}

/** `3.1`..`3.4` -> 3.1, 3.2, 3.3, 3.4; `1`..`3` -> 1, 2, 3; anything else -> its two ends. */
function expandRange(from: string, to: string): string[] {
  const a = from.split('.');
  const b = to.split('.');
  const prefixA = a.slice(0, -1).join('.');
  const prefixB = b.slice(0, -1).join('.');
  const lo = Number(a.at(-1));
  const hi = Number(b.at(-1));
  if (a.length !== b.length || prefixA !== prefixB || hi < lo || hi - lo > MAX_RANGE) return [from, to];
  const out: string[] = [];
  for (let n = lo; n <= hi; n++) out.push(prefixA ? `${prefixA}.${n}` : String(n));
  return out;
}
