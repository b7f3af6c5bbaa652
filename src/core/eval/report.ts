import { plural } from '../text/plural.js';
import type { EvalResults, EvalRun, EvalTotal, Spread } from './results.js';

const pct = (x: number) => `${Math.round(x * 100)}%`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
/** "80% ± 10%" with repeats, "80%" with one (no spread to speak of). */
const withSpread = (s: Spread, show: (x: number) => string, repeats: number) => (repeats > 1 ? `${show(s.mean)} ± ${show(s.sd)}` : show(s.mean));

interface CaseRow {
  case: string;
  model: string;
  level: string;
  runs: EvalRun[];
}

/** One row per case × model × level, its repeats together, in the order they ran. */
function caseRows(results: EvalResults): CaseRow[] {
  const rows: CaseRow[] = [];
  for (const r of results.runs) {
    let row = rows.find((x) => x.case === r.case && x.model === r.model && x.level === r.level);
    if (!row) rows.push((row = { case: r.case, model: r.model, level: r.level, runs: [] }));
    row.runs.push(r);
  }
  return rows;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function rowCells(row: CaseRow): string[] {
  const n = row.runs.length;
  const count = (pick: (r: EvalRun) => boolean) => `${row.runs.filter(pick).length}/${n}`;
  const statuses = [...new Set(row.runs.map((r) => r.status))].join(', ');
  return [
    row.case,
    row.model,
    row.level,
    count((r) => r.success),
    count((r) => r.selfVerified),
    statuses,
    num(mean(row.runs.map((r) => r.tokens.total))),
    seconds(mean(row.runs.map((r) => r.durationMs))),
    num(mean(row.runs.map((r) => r.selfCorrections))),
    `${num(mean(row.runs.map((r) => r.gateAsks)))}/${num(mean(row.runs.map((r) => r.gateDenies)))}`,
  ];
}

const CASE_HEADER = ['case', 'model', 'level', 'success', 'self-verified', 'outcome', 'tokens', 'time', 'self-corr.', 'asks/denies'];
const TOTAL_HEADER = ['model', 'level', 'runs', 'success', 'self-verified', 'tokens/run', 'cost/run', 'time/run', 'self-corr./run', 'asks/run', 'denies/run'];

/** Cost per run; a cost some requests of which had no known price is said to be partial, as the panel says it. */
function costCell(t: EvalTotal): string {
  const unpriced = t.unpricedRequests > 0 ? `no price known for ${plural(t.unpricedRequests, 'request')}` : '';
  if (!t.costUsd) return unpriced || '–';
  return `${withSpread(t.costUsd, (x) => `$${x.toFixed(4)}`, 2)}${unpriced ? ` + ${unpriced}` : ''}`;
}

function totalCells(results: EvalResults): string[][] {
  const k = results.repeat;
  return results.totals.map((t) => [
    t.model,
    t.level,
    String(t.runs),
    withSpread(t.successRate, pct, k),
    withSpread(t.selfVerifiedRate, pct, k),
    withSpread(t.tokens, num, 2),
    costCell(t),
    withSpread(t.durationMs, seconds, 2),
    withSpread(t.selfCorrections, num, 2),
    num(t.gateAsks.mean),
    num(t.gateDenies.mean),
  ]);
}

/** Columns padded to their widest cell, for the terminal. */
function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`)].join('\n');
}

/** The terminal's view: totals per model and level, then a row per case. */
export function terminalReport(results: EvalResults): string {
  return `${textTable(CASE_HEADER, caseRows(results).map(rowCells))}\n\n${textTable(TOTAL_HEADER, totalCells(results))}\n`;
}

/** report.md: totals, a row per case, then each run with its id and, when it failed, why. */
export function markdownReport(results: EvalResults): string {
  const k = results.repeat;
  const out: string[] = [];
  out.push(`# Eval of ${results.suite}`, '');
  out.push(`${plural(results.cases.length, 'case')} × ${plural(results.models.length, 'model')} × ${plural(results.levels.length, 'level')} × ${plural(k, 'repeat')} = ${plural(results.runs.length, 'run')}, asks answered "${results.answers}"; ${results.startedAt} to ${results.endedAt}.`, '');
  out.push('## Totals per model and level', '');
  out.push(k > 1 ? 'Success and self-verified: the share of cases per repeat, mean ± spread (standard deviation) over the repeats. Other figures: per run, mean ± spread.' : 'Success and self-verified: the share of cases. Other figures: per run, mean ± spread over the cases.', '');
  out.push(markdownTable(TOTAL_HEADER, totalCells(results)), '');
  out.push('## Cases', '');
  out.push('Success: every hidden check passed. Self-verified: every task completed with its own verifyCommands passing. Tokens, time, self-corrections and asks/denies: means over the repeats.', '');
  out.push(markdownTable(CASE_HEADER, caseRows(results).map(rowCells)), '');
  const described = results.cases.filter((c) => c.description);
  if (described.length) {
    out.push('### What each case asks', '');
    for (const c of described) out.push(`- **${c.name}** (tasks ${c.tasks}): ${c.description}`);
    out.push('');
  }
  out.push('## Runs', '');
  out.push(
    markdownTable(
      ['case', 'model', 'level', '#', 'run id', 'outcome', 'checks'],
      results.runs.map((r) => [r.case, r.model, r.level, String(r.repeat), r.runId ?? '–', r.reason ? `${r.status}: ${r.reason}` : r.status, r.checks.map((c) => `${c.ok ? '✓' : '✗'} \`${c.command}\`${c.ok ? '' : ` (exit ${c.exitCode ?? 'none'})`}`).join(', ')]),
    ),
    '',
  );
  const failed = results.runs.flatMap((r) => r.checks.filter((c) => !c.ok && c.tail).map((c) => ({ r, c })));
  if (failed.length) {
    out.push('## Failed checks', '');
    for (const { r, c } of failed) out.push(`### ${r.case}, ${r.model}, ${r.level}, #${r.repeat}: \`${c.command}\` (exit ${c.exitCode ?? 'none'})`, '', '```', c.tail!.replace(/```/g, "'''"), '```', '');
  }
  return out.join('\n');
}
