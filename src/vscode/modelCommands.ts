import { isAbsolute, relative } from 'node:path';
import * as vscode from 'vscode';
import { effectiveBaseUrl, originOf, secretKeyName, type KeyProvider, type ModelProvider } from './modelPlan.js';
import { CLEAR_API_KEY_COMMAND, deleteApiKey, getApiKey, readModelSettings, SELECT_MODEL_COMMAND, SET_API_KEY_COMMAND, storeApiKey, storedKeyNames } from './modelSelection.js';
import { plural } from '../core/text/plural.js';

/** What Select Model writes; exported for tests and for other extensions. */
export interface ModelChoiceSettings {
  provider: ModelProvider;
  id?: string;
  baseUrl?: string;
  replayScript?: string;
}

const KEYS = ['provider', 'id', 'baseUrl', 'replayScript'] as const;

/**
 * Writes the model settings. The choice of a model is the user's own (their accounts, their keys), so it goes to
 * the user settings; but where the workspace already sets one of these keys, a user-level value would be shadowed,
 * so then it goes to the workspace settings, where it takes effect.
 */
export async function writeModelSettings(choice: ModelChoiceSettings): Promise<vscode.ConfigurationTarget> {
  const config = vscode.workspace.getConfiguration('specAgent.model');
  const inWorkspace = vscode.workspace.workspaceFolders?.length && KEYS.some((k) => config.inspect(k)?.workspaceValue !== undefined);
  const target = inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  for (const k of KEYS) if (choice[k] !== undefined) await config.update(k, choice[k], target);
  return target;
}

type Pick = vscode.QuickPickItem & { run?: () => Promise<ModelChoiceSettings | undefined> };

/** Spec Agent: Select Model. With an argument it writes that choice without asking (tests, keybindings). */
export async function selectModel(secrets: vscode.SecretStorage, arg?: ModelChoiceSettings): Promise<ModelChoiceSettings | undefined> {
  const choice = arg ?? (await askModel(secrets));
  if (!choice) return undefined;
  const target = await writeModelSettings(choice);
  if (arg) return choice;
  const where = target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user';
  const what = choice.provider === 'replay' ? `replay script ${choice.replayScript}` : `${choice.provider} ${choice.id}`;
  void vscode.window.showInformationMessage(`Spec Agent: the agent now uses ${what} (${where} settings).`);
  return choice;
}

async function askModel(secrets: vscode.SecretStorage): Promise<ModelChoiceSettings | undefined> {
  const current = readModelSettings(vscode.workspace.workspaceFolders?.[0]?.uri);
  const items: Pick[] = [{ label: 'VS Code language models', kind: vscode.QuickPickItemKind.Separator }];
  let models: vscode.LanguageModelChat[] = [];
  try {
    models = await vscode.lm.selectChatModels({});
  } catch {
    // No language model service: the other providers still work.
  }
  for (const m of models) {
    const chosen = current.provider === 'vscode-lm' && current.id === m.id;
    items.push({
      label: `${chosen ? '$(check) ' : ''}${m.name}`,
      description: `${m.vendor} · ${m.id}`,
      detail: m.maxInputTokens > 0 ? `${m.maxInputTokens.toLocaleString('en')} input tokens` : undefined,
      run: async () => ({ provider: 'vscode-lm', id: m.id }),
    });
  }
  if (models.length === 0) items.push({ label: '$(info) No VS Code language models', description: 'install and sign in to a chat model extension such as GitHub Copilot', run: async () => undefined });
  items.push(
    { label: 'Other providers', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(server) OpenAI-compatible server…', description: 'OpenAI, Ollama, LM Studio, vLLM, OpenRouter', run: () => askServerModel(secrets, 'openai-compatible', current) },
    { label: '$(cloud) Anthropic…', description: 'Claude models through the Anthropic API', run: () => askServerModel(secrets, 'anthropic', current) },
    { label: '$(debug-restart) Replay script…', description: 'a recorded model, for demos and tests', run: () => askReplay(current.replayScript) },
  );
  const picked = await vscode.window.showQuickPick(items, { title: 'Spec Agent: Select Model', placeHolder: 'The model the agent uses', matchOnDescription: true });
  return picked?.run?.();
}

async function askServerModel(secrets: vscode.SecretStorage, provider: KeyProvider, current: { provider: string; id: string; baseUrl: string }): Promise<ModelChoiceSettings | undefined> {
  const same = current.provider === provider;
  const title = provider === 'anthropic' ? 'Anthropic' : 'OpenAI-compatible server';
  const baseUrl = await vscode.window.showInputBox({
    title: `${title}: base URL`,
    prompt: provider === 'anthropic' ? "Empty for Anthropic's API, or the URL of an Anthropic-compatible server" : "Empty for OpenAI's API, or your server's URL (Ollama http://127.0.0.1:11434/v1, LM Studio http://127.0.0.1:1234/v1, vLLM http://127.0.0.1:8000/v1)",
    value: same ? current.baseUrl : '',
    validateInput: (v) => (v.trim() === '' || originOf(v.trim()) ? undefined : 'an http:// or https:// URL, or empty'),
  });
  if (baseUrl === undefined) return undefined;
  const id = await vscode.window.showInputBox({
    title: `${title}: model`,
    prompt: 'The model name, as the server knows it',
    placeHolder: provider === 'anthropic' ? 'claude-sonnet-4-5' : 'gpt-4.1, qwen3:32b, ...',
    value: same ? current.id : '',
    validateInput: (v) => (v.trim() ? undefined : 'a model name'),
  });
  if (!id) return undefined;
  const choice: ModelChoiceSettings = { provider, id: id.trim(), baseUrl: baseUrl.trim() };
  // The hosted APIs need a key: offer to store it right away.
  if (!choice.baseUrl && !(await getApiKey(secrets, provider, effectiveBaseUrl(provider, '')))) {
    void vscode.window.showInformationMessage(`Spec Agent: ${title} needs an API key.`, 'Set API Key').then((c) => c && setApiKey(secrets, { provider, baseUrl: '' }));
  }
  return choice;
}

async function askReplay(current: string): Promise<ModelChoiceSettings | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const path = await vscode.window.showInputBox({
    title: 'Replay script',
    prompt: 'The path of a replay script (JSON), relative to the workspace or absolute',
    value: current,
    validateInput: (v) => (v.trim() ? undefined : 'a path'),
  });
  if (!path) return undefined;
  const p = path.trim();
  const rel = folder && isAbsolute(p) && !relative(folder, p).startsWith('..') ? relative(folder, p) : p;
  return { provider: 'replay', replayScript: rel };
}

