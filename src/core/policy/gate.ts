import { isAbsolute, join } from 'node:path';
import { type Parser } from 'web-tree-sitter';
import { Allowlist } from './allowlist.js';
import { checkFileAction } from './fileRules.js';
import { canonicalize, describedFileSystem, type FileSystemView } from './paths.js';
import { decideRead } from './readRules.js';
import { cdTarget, denyArgv } from './shell/argv.js';
import { loadBashParser } from './shell/bashParser.js';
import { AnalysisCache } from './shell/expand.js';
import { commandWrites } from './shell/commandWrites.js';
import { forbiddenMatchers } from './shell/forbidden.js';
import { lexicalCommands } from './shell/lexicalScan.js';
import { linksMadeOnTheLine } from './shell/lineLinks.js';
import { sensitiveFindings } from './shell/sensitive.js';
import type { SimpleCommand } from './shell/commandAnalysis.js';
import { DEFAULT_CONTEXT, stricter, type Decision, type Finding, type GateSettings, type PolicyAction, type PolicyContext, type Verdict } from './types.js';

export const MAX_COMMAND_LENGTH = 10_000;
export const MAX_SIMPLE_COMMANDS = 50;

/**
 * The policy gate: a pure function of (action, settings, context) once the shell grammar is loaded. Every
 * finding is kept; the verdict is the strictest, deny always wins (RULES.md).
 */
export class PolicyGate {
  /** Decompositions of command lines seen before; cleared with `clearCache()` (benchmarks). */
  private readonly analyses = new AnalysisCache();

  private constructor(private readonly parser: Parser) {}

  clearCache(): void {
    this.analyses.clear();
  }

  /** Loads the shell grammar (WASM); call once, lazily, when the first decision is needed. */
  static async create(): Promise<PolicyGate> {
    return new PolicyGate(await loadBashParser());
  }

  /**
   * The verdict on one action. Without `fsView` the file system is the one the context describes (RULES.md
   * §0: no links unless listed), which keeps the gate a pure function; a real run passes `realFileSystem`.
   */
  check(action: PolicyAction, settings: GateSettings, context: Partial<PolicyContext> = {}, fsView?: FileSystemView): Decision {
    const ctx: PolicyContext = { ...DEFAULT_CONTEXT, ...context };
    const view = fsView ?? describedFileSystem(ctx);
    try {
      if (action.kind === 'command') return this.checkCommand(action.command, settings, ctx, view);
      if (action.kind === 'read') return decideRead(action, settings, ctx, view);
      return decideFile(action.kind, action.path, settings, ctx, view);
    } catch (err) {
      // The gate never throws at its caller and never allows what it failed to understand.
      return { verdict: 'ask', rule: 'C0', reason: `ask: the gate could not analyse this (${err instanceof Error ? err.message : String(err)})`, findings: [] };
    }
  }

  /**
   * The allowedCommands entries that would let `command` run without asking at balanced, written as a user would:
   * the words of each simple command the allowlist has to cover (neutral ones and `cd` inside the workspace need
   * none, nor do those `settings.allowedCommands` already covers). Undefined when no entries can do it: a word known
   * only at run time or holding a space, a path as the command name, or a finding that asks whatever the allowlist
   * says. "Always allow" offers exactly these.
   */
  allowlistEntries(command: string, settings: GateSettings, context: Partial<PolicyContext> = {}): string[] | undefined {
    const ctx: PolicyContext = { ...DEFAULT_CONTEXT, ...context };
    const view = describedFileSystem(ctx);
    const ci = ctx.fs === 'case-insensitive' || ctx.shell === 'powershell' || ctx.shell === 'cmd';
    if (command.length > MAX_COMMAND_LENGTH) return undefined;
    let analysis;
    try {
      analysis = this.analyses.get(this.parser, command, ctx.home, ci, ctx.shell);
    } catch {
      return undefined;
    }
    if (analysis.problems.length > 0) return undefined;
    const allowlist = new Allowlist(settings.allowedCommands, (p) => canonicalize(p, ctx, view).rel !== undefined);
    const entries: string[] = [];
    for (const cmd of analysis.commands) {
      // What a wrapper runs is covered by the wrapper's own entry, which holds its words.
      if (cmd.wrappedBy || allowlist.match(cmd).allowed) continue;
      const argv = cmd.argv.map((w) => w.value);
      if (cmd.kind !== 'command' || argv.length === 0 || argv.some((a) => a === null || a === '' || /\s/.test(a))) return undefined;
      const entry = argv.join(' ');
      if (!entries.includes(entry)) entries.push(entry);
    }
    if (entries.length === 0) return undefined;
    const allowedCommands = [...settings.allowedCommands, ...entries];
    return this.check({ kind: 'command', command }, { ...settings, autonomyLevel: 'balanced', allowedCommands }, context, view).verdict === 'allow' ? entries : undefined;
  }

