import { ChainCheckpoints, DispositionError, MixedChainError, openGitStore, type RunDecision } from '../core/checkpoints/index.js';
import { readCompletionReport, renderCompletionReport } from '../core/runs/completionReport.js';
import { closeInterruptedRuns, describeRecovery } from '../core/agent/interruptedRun.js';
import { describeLeftBehind, endInterruptedRunProcesses, endRecordedRunProcesses } from '../core/runs/interruptedRuns.js';
import { readJournal, RUNS_DIR } from '../core/runs/journal.js';
import { readRunHistory } from '../core/runs/runHistory.js';
import { listRunIds } from '../core/runs/runIndex.js';
import { chainOf, describeChainAction, readRunLinks, type RunChain } from '../core/runs/runChain.js';
import { liveRunIn, RunInProgressError, runIsLive } from '../core/runs/runLock.js';
import { summarise, type RefusedAction } from '../core/runs/summary.js';
import { nounFor } from '../core/text/plural.js';
import { processCount, processList } from '../core/tools/runProcesses.js';
import { usageText } from '../core/runs/usageText.js';
import { UsageError } from './usageError.js';

type Out = NodeJS.WritableStream;

/**
 * Runs cut short (a crash, SIGKILL) may have left processes of their commands running: a look at the runs ends
 * them, and says so.
 */
export async function endLeftBehind(workspace: string, ids: readonly string[], err: Out): Promise<void> {
  for (const l of await endInterruptedRunProcesses(workspace, ids)) err.write(`spec-agent: ${describeLeftBehind(l)}\n`);
}

/** How the user's decision about a run's changes reads after its status ("completed · discarded"). */
export const DECISION_LABEL: Record<RunDecision, string> = { discarded: 'discarded', kept: 'kept', undone: 'discard undone' };

/**
 * The user's decision about each run's changes (discarded, kept, discard undone), read from the checkpoints of its
 * chain (a run and the runs that resumed it are decided as one); a run without checkpoints (or a workspace git
 * cannot read) has none. With each run, its chain.
 */
async function decisionsOf(workspace: string, ids: readonly string[]): Promise<Map<string, { decision: RunDecision | null; chain: RunChain }>> {
  const out = new Map<string, { decision: RunDecision | null; chain: RunChain }>();
  const links = await readRunLinks(workspace);
  const store = ids.length > 0 ? await openGitStore(workspace).catch(() => undefined) : undefined;
  const byFirst = new Map<string, RunDecision | null>();
  for (const id of ids) {
    const chain = chainOf(links, id);
    const first = chain.members[0]!.runId;
    if (!byFirst.has(first)) byFirst.set(first, (store && (await ChainCheckpoints.open(store, id, chain.members.map((m) => m.runId)).catch(() => undefined))?.decision) ?? null);
    out.set(id, { decision: byFirst.get(first) ?? null, chain });
  }
  return out;
}

/** The run's links in its chain, for `runs list --json` and `runs show --json`. */
function links(id: string, chain: RunChain): { resumedFrom: string | null; resumedBy: string[]; chain: string[] } {
  const me = chain.members.find((m) => m.runId === id);
  return { resumedFrom: me?.resumedFrom ?? null, resumedBy: chain.members.filter((m) => m.resumedFrom === id).map((m) => m.runId), chain: chain.members.map((m) => m.runId) };
}

/** "resumed A; resumed by C" */
function linkText(id: string, chain: RunChain): string {
  const l = links(id, chain);
  return [l.resumedFrom ? `resumed ${l.resumedFrom}` : '', l.resumedBy.length ? `resumed by ${l.resumedBy.join(', ')}` : ''].filter(Boolean).join('; ');
}

const withDecision = (status: string, d: RunDecision | null) => (d ? `${status} · ${DECISION_LABEL[d]}` : status);

