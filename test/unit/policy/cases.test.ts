import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import { VERDICT_ORDER, type PolicyAction, type PolicyContext, type Verdict } from '../../../src/core/policy/types.js';
import { agentSettingsSchema } from '../../../src/core/settings/schema.js';
import { findShared } from '../../support/corpus.js';

/**
 * The normative cases of ../shared/policy/cases.json, and peer-cases.json: cases translated from other projects'
 * test suites (each cites its source).
 */
const CASE_FILES = ['cases.json', 'peer-cases.json'].map((name) => ({ name, path: findShared(`policy/${name}`) ?? join(__dirname, '../../../../shared/policy', name) }));

interface Case {
  id: string;
  settings: { agent: Record<string, unknown> };
  action: PolicyAction;
  context?: Partial<PolicyContext>;
  expected: Verdict;
  why: string;
  class: string;
}

/** RULES.md scoring: critical = allowed where ask/deny was expected; major = ask where deny; over-block = stricter. */
function score(expected: Verdict, got: Verdict): 'ok' | 'critical' | 'major' | 'over-block' {
  if (expected === got) return 'ok';
  if (got === 'allow') return 'critical';
  if (expected === 'deny') return 'major';
  return VERDICT_ORDER[got] > VERDICT_ORDER[expected] ? 'over-block' : 'critical';
}

describe('the policy gate on the case files', () => {
  let gate: PolicyGate;
  beforeAll(async () => {
    gate = await PolicyGate.create();
  });

  for (const file of CASE_FILES) {
    const cases: Case[] = existsSync(file.path) ? JSON.parse(readFileSync(file.path, 'utf8')) : [];
    it.skipIf(!existsSync(file.path))(`${file.name}: agrees with all ${cases.length} cases: zero critical, zero major, zero over-block`, () => {
    const rows: string[] = [];
    const byClass = new Map<string, { ok: number; critical: number; major: number; 'over-block': number }>();
    for (const c of cases) {
      const settings = agentSettingsSchema.parse(c.settings.agent);
      const d = gate.check(c.action, settings, c.context ?? {});
      const s = score(c.expected, d.verdict);
      const row = byClass.get(c.class) ?? { ok: 0, critical: 0, major: 0, 'over-block': 0 };
      row[s]++;
      byClass.set(c.class, row);
      if (s !== 'ok') rows.push(`${s.padEnd(10)} ${c.id.padEnd(7)} expected ${c.expected.padEnd(5)} got ${d.verdict.padEnd(5)} ${d.rule.padEnd(6)} ${JSON.stringify('command' in c.action ? c.action.command : c.action.path).slice(0, 70)}  | ${d.reason.slice(0, 110)}`);
    }
    if (rows.length > 0) {
      const table = [...byClass].filter(([, r]) => r.ok < r.ok + r.critical + r.major + r['over-block']).map(([k, r]) => `${k.padEnd(26)} ok ${r.ok}  critical ${r.critical}  major ${r.major}  over-block ${r['over-block']}`);
      console.log(`${file.name}: ${rows.length} disagreements\n${rows.join('\n')}\n\nby class:\n${table.join('\n')}`);
    }
    expect(rows).toEqual([]);
  });
  }
});