  private checkCommand(command: string, settings: GateSettings, ctx: PolicyContext, view: FileSystemView): Decision {
    const ci = ctx.fs === 'case-insensitive' || ctx.shell === 'powershell' || ctx.shell === 'cmd';
    const findings: Finding[] = [...lexicalHazards(command)];
    const forbidden = forbiddenMatchers(settings.forbiddenCommands, ci);
    const checkForbidden = (argv: string[], text: string) => {
      for (const m of forbidden) if (argv.length > 0 && m.matches(argv)) findings.push({ verdict: 'deny', rule: 'C5', message: `\`${text}\` matches the forbidden command "${m.entry}"`, command: text, entry: m.entry });
    };

    if (command.length > MAX_COMMAND_LENGTH) {
      findings.push({ verdict: 'ask', rule: 'C0', message: `the command is ${command.length} characters long, over the ${MAX_COMMAND_LENGTH} the gate analyses` });
      for (const argv of lexicalCommands(command)) checkForbidden(argv, argv.join(' ').slice(0, 200));
      return decide(findings, settings, false);
    }

    const { commands, direct, problems } = this.analyses.get(this.parser, command, ctx.home, ci, ctx.shell);
    for (const p of problems) {
      findings.push({ verdict: 'ask', rule: p.rule, message: p.message, command: p.command });
      if (p.source !== undefined) for (const argv of lexicalCommands(p.source)) checkForbidden(argv, argv.join(' '));
    }
    const parsedCleanly = problems.every((p) => p.source === undefined);
    if (direct.length > MAX_SIMPLE_COMMANDS) findings.push({ verdict: 'ask', rule: 'C0', message: `the command has ${direct.length} simple commands, over the ${MAX_SIMPLE_COMMANDS} the gate analyses` });
    if (direct.length === 0 && commands.length === 0 && parsedCleanly) findings.push({ verdict: 'ask', rule: 'C0', message: 'there is no command to run' });

    const inside = (p: string) => canonicalize(p, ctx, view).rel !== undefined;
    const allowlist = new Allowlist(settings.allowedCommands, inside);
    // A relative path after `cd dir` on the same line is dir/path: check writes against every place they may land.
    const cdDirs = direct.map(cdTarget).flatMap((t) => (typeof t === 'object' ? [t.path] : t === 'home' ? [ctx.home] : []));
    const declaredPackages = new Set(ctx.projectDependencies ?? allowlist.packages);
    // Past the limit the verdict is ask at best: only a deny can change it, so only the forbidden scan runs.
    const onlyForbidden = direct.length > MAX_SIMPLE_COMMANDS;
    const writes = new Map(onlyForbidden ? [] : commands.map((c) => [c, commandWrites(c, ci, ctx.home, ctx.os)]));
    const throughLink = linksMadeOnTheLine(writes, ctx, view);
    for (const cmd of commands) {
      if (parsedCleanly || cmd.via.length > 0) checkForbidden(denyArgv(cmd), cmd.text);
      if (onlyForbidden) continue;
      // Writes first: where a write goes says more than that one of its words is only known at run time (C3).
      for (const w of writes.get(cmd)!) {
        const link = w.path === null ? undefined : throughLink(cmd, w.path);
        if (link !== undefined) findings.push({ verdict: 'ask', rule: 'C7', message: `${w.how} writes through ${link}, which this command line makes a link to a place the gate cannot know`, command: cmd.text });
        if (w.path === null) findings.push({ verdict: 'ask', rule: 'C7', message: w.unknownBecause ?? `${w.how} writes to a path only known when it runs (a glob, a variable or a substitution)`, command: cmd.text });
        const path = w.path ?? w.denyPath;
        if (path === undefined) continue;
        const places = isAbsolute(path) || /^[A-Za-z]:[\\/]|^~/.test(path) ? [path] : [path, ...cdDirs.map((d) => join(d, path))];
        for (const place of places) {
          for (const f of checkFileAction(w.kind ?? 'write', place, settings, ctx, view, { fromCommand: true })) {
            // Where a dynamic path lands is a guess: it can only add a deny (outside, policy files).
            if (w.path === null && f.verdict !== 'deny') continue;
            findings.push({ ...f, rule: `C7/${f.rule}`, message: `${w.how}: ${f.message}`, command: cmd.text });
          }
        }
      }
      findings.push(...wordFindings(cmd));
      findings.push(...sensitiveFindings(cmd, { ctx, caseInsensitive: ci, declaredPackages, insideWorkspace: inside }));
      findings.push(...subscriptFindings(cmd, checkForbidden));
    }
    // C8 both ways: a wrapper's entry does not cover what it runs, so every command reached must match (C4).
    // S6: with nothing to bound what an allowed command does, full keeps only the commands balanced would run.
    const uncontained = settings.autonomyLevel === 'full' && !ctx.sandbox;
    const notAllowed = commands.find((c) => !allowlist.match(c).allowed);
    const entries = notAllowed ? [] : [...new Set(commands.map((c) => allowlist.match(c).entry).filter((e) => e !== undefined))];
    const decision = decide(findings, uncontained ? { ...settings, autonomyLevel: 'balanced' } : settings, notAllowed === undefined, notAllowed, entries);
    if (uncontained && decision.verdict === 'ask' && decision.rule === 'C8') decision.reason += '; without a sandbox on this machine, full decides commands as balanced does (S6)';
    return decision;
  }
}