/**
 * `runs list`: from the runs index (readRunHistory), so thousands of runs list without reading every journal; only
 * runs that are new or went on since the last look are read. The status, tasks, reason, disposition (the chain's,
 * from the run manifests) and links are the index's figures, the same as each journal would give.
 */
export async function runsList(opts: { json?: boolean }, out: Out, err: Out): Promise<number> {
  const ws = process.cwd();
  // The checkpoint store is opened only where there are runs (in a plain folder opening it creates one).
  const store = (await listRunIds(ws)).length > 0 ? await openGitStore(ws).catch(() => undefined) : undefined;
  const { rows: history, cutShort } = await readRunHistory(ws, store?.gitDir);
  // Only a run with no terminal event and no live process can have left processes running: the index has their
  // process groups, so no journal is read for this either.
  for (const l of await endRecordedRunProcesses(cutShort)) err.write(`spec-agent: ${describeLeftBehind(l)}\n`);
  const runLinks = new Map(history.map((r) => [r.runId, r.resumedFrom ?? undefined]));
  const rows = history.map((r) => {
    const chain = chainOf(runLinks, r.runId);
    return { id: r.runId, status: r.outcome, startedAt: r.startedAt, disposition: r.disposition, tasks: r.checklist.map((t) => `${t.id ?? t.title}${t.completed ? ' ✓' : ''}`), reason: r.reason, ...links(r.runId, chain), link: linkText(r.runId, chain) };
  });
  if (opts.json) out.write(JSON.stringify(rows.map(({ link: _, ...r }) => r)) + '\n');
  else for (const r of rows) out.write(`${r.id}  ${withDecision(r.status, r.disposition).padEnd(11)}  ${r.tasks.join(', ')}${r.reason ? `  (${r.reason})` : ''}${r.link ? `  [${r.link}]` : ''}\n`);
  return 0;
}

async function journalOf(id: string) {
  try {
    return await readJournal(process.cwd(), id);
  } catch {
    throw new UsageError(`no run "${id}" in ${RUNS_DIR}; run \`spec-agent runs list\`.`);
  }
}