export interface ApiKeyArgs {
  provider?: KeyProvider;
  /** The server the key is for (empty: the provider's own API). */
  baseUrl?: string;
  /** With a key, nothing is asked (tests; keep it out of keybindings, which are settings files). */
  apiKey?: string;
}

const PROVIDER_LABEL: Record<KeyProvider, string> = { 'openai-compatible': 'OpenAI-compatible', anthropic: 'Anthropic' };

/** Spec Agent: Set API Key: stores a key in SecretStorage, bound to the provider and the server's origin. */
export async function setApiKey(secrets: vscode.SecretStorage, args: ApiKeyArgs = {}): Promise<string | undefined> {
  const current = readModelSettings(vscode.workspace.workspaceFolders?.[0]?.uri);
  let provider = args.provider;
  if (!provider) {
    const items = (['openai-compatible', 'anthropic'] as const).map((p) => {
      const server = effectiveBaseUrl(p, current.provider === p ? current.baseUrl : '');
      return { label: PROVIDER_LABEL[p], description: originOf(server), provider: p };
    });
    if (current.provider === 'anthropic') items.reverse();
    provider = (await vscode.window.showQuickPick(items, { title: 'Spec Agent: Set API Key', placeHolder: 'The provider the key is for' }))?.provider;
    if (!provider) return undefined;
  }
  const baseUrl = effectiveBaseUrl(provider, args.baseUrl ?? (current.provider === provider ? current.baseUrl : ''));
  const key =
    args.apiKey ??
    (await vscode.window.showInputBox({
      title: `Spec Agent: API key for ${PROVIDER_LABEL[provider]} at ${originOf(baseUrl) ?? baseUrl}`,
      prompt: "Stored in VS Code's secret storage (the OS keychain), never in a settings file; sent only to this server.",
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'the key'),
    }));
  if (!key?.trim()) return undefined;
  const name = await storeApiKey(secrets, provider, baseUrl, key.trim());
  if (!args.apiKey) void vscode.window.showInformationMessage(`Spec Agent: the API key for ${originOf(baseUrl) ?? baseUrl} is stored.`);
  return name;
}

/** Spec Agent: Clear API Key: removes stored keys (all of them are listed). With an argument, that one. */
export async function clearApiKey(secrets: vscode.SecretStorage, args: ApiKeyArgs = {}): Promise<string[]> {
  let names: string[];
  if (args.provider) {
    names = [secretKeyName(args.provider, effectiveBaseUrl(args.provider, args.baseUrl ?? ''))];
  } else {
    const stored = await storedKeyNames(secrets);
    if (stored.length === 0) {
      void vscode.window.showInformationMessage('Spec Agent: no API keys are stored.');
      return [];
    }
    const picked = await vscode.window.showQuickPick(
      stored.map((n) => ({ label: n.replace(/^specAgent\.apiKey\./, '').replace('@', ' · '), name: n })),
      { title: 'Spec Agent: Clear API Key', placeHolder: 'The keys to remove from secret storage', canPickMany: true },
    );
    names = (picked ?? []).map((p) => p.name);
  }
  for (const n of names) await deleteApiKey(secrets, n);
  if (!args.provider && names.length) void vscode.window.showInformationMessage(`Spec Agent: removed ${plural(names.length, 'API key')}.`);
  return names;
}

export function registerModelCommands(secrets: vscode.SecretStorage): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(SELECT_MODEL_COMMAND, (arg?: ModelChoiceSettings) => selectModel(secrets, arg)),
    vscode.commands.registerCommand(SET_API_KEY_COMMAND, (arg?: ApiKeyArgs) => setApiKey(secrets, arg)),
    vscode.commands.registerCommand(CLEAR_API_KEY_COMMAND, (arg?: ApiKeyArgs) => clearApiKey(secrets, arg)),
  );
}
