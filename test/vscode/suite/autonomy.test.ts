// The autonomy level in a real VS Code: the workspace setting over .kiro/settings.json, and the status bar.
import * as assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { accept } from '../../../src/core/settings/index.js';
import { api, root, until } from './helpers.js';

describe('autonomy level in a real VS Code', () => {
  afterEach(async () => {
    await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', undefined, vscode.ConfigurationTarget.Workspace);
  });

  // This workspace's policy is never accepted here (the UI test accepts its own workspace's, through the dialog).
  it('is cautious while the .kiro/settings.json that grants more is not accepted, and says what it grants', async () => {
    const a = await api();
    assert.deepEqual(await a.autonomy(), {
      level: 'cautious',
      source: '.kiro/settings.json is not accepted on this machine yet: the safe default',
      unaccepted: ['autonomy level balanced (instead of cautious)', 'run without asking: npm test', 'run without asking: node --test'],
    });
    assert.equal(await a.autonomyStatusText(), '$(warning) Spec Agent: cautious');
  });

  it('Set Autonomy Level writes the workspace setting, which wins and shows in the status bar', async () => {
    const a = await api();
    await vscode.commands.executeCommand('specAgent.setAutonomyLevel', 'full');
    assert.equal(vscode.workspace.getConfiguration('specAgent').inspect('autonomyLevel')?.workspaceValue, 'full');
    assert.deepEqual(await a.autonomy(), { level: 'full', source: 'the specAgent.autonomyLevel setting', unaccepted: (await a.autonomy()).unaccepted });
    assert.match(await a.autonomyStatusText(), /Spec Agent: full$/);
    await vscode.commands.executeCommand('specAgent.setAutonomyLevel', 'inherit');
    assert.equal((await a.autonomy()).level, 'cautious');
  });

  it('applies .kiro/settings.json once accepted for its exact content; a changed file is cautious again until accepted', async () => {
    const a = await api();
    const store = process.env.SPEC_AGENT_ACCEPTANCE_FILE!;
    const storeBefore = await readFile(store, 'utf8').catch(() => undefined);
    const settings = vscode.Uri.joinPath(root(), '.kiro', 'settings.json').fsPath;
    const text = await readFile(settings, 'utf8');
    try {
      // What the Review Workspace Policy dialog records when the user clicks Accept (the dialog is modal: the UI test clicks it).
      await accept(root().fsPath, text);
      assert.deepEqual(await a.autonomy(), { level: 'balanced', source: '.kiro/settings.json' });
      assert.equal(await a.autonomyStatusText(), '$(law) Spec Agent: balanced');
      assert.ok(!(await readFile(settings, 'utf8')).includes('accepted'), 'nothing is written into the repository');
      await writeFile(settings, text.replace('"node --test"]', '"node --test", "make deploy"]'));
      const changed = await until('the change to be seen', async () => {
        const level = await a.autonomy();
        return level.level === 'cautious' ? level : undefined;
      });
      assert.ok(changed.unaccepted?.includes('run without asking: make deploy'), JSON.stringify(changed));
    } finally {
      await writeFile(settings, text);
      if (storeBefore === undefined) await rm(store, { force: true });
      else await writeFile(store, storeBefore);
    }
  });

  it('in a monorepo, is that of the project whose file is in the editor (its own .kiro/settings.json)', async () => {
    const a = await api();
    const project = vscode.Uri.joinPath(root(), 'packages', 'level-app');
    const policy = JSON.stringify({ agent: { autonomyLevel: 'full' } });
    const tasks = vscode.Uri.joinPath(project, '.kiro', 'specs', 'app', 'tasks.md');
    await mkdir(dirname(tasks.fsPath), { recursive: true });
    await writeFile(join(project.fsPath, '.kiro', 'settings.json'), policy);
    await writeFile(tasks.fsPath, '- [ ] 1. Something\n');
    try {
      await vscode.window.showTextDocument(tasks);
      // Its own policy, not the root's: unaccepted here, so cautious, and what it grants is what this file grants.
      assert.deepEqual(await a.autonomy(), { level: 'cautious', source: '.kiro/settings.json is not accepted on this machine yet: the safe default', unaccepted: ['autonomy level full (instead of cautious)'] });
      await accept(project.fsPath, policy);
      assert.deepEqual(await a.autonomy(), { level: 'full', source: '.kiro/settings.json' });
      await until('the status bar to follow', async () => ((await a.autonomyStatusText()).endsWith('Spec Agent: full') ? true : undefined));
      // Back to a file of the root project: its level again.
      await vscode.window.showTextDocument(vscode.Uri.joinPath(root(), 'package.json'));
      assert.equal((await a.autonomy()).level, 'cautious');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await rm(vscode.Uri.joinPath(root(), 'packages').fsPath, { recursive: true, force: true });
    }
  });
});
