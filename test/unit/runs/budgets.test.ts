import { describe, expect, it } from 'vitest';
import { agentSettingsSchema } from '../../../src/core/settings/index.js';
import { higherOf, withRaised } from '../../../src/core/runs/budgets.js';

describe('raised budgets', () => {
  it('a later, lower raise in a chain does not bring a limit an earlier Resume raised back down', () => {
    const chain = { maxCostPerRun: 1, maxTurnsPerTask: 80 };
    const now = { maxCostPerRun: 0.5, maxTokensPerTask: 9_000 };
    expect(higherOf(chain, now)).toEqual({ maxCostPerRun: 1, maxTurnsPerTask: 80, maxTokensPerTask: 9_000 });
    expect(higherOf({}, now)).toEqual(now);
    expect(higherOf(chain, {})).toEqual(chain);
  });

  it('a raise counts only above the settings, and never for a limit the settings do not set', () => {
    const settings = agentSettingsSchema.parse({ maxTurnsPerTask: 50, maxCostPerRun: 0.01 });
    const s = withRaised(settings, { maxTurnsPerTask: 40, maxCostPerRun: 2, maxTokensPerTask: 1_000 });
    expect(s.maxTurnsPerTask).toBe(50);
    expect(s.maxCostPerRun).toBe(2);
    expect(s.maxTokensPerTask).toBeUndefined();
  });
});
