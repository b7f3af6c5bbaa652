import type { Parser } from 'web-tree-sitter';
import { analyseCode, MAX_DEPTH, type SimpleCommand } from './commandAnalysis.js';
import { innerCode } from './codeBearing.js';
import type { Dialect } from './dialect.js';

export interface AnalysisProblem {
  rule: string;
  message: string;
  command?: string;
  /** Text the grammar could not read: the forbidden scan runs over it lexically instead. */
  source?: string;
}

export interface ExpandedCommands {
  /** Every simple command, including those run by wrappers and code-bearing words. */
  commands: SimpleCommand[];
  /** The simple commands written in the command line itself (substitutions included): the allowlist applies to these. */
  direct: SimpleCommand[];
  problems: AnalysisProblem[];
}

/** Bounds the work on adversarial input (a wrapper of a wrapper of ...). */
const MAX_COMMANDS = 1000;

/**
 * The decomposition is a pure function of the text, the home folder and case sensitivity, and an agent runs
 * the same commands again and again (tests, builds, verify commands): keep the last few hundred.
 */
export class AnalysisCache {
  private readonly entries = new Map<string, ExpandedCommands>();
  hits = 0;

  constructor(private readonly capacity = 512) {}

  get(parser: Parser, command: string, home: string, ci: boolean, dialect: Dialect = 'bash'): ExpandedCommands {
    const key = `${ci ? 1 : 0}${dialect}\0${home}\0${command}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = codeBearingCommands(parser, command, home, ci, dialect);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

export function codeBearingCommands(parser: Parser, command: string, home: string, ci: boolean, dialect: Dialect = 'bash'): ExpandedCommands {
  const top = analyseCode(parser, command, home, [], dialect);
  const problems: AnalysisProblem[] = top.problems.map((p) => ({ rule: 'C0', message: p.message, source: command }));
  const commands: SimpleCommand[] = [];
  const queue = [...top.commands];
  while (queue.length > 0) {
    const cmd = queue.shift()!;
    commands.push(cmd);
    if (commands.length > MAX_COMMANDS) {
      problems.push({ rule: 'C0', message: `the command expands to more than ${MAX_COMMANDS} simple commands` });
      break;
    }
    const inner = innerCode(cmd, ci);
    for (const f of inner.findings) problems.push({ rule: f.rule, message: f.message, command: cmd.text });
    if ((inner.argv.length > 0 || inner.code.length > 0) && cmd.via.length >= MAX_DEPTH) {
      problems.push({ rule: 'C4', message: `commands nested more than ${MAX_DEPTH} deep`, command: cmd.text, source: cmd.text });
      continue;
    }
    for (const a of inner.argv) {
      queue.push({ kind: 'command', argv: a.words, assignments: a.assignments, redirects: [], text: a.words.map((w) => w.text).join(' '), via: [...cmd.via, a.via], heredocText: undefined, wrappedBy: { cmd, at: a.at } });
    }
    for (const c of inner.code) {
      const sub = analyseCode(parser, c.text, home, [...cmd.via, c.via], c.dialect);
      for (const p of sub.problems) problems.push({ rule: 'C4', message: `the code run by ${c.via} has a ${p.message}`, command: cmd.text, source: c.text });
      queue.push(...sub.commands);
    }
  }
  return { commands, direct: top.commands, problems };
}