function decideFile(kind: 'write' | 'create' | 'delete', path: string, settings: GateSettings, ctx: PolicyContext, view: FileSystemView): Decision {
  const findings = checkFileAction(kind, path, settings, ctx, view);
  const worst = findings.reduce<Verdict>((v, f) => stricter(v, f.verdict), 'allow');
  if (worst === 'allow') return { verdict: 'allow', rule: 'W4', reason: `allow: ${kind} ${path} is an ordinary file in the workspace`, findings };
  const decisive = findings.find((f) => f.verdict === worst)!;
  return { verdict: worst, rule: decisive.rule, reason: `${worst}: ${decisive.message}`, findings };
}

function decide(findings: Finding[], settings: GateSettings, allAllowed: boolean, firstNotAllowed?: SimpleCommand, entries: string[] = []): Decision {
  const deny = findings.find((f) => f.verdict === 'deny');
  if (deny) return { verdict: 'deny', rule: deny.rule, reason: `deny: ${deny.message}`, findings };
  const ask = findings.find((f) => f.verdict === 'ask');
  if (settings.autonomyLevel === 'cautious') {
    return { verdict: 'ask', rule: ask?.rule ?? 'C9', reason: ask ? `ask: ${ask.message}` : 'ask: at the cautious level every command asks', findings };
  }
  if (ask) return { verdict: 'ask', rule: ask.rule, reason: `ask: ${ask.message}`, findings };
  if (settings.autonomyLevel === 'full') return { verdict: 'allow', rule: 'C9', reason: 'allow: at the full level a command without findings runs', findings };
  if (allAllowed) {
    return { verdict: 'allow', rule: 'C8', reason: `allow: every command matches allowedCommands${entries.length ? ` (${entries.map((e) => `"${e}"`).join(', ')})` : ''}`, findings };
  }
  const text = firstNotAllowed?.text ?? '';
  const via = firstNotAllowed?.via.at(-1);
  const runBy = via && !['$( )', '<( )', 'heredoc', 'function body'].includes(via) ? ` (run by ${via}, whose entry covers only itself)` : '';
  return { verdict: 'ask', rule: 'C8', reason: `ask: \`${text}\`${runBy} is not in allowedCommands (at the balanced level only allowed commands run without asking)`, findings };
}

