import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PolicyGate } from '../core/policy/gate.js';
import { hostContext } from '../core/policy/hostContext.js';
import { realFileSystem } from '../core/policy/paths.js';
import { VERDICT_ORDER, type Decision, type PolicyAction, type PolicyContext, type Verdict } from '../core/policy/types.js';
import { projectRegistryHosts } from '../core/sandbox/registries.js';
import { accept, AGENT_KEYS, applicableSettings, AUTONOMY_LEVELS, agentSettingsSchema, describeGrant, grantsMoreThanSafe, loadSettings, loadSettingsFile, type AgentSettings, type AutonomyLevel, type LoadedSettings } from '../core/settings/index.js';
import { UsageError } from './usageError.js';

/** Exit codes of `policy check`: the verdict, so scripts can branch on it. */
export const VERDICT_EXIT: Record<Verdict, number> = { allow: 0, ask: 3, deny: 4 };

export interface CheckOptions {
  command?: string;
  write?: string;
  create?: string;
  delete?: string;
  read?: string;
  cases?: string;
  settings?: string;
  level?: string;
  json?: boolean;
}

async function settingsFor(opts: CheckOptions, root: string): Promise<LoadedSettings> {
  const loaded = opts.settings ? await loadSettingsFile(resolve(opts.settings)) : await loadSettings(root);
  if (opts.settings && loaded.file === undefined) throw new UsageError(`${opts.settings}: no such settings file.`);
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new UsageError(errors.map((p) => `${loaded.file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
  }
  return loaded;
}

function withLevel(settings: AgentSettings, level: string | undefined): AgentSettings {
  if (level === undefined) return settings;
  if (!(AUTONOMY_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--level must be one of ${AUTONOMY_LEVELS.join(', ')} (got "${level}").`);
  return { ...settings, autonomyLevel: level as AutonomyLevel };
}

export async function policyCheck(opts: CheckOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const root = process.cwd();
  if (opts.cases) return runCases(opts, root, out);
  const given = (['command', 'write', 'create', 'delete', 'read'] as const).filter((k) => opts[k] !== undefined);
  if (given.length !== 1) throw new UsageError('give exactly one of --command, --write, --create, --delete, --read (or --cases FILE).');
  const kind = given[0]!;
  const action: PolicyAction = kind === 'command' ? { kind, command: opts.command! } : { kind, path: opts[kind]! };
  const loaded = await settingsFor(opts, root);
  for (const p of loaded.problems) err.write(`${loaded.file}:${p.line}:${p.column}: warning: ${p.message}\n`);
  const settings = withLevel(loaded.settings, opts.level);
  const gate = await PolicyGate.create();
  const decision = gate.check(action, settings, hostContext(root), realFileSystem);
  if (opts.json) out.write(JSON.stringify({ action, level: settings.autonomyLevel, ...decision }) + '\n');
  else out.write(renderDecision(decision, settings.autonomyLevel));
  return VERDICT_EXIT[decision.verdict];
}

export function renderDecision(d: Decision, level: AutonomyLevel): string {
  const lines = [`${d.verdict.toUpperCase()} (rule ${d.rule}, level ${level})`, `  ${d.reason.replace(/^(allow|ask|deny): /, '')}`];
  if (d.findings.length > 0) {
    lines.push('findings:');
    for (const f of d.findings) lines.push(`  ${f.verdict.padEnd(5)} ${f.rule.padEnd(6)} ${f.message}${f.command && !f.message.includes(f.command) ? `  [in: ${f.command}]` : ''}`);
  }
  return lines.join('\n') + '\n';
}

interface CaseFileEntry {
  id?: string;
  settings?: { agent?: unknown };
  action?: PolicyAction;
  context?: Partial<PolicyContext>;
  expected?: Verdict;
}

/** `--cases FILE`: one JSON line per case, then a summary; the format of ../shared/policy/cases.json. */
async function runCases(opts: CheckOptions, root: string, out: NodeJS.WritableStream): Promise<number> {
  let cases: CaseFileEntry[];
  try {
    cases = JSON.parse(await readFile(resolve(opts.cases!), 'utf8')) as CaseFileEntry[];
  } catch (e) {
    throw new UsageError(`${opts.cases}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(e as Error).message})`}.`);
  }
  if (!Array.isArray(cases)) throw new UsageError(`${opts.cases}: must be a JSON array of cases.`);
  const fallback = opts.settings ? (await settingsFor(opts, root)).settings : undefined;
  const gate = await PolicyGate.create();
  const tally = { allow: 0, ask: 0, deny: 0, agree: 0, critical: 0, major: 0, overBlock: 0, withExpected: 0 };
  cases.forEach((c, i) => {
    const id = c.id ?? `#${i + 1}`;
    if (!c.action || typeof c.action !== 'object') throw new UsageError(`${opts.cases}: case ${id} has no action.`);
    const parsed = c.settings?.agent !== undefined ? agentSettingsSchema.safeParse(c.settings.agent) : undefined;
    if (parsed && !parsed.success) throw new UsageError(`${opts.cases}: case ${id}: settings.agent is invalid (${parsed.error.issues[0]?.message}).`);
    const settings = withLevel(parsed?.data ?? fallback ?? agentSettingsSchema.parse({}), opts.level);
    const d = gate.check(c.action, settings, c.context ?? {});
    tally[d.verdict]++;
    if (c.expected) {
      tally.withExpected++;
      if (c.expected === d.verdict) tally.agree++;
      else if (c.expected === 'deny' && d.verdict === 'ask') tally.major++;
      else if (VERDICT_ORDER[d.verdict] < VERDICT_ORDER[c.expected]) tally.critical++;
      else tally.overBlock++;
    }
    out.write(JSON.stringify({ id, verdict: d.verdict, rule: d.rule, reason: d.reason }) + '\n');
  });
  const agreement = tally.withExpected ? `; agrees with expected in ${tally.agree}/${tally.withExpected} (critical ${tally.critical}, major ${tally.major}, over-block ${tally.overBlock})` : '';
  out.write(JSON.stringify({ summary: `${cases.length} cases: ${tally.allow} allow, ${tally.ask} ask, ${tally.deny} deny${agreement}` }) + '\n');
  return 0;
}

