// The pure halves of the VS Code model code: which model the settings ask for, and the vscode.lm message mapping
// (with plain objects where the extension passes VS Code's part classes).
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/core/models/chatModel.js';
import { toolJsonSchemas } from '../../../src/core/tools/registry.js';
import { collectLmResponse, toLmMessages, toLmTools, type LmFactory, type LmPart } from '../../../src/vscode/lmMessages.js';
import { missingKeyProblem, planModel, secretKeyName, type ModelSettings } from '../../../src/vscode/modelPlan.js';

const settings = (s: Partial<ModelSettings>): ModelSettings => ({ provider: 'vscode-lm', providerSet: false, id: '', baseUrl: '', replayScript: '', ...s });

describe('planModel: the specAgent.model.* settings', () => {
  it('defaults to VS Code language models', () => {
    expect(planModel(settings({}), '/ws')).toEqual({ kind: 'vscode-lm', id: '' });
    expect(planModel(settings({ id: 'copilot/gpt-4o' }), '/ws')).toEqual({ kind: 'vscode-lm', id: 'copilot/gpt-4o' });
  });

  it('honours the old provider:model in id while no provider is set beside it', () => {
    expect(planModel(settings({ id: 'replay:examples/demo.json' }), '/ws')).toEqual({ kind: 'core', spec: 'replay:/ws/examples/demo.json' });
    expect(planModel(settings({ id: 'replay:/abs/s.json' }), '/ws')).toEqual({ kind: 'core', spec: 'replay:/abs/s.json' });
    expect(planModel(settings({ id: 'ollama:qwen3:32b' }), '/ws')).toEqual({ kind: 'core', spec: 'ollama:qwen3:32b', key: { provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1', required: false } });
    expect(planModel(settings({ id: 'anthropic:claude-x' }), '/ws')).toMatchObject({ spec: 'anthropic:claude-x', key: { provider: 'anthropic', baseUrl: 'https://api.anthropic.com', required: true } });
    // A chosen provider wins: the same text is then a model name.
    expect(planModel(settings({ provider: 'openai-compatible', providerSet: true, id: 'ollama:x', baseUrl: 'http://h:1/v1' }), '/ws')).toMatchObject({ spec: 'openai:ollama:x', baseURL: 'http://h:1/v1' });
    // Not a provider of ours: a vscode.lm id with a colon.
    expect(planModel(settings({ id: 'qwen3:32b' }), '/ws')).toEqual({ kind: 'vscode-lm', id: 'qwen3:32b' });
  });

  it('replay: replayScript, relative to the workspace, else the id', () => {
    const replay = { provider: 'replay', providerSet: true };
    expect(planModel(settings({ ...replay, replayScript: 'r.json', id: 'ignored' }), '/ws')).toEqual({ kind: 'core', spec: 'replay:/ws/r.json' });
    expect(planModel(settings({ ...replay, id: 'replay:x/r.json' }), '/ws')).toEqual({ kind: 'core', spec: 'replay:/ws/x/r.json' });
    expect(planModel(settings({ ...replay }), '/ws')).toMatchObject({ kind: 'problem', problem: { message: expect.stringMatching(/specAgent\.model\.replayScript/), actions: ['Select Model', 'Open Settings'] } });
  });

  it('openai-compatible and anthropic: a model name, a key required only for the hosted APIs', () => {
    expect(planModel(settings({ provider: 'openai-compatible', providerSet: true, id: 'gpt-4.1' }), '/ws')).toEqual({ kind: 'core', spec: 'openai:gpt-4.1', key: { provider: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', required: true } });
    expect(planModel(settings({ provider: 'anthropic', providerSet: true, id: 'c', baseUrl: 'http://127.0.0.1:9/' }), '/ws')).toEqual({ kind: 'core', spec: 'anthropic:c', baseURL: 'http://127.0.0.1:9/', key: { provider: 'anthropic', baseUrl: 'http://127.0.0.1:9/', required: false } });
    expect(planModel(settings({ provider: 'anthropic', providerSet: true }), '/ws')).toMatchObject({ kind: 'problem', problem: { message: expect.stringMatching(/needs a model name: set specAgent\.model\.id/) } });
    expect(planModel(settings({ baseUrl: 'localhost:11434' }), '/ws')).toMatchObject({ kind: 'problem', problem: { message: expect.stringMatching(/baseUrl "localhost:11434" is not an http\(s\) URL/) } });
    expect(planModel(settings({ provider: 'gemini', providerSet: true }), '/ws')).toMatchObject({ kind: 'problem', problem: { actions: ['Select Model', 'Open Settings'] } });
  });

  it('keys are per provider and server origin; the missing-key message names Set API Key', () => {
    expect(secretKeyName('openai-compatible', 'http://127.0.0.1:8000/v1')).toBe('specAgent.apiKey.openai-compatible@http://127.0.0.1:8000');
    expect(secretKeyName('anthropic', 'https://api.anthropic.com')).toBe('specAgent.apiKey.anthropic@https://api.anthropic.com');
    const p = missingKeyProblem('openai-compatible', 'https://api.openai.com/v1');
    expect(p.message).toMatch(/no API key is stored for the OpenAI-compatible server https:\/\/api\.openai\.com\. Run "Spec Agent: Set API Key"/);
    expect(p.actions[0]).toBe('Set API Key');
  });
});

type Part = { text: string } | { call: string; name: string; input: object } | { result: string; content: string };
const f: LmFactory<{ role: string; parts: Part[] }, Part> = {
  user: (parts) => ({ role: 'user', parts }),
  assistant: (parts) => ({ role: 'assistant', parts }),
  text: (text) => ({ text }),
  toolCall: (call, name, input) => ({ call, name, input }),
  toolResult: (result, content) => ({ result, content }),
};

describe('the vscode.lm mapping', () => {
  it('turns system, user, assistant tool calls and tool results into user/assistant turns', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'do task 1' },
      { role: 'assistant', content: 'Reading both.', toolCalls: [{ id: 'c1', tool: 'read_file', input: { path: 'a' } }, { id: 'c2', tool: 'read_file', input: 'not json' }] },
      { role: 'tool', toolCallId: 'c1', tool: 'read_file', content: 'A' },
      { role: 'tool', toolCallId: 'c2', tool: 'read_file', content: 'B' },
      { role: 'user', content: 'continue' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c3', tool: 'complete_task', input: { summary: 's' } }] },
    ];
    expect(toLmMessages(messages, f)).toEqual([
      { role: 'user', parts: [{ text: 'sys' }] },
      { role: 'user', parts: [{ text: 'do task 1' }] },
      { role: 'assistant', parts: [{ text: 'Reading both.' }, { call: 'c1', name: 'read_file', input: { path: 'a' } }, { call: 'c2', name: 'read_file', input: { input: 'not json' } }] },
      { role: 'user', parts: [{ result: 'c1', content: 'A' }, { result: 'c2', content: 'B' }, { text: 'continue' }] },
      { role: 'assistant', parts: [{ call: 'c3', name: 'complete_task', input: { summary: 's' } }] },
    ]);
  });

  it('gives the tools as LanguageModelChatTool', () => {
    const tools = toLmTools(toolJsonSchemas());
    expect(tools.map((t) => t.name)).toContain('run_command');
    expect(tools.find((t) => t.name === 'read_file')).toMatchObject({ description: expect.any(String), inputSchema: { type: 'object' } });
  });

  it('reads a response stream: text streamed, tool calls with their ids, unknown parts skipped', async () => {
    async function* stream() {
      yield { t: 'Rea' };
      yield { t: 'ding.' };
      yield { data: 1 };
      yield { id: 'x1', name: 'read_file', input: { path: 'a' } };
      yield { id: '', name: 'complete_task', input: undefined };
    }
    const classify = (p: Record<string, unknown>): LmPart => ('t' in p ? { text: p.t as string } : 'name' in p ? { callId: p.id as string, name: p.name as string, input: p.input } : undefined);
    const streamed: string[] = [];
    const first = await collectLmResponse(stream(), classify, (d) => 'text' in d && streamed.push(d.text));
    expect(first).toEqual({
      text: 'Reading.',
      toolCalls: [{ id: 'x1', tool: 'read_file', input: { path: 'a' } }, { id: expect.stringMatching(/^call-[0-9a-f-]{36}$/), tool: 'complete_task', input: {} }],
    });
    // A call without an id gets one that no other turn gets: the journal and the panel key calls by id.
    const second = await collectLmResponse(stream(), classify);
    expect(second.toolCalls[1]!.id).not.toBe(first.toolCalls[1]!.id);
    expect(streamed).toEqual(['Rea', 'ding.']);
  });
});