export async function runsShow(id: string, opts: { json?: boolean }, out: Out): Promise<number> {
  const j = await journalOf(id);
  const s = summarise(j.events);
  const { decision: disposition, chain } = (await decisionsOf(process.cwd(), [id])).get(id)!;
  if (opts.json) {
    out.write(JSON.stringify({ ...s, status: j.ended ? s.status : runIsLive(process.cwd(), id) ? 'running' : 'interrupted', disposition, ...links(id, chain), truncated: j.truncated ?? null }) + '\n');
    return 0;
  }
  out.write(`run ${id}: ${withDecision(j.ended ? s.status : 'interrupted (no terminal event)', disposition)}${s.reason ? ` (${s.reason})` : ''}\n`);
  // Discard, Undo discard and Keep act on the whole chain: say which runs it holds.
  if (chain.members.length > 1) out.write(`chain: ${chain.members.map((m) => (m.runId === id ? `[${m.runId}]` : m.runId)).join(' → ')} (${linkText(id, chain)}); discard and keep act on all of them\n`);
  out.write(`model ${s.model ?? '?'}, level ${s.level ?? '?'}, ${s.durationMs !== undefined ? `${(s.durationMs / 1000).toFixed(1)} s` : 'unfinished'}\n`);
  if (s.sandbox) out.write(s.sandbox.confined ? `commands: sandboxed (${s.sandbox.backend ?? 'sandbox'})\n` : `commands: not sandboxed: ${s.sandbox.why ?? 'unknown reason'}\n`);
  // What did not happen is part of the record: under the task it happened in (a ticked task whose write was
  // refused says so), the rest after the tasks.
  const shownRefused = new Set<RefusedAction>();
  for (const t of s.tasks) {
    out.write(`  ${t.completed ? '[x]' : '[ ]'} ${t.id ?? ''} ${t.title}${t.completed ? (t.verified ? ' (verified)' : t.noChecks ? ' (no verifyCommands set)' : ' (unverified)') : ''}\n`);
    if (t.tokens) out.write(`      ${usageText(t.tokens)}\n`);
    for (const r of s.refused.filter((x) => x.taskId !== undefined && x.taskId === t.id)) {
      shownRefused.add(r);
      out.write(`      refused: ${describeRefused(r)}\n`);
    }
  }
  for (const r of s.refused.filter((x) => !shownRefused.has(x))) out.write(`  refused: ${describeRefused(r)}\n`);
  out.write(`tokens: ${usageText(s.tokens)}${s.pricing?.rates && s.tokens.costUsd !== undefined ? ` (price table as of ${s.pricing.asOf})` : ''}\n`);
  if (s.pricing?.warning) out.write(`note: ${s.pricing.warning}\n`);
  out.write(`gate: ${s.gate.allow} allow, ${s.gate.ask} ask, ${s.gate.deny} deny; approvals: ${s.approvals.approved} approved, ${s.approvals.rejected} rejected, ${s.approvals.unanswered} with no one to ask; self-corrections: ${s.selfCorrections}\n`);
  // The audit: every command and write, and who let it happen (a rule of the gate, or the user).
  for (const c of s.commands) out.write(`  $ ${c.command}  -> exit ${c.exitCode}${c.allowedBy ? `  (allowed by ${c.allowedBy})` : ''}\n`);
  for (const f of s.files) out.write(`  ${f.tool === 'delete_file' ? 'deleted' : 'wrote'} ${f.path}${f.allowedBy ? `  (allowed by ${f.allowedBy})` : ''}\n`);
  if (s.processesEnded) out.write(`ended at its end: ${processCount(s.processesEnded.length)} its commands left running (${processList(s.processesEnded)})\n`);
  if (j.truncated) out.write(`note: ${j.truncated}\n`);
  return 0;
}

/** What the run completed (the chat's /summary, as text): per task its files with diffstat, commands, checks, what remains. */
export async function runsSummary(id: string, opts: { json?: boolean }, out: Out): Promise<number> {
  await journalOf(id);
  const report = await readCompletionReport(process.cwd(), id);
  out.write(opts.json ? JSON.stringify(report) + '\n' : renderCompletionReport(report, { plain: true }));
  return 0;
}

const VERB: Record<string, string> = { run_command: 'run', write_file: 'write', edit_file: 'edit', delete_file: 'delete' };

/** "write .github/workflows/ci.yml (rule W3, you rejected it)". */
export function describeRefused(r: RefusedAction): string {
  const who = r.by === 'gate' ? `denied: ${r.reason.replace(/^deny: /, '')}` : r.by === 'user' ? `you rejected it${r.userReason ? `: ${r.userReason}` : ''}` : r.by === 'stop' ? 'stopped while it waited for approval' : r.by === 'closed' ? `cancelled while it waited for approval: ${r.cause ?? 'the run ended'}` : 'no one was there to approve it';
  return `${VERB[r.tool] ?? r.tool} ${r.what} (rule ${r.rule}, ${who})`;
}

/**
 * The checkpoints of run `id`'s chain (the run and the runs that resumed it): one piece of work. With `settle` (a
 * discard, a keep: the user decides about the chain), what its runs cut short left is dealt with first: the
 * processes they left running end, and each is closed (closeInterruptedRuns, its markers back as a step of its
 * checkpoints), so it no longer reads as interrupted and the discard puts the markers back with the rest.
 */
