// Gate figures: start-up (grammar load), decisions per second over cases.json, p50 and p99 per decision.
// Targets (issue 3): >= 10,000 decisions/s, p99 <= 1 ms, start-up <= 150 ms.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PolicyGate } from '../src/core/policy/gate.js';
import type { PolicyAction, PolicyContext } from '../src/core/policy/types.js';
import { agentSettingsSchema } from '../src/core/settings/schema.js';

interface Case {
  settings: { agent: unknown };
  action: PolicyAction;
  context?: Partial<PolicyContext>;
}

export async function benchGate(): Promise<void> {
  const file = resolve(process.env.SPEC_AGENT_CASES ?? join(process.cwd(), '../shared/policy/cases.json'));
  console.log('\npolicy gate');
  const started = performance.now();
  const gate = await PolicyGate.create();
  const startup = performance.now() - started;
  console.log(`${'  start-up (WASM grammar load, first use)'.padEnd(58)} ${startup.toFixed(1).padStart(9)} ms  target <= 150 ms`);
  if (!existsSync(file)) {
    console.log(`  cases.json not found at ${file} (set SPEC_AGENT_CASES); decision figures skipped`);
    return;
  }
  const cases = (JSON.parse(readFileSync(file, 'utf8')) as Case[]).map((c) => ({ ...c, settings: agentSettingsSchema.parse(c.settings.agent) }));
  for (let r = 0; r < 3; r++) for (const c of cases) gate.check(c.action, c.settings, c.context ?? {});
  const rounds = 20;
  // Uncached: every decision parses its command (the cache is emptied before each round).
  report('uncached (every decision parses)', rounds, cases, gate, true);
  // Cached: the same commands again, as in a run that re-runs its tests and verify commands.
  report('cached (repeated commands)', rounds, cases, gate, false);
}

function report(label: string, rounds: number, cases: Array<{ action: PolicyAction; settings: ReturnType<typeof agentSettingsSchema.parse>; context?: Partial<PolicyContext> }>, gate: PolicyGate, clear: boolean): void {
  const times: number[] = [];
  let total = 0;
  for (let r = 0; r < rounds; r++) {
    if (clear) gate.clearCache();
    const t0 = performance.now();
    for (const c of cases) {
      const t = performance.now();
      gate.check(c.action, c.settings, c.context ?? {});
      times.push(performance.now() - t);
    }
    total += performance.now() - t0;
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))]!;
  console.log(`  ${label}`);
  console.log(`${`    decisions/s over ${cases.length} cases x ${rounds}`.padEnd(58)} ${((times.length / total) * 1000).toFixed(0).padStart(9)} /s  target >= 10,000`);
  console.log(`${'    p50 per decision'.padEnd(58)} ${pct(0.5).toFixed(3).padStart(9)} ms`);
  console.log(`${'    p99 per decision'.padEnd(58)} ${pct(0.99).toFixed(3).padStart(9)} ms  target <= 1 ms`);
  console.log(`${'    slowest decision'.padEnd(58)} ${times.at(-1)!.toFixed(3).padStart(9)} ms`);
}
