// The autonomy level in a real VS Code: the workspace setting over .kiro/settings.json, and the status bar.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SpecAgentApi } from '../../../src/vscode/extension.js';

async function api(): Promise<SpecAgentApi> {
  const ext = vscode.extensions.getExtension<SpecAgentApi>('spec-agent.spec-agent')!;
  return ext.isActive ? ext.exports : ext.activate();
}

describe('autonomy level in a real VS Code', () => {
  afterEach(async () => {
    await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('comes from .kiro/settings.json while the setting is inherit', async () => {
    const a = await api();
    assert.deepEqual(await a.autonomy(), { level: 'balanced', source: '.kiro/settings.json' });
    assert.match(await a.autonomyStatusText(), /Spec Agent: balanced$/);
  });

  it('Set Autonomy Level writes the workspace setting, which wins and shows in the status bar', async () => {
    const a = await api();
    await vscode.commands.executeCommand('specAgent.setAutonomyLevel', 'full');
    assert.equal(vscode.workspace.getConfiguration('specAgent').inspect('autonomyLevel')?.workspaceValue, 'full');
    assert.deepEqual(await a.autonomy(), { level: 'full', source: 'the specAgent.autonomyLevel setting' });
    assert.match(await a.autonomyStatusText(), /Spec Agent: full$/);
    await vscode.commands.executeCommand('specAgent.setAutonomyLevel', 'inherit');
    assert.equal((await a.autonomy()).level, 'balanced');
  });
});
