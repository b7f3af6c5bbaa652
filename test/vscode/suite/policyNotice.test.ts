// The once-per-workspace notification of an unaccepted .kiro/settings.json that grants more than the safe default,
// in the real extension host: projects below the VS Code folder (each a folder holding .kiro/), real files,
// real editors. What the notice said comes from the extension's onDidShow, fired as the notification is shown.
import * as assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, root } from './helpers.js';

describe('an unaccepted workspace policy', () => {
  const made: string[] = [];
  const project = async (name: string, settings: unknown, specs: string[]) => {
    const dir = join(root().fsPath, `${name}-${Date.now().toString(36)}`);
    made.push(dir);
    for (const s of specs) {
      await mkdir(join(dir, '.kiro/specs', s), { recursive: true });
      await writeFile(join(dir, '.kiro/specs', s, 'tasks.md'), '# Tasks\n\n- [ ] 1 Do one thing\n');
    }
    await writeFile(join(dir, '.kiro/settings.json'), JSON.stringify(settings, null, 2));
    return { dir, tasks: (s: string) => vscode.Uri.file(join(dir, '.kiro/specs', s, 'tasks.md')) };
  };

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const d of made) await rm(d, { recursive: true, force: true });
  });

  it('is said once per workspace when a tasks.md is first shown, naming what it grants; a safe policy is not', async () => {
    const { policyNotice } = await api();
    const shown: Array<{ root: string; message: string }> = [];
    const sub = policyNotice.onDidShow((n) => shown.push(n));
    try {
      const wide = await project('wide', { agent: { autonomyLevel: 'full', allowedCommands: ['make'] } }, ['one', 'two']);
      const safe = await project('safe', { agent: { autonomyLevel: 'cautious', verifyCommands: ['npm test'] } }, ['one']);
      const other = await project('other', { agent: { autonomyLevel: 'balanced' } }, ['one']);

      await vscode.window.showTextDocument(wide.tasks('one'));
      const first = await new Promise<{ root: string; message: string }>((resolve) => {
        const found = shown.find((n) => n.root === wide.dir);
        if (found) return resolve(found);
        const s = policyNotice.onDidShow((n) => n.root === wide.dir && (s.dispose(), resolve(n)));
      });
      assert.match(first.message, /settings\.json grants more than the safe default \(autonomy level full \(instead of cautious\); run without asking: make\) and is not accepted on this machine/);

      // The same workspace again, another of its specs: no second notice. A safe policy: none.
      await vscode.window.showTextDocument(wide.tasks('two'));
      await vscode.window.showTextDocument(wide.tasks('one'));
      await vscode.window.showTextDocument(safe.tasks('one'));
      // Another unaccepted workspace is noticed: once its notice is in, the opens before it were handled.
      const next = new Promise<void>((resolve) => {
        const s = policyNotice.onDidShow((n) => n.root === other.dir && (s.dispose(), resolve()));
      });
      await vscode.window.showTextDocument(other.tasks('one'));
      await next;
      assert.deepEqual(shown.map((n) => n.root), [wide.dir, other.dir]);
    } finally {
      sub.dispose();
    }
  });
});
