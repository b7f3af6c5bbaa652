import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import { agentSettingsSchema } from '../../../src/core/settings/schema.js';

const settings = agentSettingsSchema.parse({ autonomyLevel: 'full', allowedCommands: ['npm test'], forbiddenCommands: ['rm -rf', 'git push --force', 'npm publish'] });

describe('the gate on hostile input', () => {
  let gate: PolicyGate;
  beforeAll(async () => {
    gate = await PolicyGate.create();
  });

  const timed = (command: string) => {
    const started = performance.now();
    const d = gate.check({ kind: 'command', command }, settings);
    return { d, ms: performance.now() - started };
  };

  it.each([
    { what: 'a 1 MB command', command: 'npm test ' + 'a'.repeat(1024 * 1024), expected: 'ask' as const },
    { what: 'a 1 MB command with a forbidden part at the end', command: 'echo ' + 'a '.repeat(512 * 1024) + '; rm -rf /', expected: 'deny' as const },
    { what: 'subshells nested 1,000 deep', command: '('.repeat(1000) + 'npm test' + ')'.repeat(1000), expected: 'ask' as const },
    { what: 'substitutions nested 1,000 deep around rm -rf', command: '$('.repeat(1000) + 'rm -rf /' + ')'.repeat(1000), expected: 'deny' as const },
    { what: 'lone surrogates', command: 'npm test \ud800 \udfff', expected: 'ask' as const },
    { what: 'a NUL byte', command: 'npm test\u0000; ls', expected: 'ask' as const },
    { what: 'an unterminated quote hiding nothing', command: 'npm test && echo "unclosed && rm -rf dist', expected: 'ask' as const },
    { what: 'brace expansion into rm -rf', command: '{rm,-rf,x}', expected: 'deny' as const },
    { what: 'sh -c nested 20 deep', command: 'sh -c '.repeat(20) + "'ls'", expected: 'ask' as const },
  ])('$what: $expected in bounded time, no exception', ({ command, expected }) => {
    const { d, ms } = timed(command);
    expect(d.verdict).toBe(expected);
    expect(ms).toBeLessThan(5000);
  });
});
