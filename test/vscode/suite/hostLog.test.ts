// The extension host's own log after a normal session (activation, a tasks.md open with its lenses): no
// PendingMigrationError (bundled code probing `navigator`, which VS Code's Node 22+ host reports at each
// activation) and no error line from this extension. Read from the log files code-server writes, as a user
// reading "Extension Host" in the Output view would.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, root, until } from './helpers.js';

/** The extension host logs of the newest session of this code-server run (its user-data dir sits beside the report). */
function hostLogs(): string[] {
  const report = process.env.SPEC_AGENT_TEST_REPORT;
  assert.ok(report, 'SPEC_AGENT_TEST_REPORT names the run folder (test/vscode/run.mjs sets it)');
  const logs = join(dirname(report), 'user-data', 'logs');
  const sessions = readdirSync(logs).map((d) => join(logs, d)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const session of sessions) {
    const files = readdirSync(session)
      .filter((d) => d.startsWith('exthost'))
      .flatMap((d) => ['remoteexthost.log', 'exthost.log'].map((f) => join(session, d, f)))
      .filter((f) => existsSync(f));
    if (files.length) return files;
  }
  return [];
}

/** Log entries: a line with a timestamp and the stack lines under it. */
function entries(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(line) || out.length === 0) out.push(line);
    else out[out.length - 1] += `\n${line}`;
  }
  return out;
}

describe('the extension host log of a normal session', () => {
  it('holds no PendingMigrationError and no error from Spec Agent', async () => {
    await api();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const uri = vscode.Uri.joinPath(root(), '.kiro', 'specs', 'todo-priorities', 'tasks.md');
    await vscode.window.showTextDocument(uri);
    await until('the lenses of tasks.md', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return lenses.some((l) => l.command?.title.includes('Execute')) || undefined;
    });
    // The host writes its log in the background: wait for the line of our activation to be there.
    const text = await until('the activation of Spec Agent in the extension host log', () => {
      const all = hostLogs().map((f) => readFileSync(f, 'utf8'));
      return all.some((t) => t.includes(`_doActivateExtension ${EXTENSION_ID}`)) ? all.join('\n') : undefined;
    });
    const ours = (e: string) => e.includes(EXTENSION_ID) || e.includes(ext.extensionPath);
    const bad = entries(text).filter((e) => e.includes('PendingMigrationError') || (/^\S+ \S+ \[error\]/.test(e) && ours(e)));
    assert.deepEqual(bad.map((e) => e.split('\n').slice(0, 4).join('\n')), []);
  });
});