/** RULES.md C1: characters that hide what a command does. */
function lexicalHazards(command: string): Finding[] {
  const out: Finding[] = [];
  const m = /[\x00-\x08\x0b-\x1f\x7f]/.exec(command);
  if (m) out.push({ verdict: 'ask', rule: 'C1', message: `the command contains the control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}` });
  // Every format character (Cf): zero-width, bidi marks and controls, invisible operators, tag characters.
  const inv = /[\p{Cf}\u180e]/u.exec(command);
  if (inv) out.push({ verdict: 'ask', rule: 'C1', message: `the command contains an invisible or bidirectional character (U+${inv[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()})` });
  const ws = /[\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0085]/.exec(command);
  if (ws) out.push({ verdict: 'ask', rule: 'C1', message: `the command contains non-ASCII whitespace (U+${ws[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()})` });
  return out;
}

/** RULES.md C1 (command and option words) and C3 (words only known at run time). */
function wordFindings(cmd: SimpleCommand): Finding[] {
  const out: Finding[] = [];
  cmd.argv.forEach((w, i) => {
    if (/[^\x00-\x7f]/.test(w.deny) && (i === 0 || w.deny.startsWith('-') || !w.quoted)) {
      out.push({ verdict: 'ask', rule: 'C1', message: `the ${i === 0 ? 'command' : 'option'} word \`${w.text}\` contains non-ASCII characters (look-alikes can disguise a command)`, command: cmd.text });
    }
    if (w.value === null) out.push({ verdict: 'ask', rule: 'C3', message: `\`${w.text}\` is only known when the command runs (${w.expansions[0] ? `it expands ${w.expansions[0]}` : 'a substitution'})`, command: cmd.text });
    else if (i === 0 && w.glob) out.push({ verdict: 'ask', rule: 'C3', message: `the command word \`${w.text}\` is a glob`, command: cmd.text });
    else if (i === 0 && w.substitutions.length > 0) out.push({ verdict: 'ask', rule: 'C3', message: `the command word \`${w.text}\` is a process substitution`, command: cmd.text });
  });
  return out;
}

/**
 * Bash evaluates array subscripts as arithmetic, running any `$(…)` in them, even inside single quotes
 * (`let 'x=a[$(rm -rf ~)]'`, `printf -v 'a[$(…)]'`, `read`, `test -v`, `[[ -eq ]]`, `a[$(…)]=1`).
 */
function subscriptFindings(cmd: SimpleCommand, checkForbidden: (argv: string[], text: string) => void): Finding[] {
  const texts = [...cmd.argv.map((w) => w.deny), ...cmd.assignments.map((a) => a.name), cmd.kind === 'assignment' || cmd.kind === 'test' ? cmd.text : ''];
  const out: Finding[] = [];
  for (const t of texts) {
    const m = /\[[^\]]*(\$\(|`)/.exec(t);
    if (!m) continue;
    // Quotes do not protect a subscript: scan what each $( … ) holds.
    for (const inner of substitutionsIn(t.slice(m.index))) for (const argv of lexicalCommands(inner)) checkForbidden(argv, argv.join(' '));
    out.push({ verdict: 'ask', rule: 'C3', message: `\`${t.slice(0, 60)}\` has a command substitution in an array subscript, which bash runs`, command: cmd.text });
  }
  return out;
}

function substitutionsIn(text: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf('$('); at !== -1; at = text.indexOf('$(', at + 2)) {
    let depth = 0;
    let end = at + 1;
    for (; end < text.length; end++) {
      if (text[end] === '(') depth++;
      else if (text[end] === ')' && --depth === 0) break;
    }
    out.push(text.slice(at + 2, end));
  }
  for (const m of text.matchAll(/`([^`]*)`/g)) out.push(m[1]!);
  return out;
}
