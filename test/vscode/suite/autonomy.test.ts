// The autonomy level in a real VS Code: the workspace setting over .kiro/settings.json, and the status bar.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api } from './helpers.js';

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
});
