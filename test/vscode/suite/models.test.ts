// The model settings in the real extension host: the old `provider:model` id, replay scripts relative to the
// workspace, an OpenAI-compatible server (a real HTTP server on loopback speaking the chat-completions stream)
// reached with the key from SecretStorage, the messages that name their fix, and VS Code's own language models
// through a fixture extension that provides a scripted chat model (test/vscode/fixtures/lm-provider).
import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { ChatRequest } from '../../../src/core/models/chatModel.js';
import { toolJsonSchemas } from '../../../src/core/tools/registry.js';
import { api, root } from './helpers.js';

const KEYS = ['provider', 'id', 'baseUrl', 'replayScript'] as const;
const dir = () => vscode.Uri.joinPath(root(), '.kiro', 'models-in-host');
const ws = () => root().fsPath;

async function set(values: Partial<Record<(typeof KEYS)[number], string>>): Promise<void> {
  const config = vscode.workspace.getConfiguration('specAgent.model');
  for (const k of KEYS) await config.update(k, values[k], vscode.ConfigurationTarget.Workspace);
}

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'do task 1' }],
  tools: toolJsonSchemas(),
  signal: new AbortController().signal,
  ...over,
});

/** A loopback server answering each request with the next handler, recording what it was sent. */
async function serve(handlers: Array<(res: ServerResponse) => void>): Promise<{ base: string; seen: Array<{ url: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }>; close(): Promise<void> }> {
  const seen: Array<{ url: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }> = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : {} });
      (handlers.shift() ?? ((r: ServerResponse) => r.writeHead(500).end()))(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const data = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const chunk = (delta: unknown, finish: string | null = null) => data({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
const toolCallStream = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const e of [
    chunk({ role: 'assistant', content: 'Reading.' }),
    chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"src/a.ts"}' } }] }),
    chunk({}, 'tool_calls'),
    'data: [DONE]\n\n',
  ])
    res.write(e);
  res.end();
};