async function checkpointsOf(id: string, settle?: Out): Promise<{ run: ChainCheckpoints; chain: RunChain }> {
  // Restoring files under a run that is still writing them (this one, or any other in the workspace) would mix both.
  const live = liveRunIn(process.cwd());
  if (live) throw new UsageError(new RunInProgressError(live).message);
  const chain = chainOf(await readRunLinks(process.cwd()), id);
  if (settle) {
    const ids = chain.members.map((m) => m.runId);
    // Before the files are put back, so nothing the chain's runs started writes them again.
    await endLeftBehind(process.cwd(), ids, settle);
    for (const r of await closeInterruptedRuns(process.cwd(), ids)) settle.write(`spec-agent: ${describeRecovery(r)}\n`);
  }
  try {
    return { run: await ChainCheckpoints.open(await openGitStore(process.cwd()), id, chain.members.map((m) => m.runId)), chain };
  } catch (err) {
    throw new UsageError(`run ${id}: ${(err as Error).message}`);
  }
}

/** A discard of a discarded run, or an undo of one that is not: what to run instead. */
function refused(e: unknown): never {
  if (e instanceof MixedChainError) throw new UsageError(`${e.message}: \`spec-agent runs undo-discard ${e.runId}\`, then \`spec-agent runs discard ${e.runId}\`.`);
  if (!(e instanceof DispositionError)) throw e;
  throw new UsageError(
    e.kind === 'already-discarded'
      ? `run ${e.runId}'s changes are already discarded; \`spec-agent runs undo-discard ${e.runId}\` puts them back.`
      : `run ${e.runId}'s changes are not discarded, so there is no discard to undo; \`spec-agent runs discard ${e.runId}\` puts back what the run changed.`,
  );
}

export async function runsDiscard(id: string, opts: { json?: boolean }, out: Out, err: Out): Promise<number> {
  const { run, chain } = await checkpointsOf(id, err);
  const r = await run.discard().catch(refused);
  if (opts.json) {
    out.write(JSON.stringify({ ...r, chain: chain.members.map((m) => m.runId) }) + '\n');
    return r.conflicts.length > 0 ? 3 : 0;
  }
  if (chain.members.length > 1) err.write(`spec-agent: ${describeChainAction('discarded', id, chain)} (one piece of work, put back newest first, to the files before run ${chain.members[0]!.runId})\n`);
  for (const p of r.written) out.write(`restored ${p}\n`);
  for (const p of r.removed) out.write(`removed ${p}\n`);
  for (const c of r.conflicts) {
    const who = c.background ? `while background ${nounFor(c.background.length, 'process', 'processes')} ${c.background.join(', ')} ran (by it or by you)` : 'by the agent and by you';
    err.write(`spec-agent: ${c.path} was changed ${who}: left as you have it (the agent's version is blob ${c.agent?.blob ?? '(deleted)'})\n`);
  }
  for (const k of r.skipped) err.write(`spec-agent: left ${k.path} as it is: ${k.reason}\n`);
  err.write(`spec-agent: \`spec-agent runs undo-discard ${id}\` puts everything back as it was before this discard\n`);
  return r.conflicts.length > 0 ? 3 : 0;
}

export async function runsUndoDiscard(id: string, opts: { json?: boolean }, out: Out, err?: Out): Promise<number> {
  const { run, chain } = await checkpointsOf(id);
  const r = await run.undoDiscard().catch(refused);
  if (opts.json) {
    out.write(JSON.stringify({ ...r, chain: chain.members.map((m) => m.runId) }) + '\n');
    return 0;
  }
  out.write([...r.written.map((p) => `restored ${p}\n`), ...r.removed.map((p) => `removed ${p}\n`)].join(''));
  if (r.undone.length > 1) err?.write(`spec-agent: ${describeChainAction('undid the discard of', id, chain)}: the files are as the last of them left them\n`);
  return 0;
}

export async function runsKeep(id: string, out: Out, err: Out): Promise<number> {
  const { run, chain } = await checkpointsOf(id, err);
  await run.keep().catch(refused);
  out.write(`${chain.members.length > 1 ? describeChainAction('kept the changes of', id, chain) : `kept the changes of run ${id}`}; the snapshots are pruned after the retention period\n`);
  return 0;
}
