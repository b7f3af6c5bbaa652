import { createCheckpoint, diffCheckpoint, listCheckpoints, openGitStore, pruneCheckpoints, resolveCheckpoint, restoreCheckpoint, type TreeChange } from '../core/checkpoints/index.js';
import { listRunIds } from '../core/runs/runIndex.js';
import { plural } from '../core/text/plural.js';
import { UsageError } from './usageError.js';

type Out = NodeJS.WritableStream;

async function store() {
  return openGitStore(process.cwd());
}

async function resolve(id: string, s: Awaited<ReturnType<typeof store>>): Promise<string> {
  try {
    return await resolveCheckpoint(s, id);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function status(c: TreeChange): string {
  if (!c.from) return 'A';
  if (!c.to) return 'D';
  return c.from.mode !== c.to.mode && c.from.blob === c.to.blob ? 'T' : 'M';
}

export async function checkpointCreate(opts: { message?: string; json?: boolean }, out: Out, err: Out): Promise<number> {
  const c = await createCheckpoint(await store(), opts.message);
  for (const s of c.skipped) err.write(`spec-agent: warning: ${s.path} (${(s.bytes / 1024 / 1024).toFixed(0)} MB) is untracked and over 50 MB: not in the checkpoint\n`);
  for (const n of c.nested) err.write(`spec-agent: note: ${n} is a nested repository: its contents are not in the checkpoint\n`);
  out.write(opts.json ? JSON.stringify(c) + '\n' : `${c.id}\n`);
  return 0;
}

export async function checkpointList(opts: { json?: boolean }, out: Out): Promise<number> {
  const list = await listCheckpoints(await store());
  if (opts.json) out.write(JSON.stringify(list) + '\n');
  else for (const c of list) out.write(`${c.id}  ${c.time}  ${c.ref.replace(/^refs\/spec-agent\//, '')}  ${c.message}\n`);
  return 0;
}

export async function checkpointDiff(id: string, opts: { json?: boolean }, out: Out): Promise<number> {
  const s = await store();
  const list = await diffCheckpoint(s, await resolve(id, s));
  if (opts.json) out.write(JSON.stringify(list.map((c) => ({ status: status(c), ...c }))) + '\n');
  else for (const c of list) out.write(`${status(c)} ${c.path}\n`);
  return 0;
}

export async function checkpointRestore(id: string, opts: { paths?: string[]; json?: boolean }, out: Out, err: Out): Promise<number> {
  const s = await store();
  const r = await restoreCheckpoint(s, await resolve(id, s), opts.paths ?? []);
  if (opts.json) {
    out.write(JSON.stringify(r) + '\n');
    return 0;
  }
  for (const p of r.written) out.write(`restored ${p}\n`);
  for (const p of r.removed) out.write(`removed ${p}\n`);
  for (const k of r.skipped) err.write(`spec-agent: left ${k.path} as it is: ${k.reason}\n`);
  err.write(`spec-agent: the state before this restore is checkpoint ${r.safety.id} (spec-agent checkpoint restore ${r.safety.id} undoes it)\n`);
  return 0;
}

export async function checkpointPrune(opts: { days?: string; json?: boolean }, out: Out): Promise<number> {
  const days = opts.days === undefined ? 7 : Number(opts.days);
  if (!Number.isFinite(days) || days < 0) throw new UsageError(`--days must be a number of days (got "${opts.days}").`);
  const s = await store();
  // A run whose folder is kept keeps its snapshots: Discard needs them. `runs prune` removes both together.
  const r = await pruneCheckpoints(s, { maxAgeDays: days, runFolders: new Set(await listRunIds(s.workTree)) });
  if (opts.json) {
    out.write(JSON.stringify(r) + '\n');
    return 0;
  }
  out.write(r.removed.map((ref) => `pruned ${ref}\n`).join(''));
  if (r.keptRuns.length > 0) out.write(`kept the snapshots of ${plural(r.keptRuns.length, 'run')} that finished more than ${plural(days, 'day')} ago: ${r.keptRuns.length === 1 ? 'its folder is' : 'their folders are'} still in .kiro/runs/ (Discard needs them); \`spec-agent runs prune --days ${days}\` removes such runs with their snapshots\n`);
  return 0;
}