describe('Models in a real VS Code', () => {
  before(async () => {
    await mkdir(dir().fsPath, { recursive: true });
    await writeFile(vscode.Uri.joinPath(dir(), 'r.json').fsPath, JSON.stringify({ turns: [{ text: 'hello from replay' }] }));
  });

  after(async () => {
    await set({});
    await rm(dir().fsPath, { recursive: true, force: true });
  });

  it('vscode-lm, the default, with no language model in VS Code: the message names Select Model', async () => {
    await set({});
    const choice = await (await api()).chooseModel(ws());
    assert.equal(choice.model, undefined);
    assert.match(choice.problem!.message, /no language model is available in VS Code.*"Spec Agent: Select Model"/);
    assert.deepEqual(choice.problem!.actions, ['Select Model']);
    await set({ id: 'copilot/gpt-4o' });
    assert.match((await (await api()).chooseModel(ws())).problem!.message, /the VS Code language model "copilot\/gpt-4o" \(specAgent\.model\.id\) is not available; choose one with "Spec Agent: Select Model"/);
  });

  it('keeps the old provider:model in specAgent.model.id (no provider set beside it or closer): a replay model', async () => {
    await set({ id: 'replay:.kiro/models-in-host/r.json' });
    const { model } = await (await api()).chooseModel(ws());
    assert.equal(model?.id, `replay:${vscode.Uri.joinPath(dir(), 'r.json').fsPath}`);
    assert.equal((await model!.complete(request())).text, 'hello from replay');
    // A provider in the user settings does not override the workspace's old id; one in the workspace does.
    const config = vscode.workspace.getConfiguration('specAgent.model');
    await config.update('provider', 'openai-compatible', vscode.ConfigurationTarget.Global);
    try {
      assert.equal((await (await api()).chooseModel(ws())).model?.id, `replay:${vscode.Uri.joinPath(dir(), 'r.json').fsPath}`);
      await set({ provider: 'anthropic', id: 'replay:.kiro/models-in-host/r.json' });
      assert.match((await (await api()).chooseModel(ws())).problem!.message, /no API key is stored for the Anthropic server/);
    } finally {
      await config.update('provider', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('provider replay with specAgent.model.replayScript relative to the workspace', async () => {
    await set({ provider: 'replay', replayScript: '.kiro/models-in-host/r.json' });
    const { model } = await (await api()).chooseModel(ws());
    assert.equal(model?.id, `replay:${vscode.Uri.joinPath(dir(), 'r.json').fsPath}`);
    await set({ provider: 'replay', replayScript: '.kiro/models-in-host/missing.json' });
    assert.match((await (await api()).chooseModel(ws())).problem!.message, /missing\.json: no such file/);
  });

  it('openai-compatible: the key stored with Set API Key goes to the server, and only to that server', async () => {
    const server = await serve([toolCallStream, (res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad key' } })), toolCallStream]);
    try {
      const baseUrl = `${server.base}/v1`;
      const name = await vscode.commands.executeCommand<string>('specAgent.setApiKey', { provider: 'openai-compatible', baseUrl, apiKey: 'sk-from-secret-storage' });
      assert.equal(name, `specAgent.apiKey.openai-compatible@${server.base}`);
      await set({ provider: 'openai-compatible', id: 'qwen3:32b', baseUrl });
      const { model } = await (await api()).chooseModel(ws());
      const streamed: string[] = [];
      const r = await model!.complete(request({ onDelta: (d) => 'text' in d && streamed.push(d.text) }));
      assert.deepEqual(r, { text: 'Reading.', toolCalls: [{ id: 'call_1', tool: 'read_file', input: { path: 'src/a.ts' } }] });
      assert.deepEqual(streamed, ['Reading.']);
      assert.equal(server.seen[0]!.url, '/v1/chat/completions');
      assert.equal(server.seen[0]!.headers.authorization, 'Bearer sk-from-secret-storage');
      assert.equal(server.seen[0]!.body.model, 'qwen3:32b');
      // The server refuses a key: the run's error names the command that fixes it.
      await assert.rejects(model!.complete(request()), /refused the API key; store the right one with "Spec Agent: Set API Key"/);
      // The key is in no settings file.
      assert.doesNotMatch(await readFile(vscode.Uri.joinPath(root(), '.vscode', 'settings.json').fsPath, 'utf8'), /sk-from/);
      // The same settings with OpenAI's own API: that key belongs to the loopback server, so none is sent.
      await set({ provider: 'openai-compatible', id: 'gpt-4.1' });
      const missing = (await (await api()).chooseModel(ws())).problem!;
      assert.match(missing.message, /no API key is stored for the OpenAI-compatible server https:\/\/api\.openai\.com\. Run "Spec Agent: Set API Key"/);
      assert.deepEqual(missing.actions, ['Set API Key', 'Select Model']);
      // Clear API Key removes it: the loopback server is then reached with no key.
      assert.deepEqual(await vscode.commands.executeCommand('specAgent.clearApiKey', { provider: 'openai-compatible', baseUrl }), [name]);
      await set({ provider: 'openai-compatible', id: 'qwen3:32b', baseUrl });
      server.seen.length = 0;
      await (await (await api()).chooseModel(ws())).model!.complete(request());
      assert.equal(server.seen[0]!.headers.authorization, 'Bearer none');
    } finally {
      await server.close();
    }
  });

  it('anthropic without a key, and a provider name that does not exist: messages with their fixes', async () => {
    await set({ provider: 'anthropic', id: 'claude-sonnet-4-5' });
    assert.match((await (await api()).chooseModel(ws())).problem!.message, /no API key is stored for the Anthropic server https:\/\/api\.anthropic\.com/);
    await set({ provider: 'anthropic' });
    assert.match((await (await api()).chooseModel(ws())).problem!.message, /needs a model name: set specAgent\.model\.id/);
    await set({ provider: 'gemini', id: 'x' });
    assert.match((await (await api()).chooseModel(ws())).problem!.message, /specAgent\.model\.provider "gemini" is not one of vscode-lm, openai-compatible, anthropic, replay; run "Spec Agent: Select Model"/);
  });

  it('Select Model with a choice writes the settings where they take effect', async () => {
    const config = () => vscode.workspace.getConfiguration('specAgent.model');
    await set({});
    // Nothing in the workspace: the user's settings (a model is a personal choice, like its keys).
    await vscode.commands.executeCommand('specAgent.selectModel', { provider: 'replay', replayScript: '.kiro/models-in-host/r.json' });
    try {
      assert.equal(config().inspect('provider')?.globalValue, 'replay');
      assert.equal(config().inspect('replayScript')?.globalValue, '.kiro/models-in-host/r.json');
      assert.ok((await (await api()).chooseModel(ws())).model);
      // The workspace sets one of them: a user-level value would be shadowed, so the workspace is written.
      await config().update('id', 'replay:nowhere.json', vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('specAgent.selectModel', { provider: 'openai-compatible', id: 'm', baseUrl: 'http://127.0.0.1:9/v1' });
      assert.equal(config().inspect('provider')?.workspaceValue, 'openai-compatible');
      assert.equal(config().inspect('id')?.workspaceValue, 'm');
    } finally {
      for (const k of KEYS) await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  describe('VS Code language models (a scripted chat model provider)', () => {
    interface Fixture {
      requests: Array<{ messages: Array<{ role: string; parts: unknown[] }>; tools: string[]; toolMode: number }>;
      register(turns: unknown[]): vscode.Disposable;
    }
    let provider: vscode.Disposable | undefined;
    const fixture = async () => {
      const ext = vscode.extensions.getExtension<Fixture>('spec-agent-test.lm-provider');
      assert.ok(ext, 'the fixture extension is loaded');
      return ext.isActive ? ext.exports : ext.activate();
    };
    afterEach(() => provider?.dispose());

    it('streams text and a tool call, then sends the tool result back', async function () {
      const f = await fixture();
      provider = f.register([
        { parts: [{ text: 'Reading ' }, { text: 'the file.' }, { callId: 'lm-1', name: 'read_file', input: { path: 'src/a.ts' } }] },
        { parts: [{ text: 'Done.' }, { callId: 'lm-2', name: 'complete_task', input: { summary: 'ok' } }] },
      ]);
      await set({ provider: 'vscode-lm', id: 'scripted' });
      const { model, problem } = await (await api()).chooseModel(ws());
      assert.equal(problem, undefined);
      assert.equal(model!.id, 'vscode-lm:spec-agent-test/scripted');
      assert.equal(model!.contextWindow, 32000);
      const streamed: string[] = [];
      const first = await model!.complete(request({ onDelta: (d) => 'text' in d && streamed.push(d.text) }));
      assert.equal(first.text, 'Reading the file.');
      assert.deepEqual(first.toolCalls, [{ id: 'lm-1', tool: 'read_file', input: { path: 'src/a.ts' } }]);
      assert.deepEqual(streamed, ['Reading ', 'the file.']);
      assert.ok(first.usage?.outputTokens && first.usage.outputTokens > 0);
      // Tokens in, by the provider's own count (its fixture: a quarter of the characters): 'sys' 1 + 'do task 1' 3.
      assert.equal(first.usage.inputTokens, 4);
      assert.deepEqual(f.requests[0]!.messages, [
        { role: 'user', parts: [{ text: 'sys' }] },
        { role: 'user', parts: [{ text: 'do task 1' }] },
      ]);
      assert.ok(f.requests[0]!.tools.includes('run_command'), f.requests[0]!.tools.join());
      const second = await model!.complete(
        request({
          messages: [
            { role: 'system', content: 'sys' },
            { role: 'user', content: 'do task 1' },
            { role: 'assistant', content: first.text, toolCalls: first.toolCalls },
            { role: 'tool', toolCallId: 'lm-1', tool: 'read_file', content: 'export const a = 1;' },
          ],
        }),
      );
      assert.deepEqual(second.toolCalls, [{ id: 'lm-2', tool: 'complete_task', input: { summary: 'ok' } }]);
      assert.ok(second.usage?.inputTokens && second.usage.inputTokens > 4, JSON.stringify(second.usage));
      assert.deepEqual(f.requests[1]!.messages.slice(2), [
        { role: 'assistant', parts: [{ text: 'Reading the file.' }, { call: 'lm-1', name: 'read_file', input: { path: 'src/a.ts' } }] },
        { role: 'user', parts: [{ result: 'lm-1', content: 'export const a = 1;' }] },
      ]);
    });

    it('Stop aborts the request under way', async () => {
      const f = await fixture();
      provider = f.register([{ parts: [{ text: 'thinking' }], waitForCancel: true }]);
      await set({ provider: 'vscode-lm', id: 'scripted' });
      const { model } = await (await api()).chooseModel(ws());
      const stop = new AbortController();
      const pending = model!.complete(request({ signal: stop.signal }));
      await new Promise((r) => setTimeout(r, 300));
      stop.abort();
      await assert.rejects(pending, (e: Error & { kind?: string }) => e.kind === 'aborted');
    });

    it("the provider's errors (LanguageModelError) become messages that say what to do", async () => {
      const f = await fixture();
      provider = f.register([
        { error: 'Blocked', message: 'quota exceeded' },
        { error: 'NoPermissions', message: 'the user declined' },
        { error: 'NotFound', message: 'model retired' },
      ]);
      await set({ provider: 'vscode-lm', id: 'scripted' });
      const { model } = await (await api()).chooseModel(ws());
      const expected: Array<[string, RegExp]> = [
        ['rate-limit', /blocked the request \(quota exceeded\).*"Spec Agent: Select Model"/],
        ['auth', /did not allow Spec Agent to use this model \(the user declined\)\. Allow it when VS Code asks \(or under Accounts > Manage Language Model Access\)/],
        ['unknown-model', /no longer available \(model retired\); choose another with "Spec Agent: Select Model"/],
      ];
      for (const [kind, message] of expected) {
        await assert.rejects(model!.complete(request()), (e: Error & { kind?: string }) => {
          assert.equal(e.kind, kind, e.message);
          assert.match(e.message, message);
          return true;
        });
      }
    });

    it('runs a task with Execute with Agent: write_file, its result back to the model, complete_task', async () => {
      const f = await fixture();
      provider = f.register([
        { parts: [{ text: 'Writing.' }, { callId: 'w1', name: 'write_file', input: { path: 'FROM_LM.md', content: 'from vscode.lm\n' } }] },
        { parts: [{ callId: 'd1', name: 'complete_task', input: { summary: 'wrote it' } }] },
      ]);
      const spec = vscode.Uri.joinPath(root(), '.kiro', 'specs', 'models-in-host');
      const tasks = vscode.Uri.joinPath(spec, 'tasks.md');
      const settings = vscode.Uri.joinPath(root(), '.kiro', 'settings.json').fsPath;
      const policy = await readFile(settings, 'utf8');
      await mkdir(spec.fsPath, { recursive: true });
      await writeFile(tasks.fsPath, '# Tasks\n\n- [ ] 1. Write FROM_LM.md\n');
      // The user's own level and no verification, so the run does only what the model says.
      await writeFile(settings, policy.replace(/"verifyCommands": \[[^\]]*\]/, '"verifyCommands": []'));
      await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', 'full', vscode.ConfigurationTarget.Workspace);
      await set({ provider: 'vscode-lm', id: 'scripted' });
      try {
        const result = await vscode.commands.executeCommand<{ outcome: { state: string; reason?: string } }>('specAgent.executeTask', tasks, '1');
        assert.equal(result?.outcome.state, 'completed', result?.outcome.reason);
        assert.equal(await readFile(vscode.Uri.joinPath(root(), 'FROM_LM.md').fsPath, 'utf8'), 'from vscode.lm\n');
        assert.match(await readFile(tasks.fsPath, 'utf8'), /- \[x\] 1\. Write FROM_LM\.md/);
        const results = f.requests[1]!.messages.flatMap((m) => m.parts).filter((p): p is { result: string; content: string } => typeof p === 'object' && p !== null && 'result' in p);
        assert.equal(results.length, 1);
        assert.equal(results[0]!.result, 'w1');
        assert.ok(f.requests[0]!.tools.includes('write_file') && f.requests[0]!.tools.includes('complete_task'));
      } finally {
        await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', undefined, vscode.ConfigurationTarget.Workspace);
        await writeFile(settings, policy);
        await rm(spec.fsPath, { recursive: true, force: true });
        await rm(vscode.Uri.joinPath(root(), 'FROM_LM.md').fsPath, { force: true });
      }
    });

    it('vendor/family selects too, and an empty id takes the first model', async () => {
      const f = await fixture();
      provider = f.register([]);
      await set({ id: 'spec-agent-test/scripted' });
      assert.equal((await (await api()).chooseModel(ws())).model?.id, 'vscode-lm:spec-agent-test/scripted');
      await set({});
      assert.equal((await (await api()).chooseModel(ws())).model?.id, 'vscode-lm:spec-agent-test/scripted');
    });
  });
});