export async function policyShow(opts: { json?: boolean; settings?: string }, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const root = process.cwd();
  const loaded = opts.settings ? await loadSettingsFile(resolve(opts.settings)) : await loadSettings(root);
  const source = loaded.file ?? '(no .kiro/settings.json)';
  for (const p of loaded.problems) err.write(`${loaded.file}:${p.line}:${p.column}: ${p.severity}: ${p.message}\n`);
  if (opts.json) {
    out.write(JSON.stringify({ file: loaded.file ?? null, valid: loaded.valid, settings: loaded.settings, origins: loaded.origins, problems: loaded.problems }, null, 2) + '\n');
    return 0;
  }
  const { accepted } = await applicableSettings(root, loaded.file ? await readFile(loaded.file, 'utf8') : undefined, loaded.settings);
  out.write(`effective policy${loaded.valid ? '' : ' (SAFE DEFAULTS: the settings file has errors)'}; file: ${source}${accepted ? '' : ' (NOT ACCEPTED on this machine: runs use cautious with no allowed commands until `spec-agent policy accept`)'}\n`);
  for (const key of AGENT_KEYS) {
    const value = loaded.settings[key];
    // An optional setting left out (a budget) has no value: "none", not a crash on undefined.
    out.write(`  ${key.padEnd(27)} ${(value === undefined ? 'none' : JSON.stringify(value)).padEnd(40)} ${loaded.origins[key] === 'file' ? 'from .kiro/settings.json' : 'default'}\n`);
  }
  return 0;
}

/** `spec-agent policy accept`: shows what the workspace's policy grants, and accepts it on this machine. */
export async function policyAccept(opts: { json?: boolean }, out: NodeJS.WritableStream): Promise<number> {
  const root = process.cwd();
  const loaded = await settingsFor({}, root);
  if (!loaded.file) throw new UsageError('there is no .kiro/settings.json here: nothing to accept (the safe defaults apply).');
  const text = await readFile(loaded.file, 'utf8');
  // The project's registry hosts as shown are what is accepted (a file changed since asks again).
  const registries = projectRegistryHosts(root);
  const grants = grantsMoreThanSafe(loaded.settings, registries) ? describeGrant(loaded.settings, registries) : [];
  await accept(root, text, registries);
  if (opts.json) out.write(JSON.stringify({ file: loaded.file, accepted: true, grants }) + '\n');
  else out.write(grants.length ? `accepted ${loaded.file}, which grants:\n${grants.map((g) => `  - ${g}`).join('\n')}\nIf the file changes, it must be accepted again.\n` : `${loaded.file} grants nothing beyond the safe defaults; recorded anyway.\n`);
  return 0;
}
