// Loaded by the real extension host (extensionTestsPath): runs the mocha suites next to this file.
// The host's console is mirrored badly to the browser, so the report also goes to $SPEC_AGENT_TEST_REPORT.
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const report = process.env.SPEC_AGENT_TEST_REPORT;
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const original = base.consoleLog;
  base.consoleLog = (...args: unknown[]) => {
    if (report) appendFileSync(report, format(...args) + '\n');
    original(...args);
  };
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter: 'spec' });
  const grep = process.env.SPEC_AGENT_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of readdirSync(__dirname)) if (f.endsWith('.test.js')) mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats!;
      base.consoleLog(`RESULT ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
      if (failures > 0) reject(new Error(`${failures} tests failed.`));
      else resolve();
    });
  });
}
