import { openGitStore, removeRunSnapshots } from '../core/checkpoints/index.js';
import { pruneRuns } from '../core/runs/pruneRuns.js';
import { readRunHistory } from '../core/runs/runHistory.js';
import { listRunIds } from '../core/runs/runIndex.js';
import { runStats, type StatsBlock, type StatsFilter } from '../core/runs/runStats.js';
import { plural } from '../core/text/plural.js';
import { costKnownText } from '../core/runs/usageText.js';
import { UsageError } from './usageError.js';

type Out = NodeJS.WritableStream;

export interface StatsOptions {
  spec?: string;
  since?: string;
  model?: string;
  json?: boolean;
}

function filterOf(o: StatsOptions): StatsFilter {
  const f: StatsFilter = {};
  if (o.spec !== undefined) f.spec = o.spec;
  if (o.model !== undefined) f.model = o.model;
  if (o.since !== undefined) {
    const t = Date.parse(o.since);
    if (Number.isNaN(t)) throw new UsageError(`--since must be a date such as 2026-12-01 or 2026-12-01T09:00Z (got "${o.since}").`);
    f.since = t;
  }
  return f;
}

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);
const secs = (ms: number | null) => (ms === null ? '–' : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);
const num = (x: number | null, digits = 1) => (x === null ? '–' : x.toFixed(digits));

/** The figures of one block as lines of text, indented under their heading. */
export function describeStats(s: StatsBlock, indent = '  '): string[] {
  const t = s.tasks;
  const known = costKnownText(s.costKnown, s.runs);
  return [
    `${plural(s.runs, 'run')}; tasks: ${t.completed} completed, ${t.failed} failed, ${t.paused} paused, ${t.stopped} stopped, ${t.interrupted} interrupted`,
    `verified: ${pct(s.verifiedShare)} of completed tasks; checks: ${s.checks.passed} passed, ${s.checks.failed} failed (pass rate ${pct(s.checks.passRate)})`,
    `self-corrections per task: mean ${num(s.selfCorrections.perTask, 2)}, max ${s.selfCorrections.max}`,
    `task time: median ${secs(s.taskTimeMs.median)}, p90 ${secs(s.taskTimeMs.p90)}`,
    `per completed task: ${s.tokensPerCompletedTask === null ? '–' : Math.round(s.tokensPerCompletedTask).toLocaleString('en-US')} tokens, cost ${s.costPerCompletedTask === null ? '–' : `$${s.costPerCompletedTask.toFixed(4)}`}${known ? ` (${known})` : ''}`,
    `gate: ${s.gate.allow} allow, ${s.gate.ask} ask, ${s.gate.deny} deny${s.gate.byRule.length ? ` (by rule: ${s.gate.byRule.map((r) => `${r.rule} ${[r.allow && `${r.allow} allow`, r.ask && `${r.ask} ask`, r.deny && `${r.deny} deny`].filter(Boolean).join('/')}`).join(', ')})` : ''}`,
    `approvals: ${s.approvals.asked} asked, ${s.approvals.approved} approved, ${s.approvals.rejected} rejected, ${s.approvals.alwaysAllowed} always allowed, ${s.approvals.unanswered} unanswered`,
  ].map((l) => indent + l);
}

export async function runsStats(o: StatsOptions, out: Out): Promise<number> {
  const ws = process.cwd();
  const filter = filterOf(o);
  const { rows } = await readRunHistory(ws);
  const stats = runStats(rows, filter);
  if (o.json) {
    out.write(JSON.stringify({ filter: { spec: o.spec ?? null, since: filter.since !== undefined ? new Date(filter.since).toISOString() : null, model: o.model ?? null }, ...stats }) + '\n');
    return 0;
  }
  if (stats.overall.runs === 0) {
    out.write(rows.length === 0 ? 'no runs in .kiro/runs/ yet\n' : `none of the ${plural(rows.length, 'run')} in .kiro/runs/ matches the filter\n`);
    return 0;
  }
  out.write(`overall\n${describeStats(stats.overall).join('\n')}\n`);
  if (stats.bySpec.length > 1 || o.spec === undefined) for (const b of stats.bySpec) out.write(`\nspec ${b.spec}\n${describeStats(b.stats).join('\n')}\n`);
  return 0;
}

export async function runsPrune(o: { days?: string; dryRun?: boolean; json?: boolean }, out: Out): Promise<number> {
  const days = Number(o.days);
  if (o.days === undefined || !Number.isFinite(days) || days < 0) throw new UsageError(`--days must be a number of days, e.g. --days 30 (got ${o.days === undefined ? 'nothing' : `"${o.days}"`}).`);
  const ws = process.cwd();
  // The checkpoint store is opened only where there are runs (in a plain folder opening it creates one).
  const store = (await listRunIds(ws)).length > 0 ? await openGitStore(ws).catch(() => undefined) : undefined;
  const r = await pruneRuns(ws, { days, dryRun: o.dryRun ?? false, ...(store ? { gitDir: store.gitDir, removeSnapshots: (ids, dry) => removeRunSnapshots(store, ids, dry) } : {}) });
  if (o.json) {
    out.write(JSON.stringify({ dryRun: o.dryRun ?? false, ...r }) + '\n');
    return 0;
  }
  const verb = o.dryRun ? 'would remove' : 'removed';
  for (const x of r.removed) out.write(`${verb} run ${x.runId} (ended ${x.endedAt})\n`);
  for (const ref of r.refs) out.write(`${verb} ${ref}\n`);
  for (const k of r.kept) out.write(`kept run ${k.runId}: ${k.why}\n`);
  out.write(`${o.dryRun ? 'would remove' : 'removed'} ${plural(r.removed.length, 'run')} that ended more than ${plural(days, 'day')} ago, with ${plural(r.refs.length, 'snapshot ref')}${r.kept.length ? `; kept ${r.kept.length} old` : ''}\n`);
  return 0;
}
