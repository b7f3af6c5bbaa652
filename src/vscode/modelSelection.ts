import * as vscode from 'vscode';
import { ModelError, type ChatModel, type ChatRequest, type ChatResponse } from '../core/models/chatModel.js';
import { createModel } from '../core/models/providers.js';
import { LmChatModel } from './lmChatModel.js';
import { missingKeyProblem, planModel, secretKeyName, type KeyProvider, type ModelProblem, type ModelSettings } from './modelPlan.js';

export const SELECT_MODEL_COMMAND = 'specAgent.selectModel';
export const SET_API_KEY_COMMAND = 'specAgent.setApiKey';
export const CLEAR_API_KEY_COMMAND = 'specAgent.clearApiKey';

export interface ModelDeps {
  secrets: vscode.SecretStorage;
  log: vscode.LogOutputChannel;
}

export type ModelChoice = { model: ChatModel; problem?: undefined } | { model?: undefined; problem: ModelProblem };

export function readModelSettings(scope?: vscode.Uri): ModelSettings {
  const config = vscode.workspace.getConfiguration('specAgent.model', scope);
  // The old `provider:model` id gives way to a provider set beside it or closer (a workspace's old id is kept
  // over a provider from the user settings).
  const level = (key: string) => {
    const i = config.inspect<string>(key);
    return [i?.globalValue, i?.workspaceValue, i?.workspaceFolderValue].findLastIndex((v) => v !== undefined);
  };
  const providerSet = level('provider') >= 0 && level('provider') >= level('id');
  return {
    provider: config.get<string>('provider', 'vscode-lm'),
    providerSet,
    id: config.get<string>('id', ''),
    baseUrl: config.get<string>('baseUrl', ''),
    replayScript: config.get<string>('replayScript', ''),
  };
}

/** The model of the specAgent.model.* settings, or the problem (what is wrong, and which action fixes it). */
export async function chooseModel(workspace: string, deps: ModelDeps): Promise<ModelChoice> {
  const plan = planModel(readModelSettings(vscode.Uri.file(workspace)), workspace);
  if (plan.kind === 'problem') return { problem: plan.problem };
  if (plan.kind === 'vscode-lm') return chooseLmModel(plan.id, deps.log);
  const apiKey = plan.key ? await getApiKey(deps.secrets, plan.key.provider, plan.key.baseUrl) : undefined;
  if (plan.key?.required && !apiKey) return { problem: missingKeyProblem(plan.key.provider, plan.key.baseUrl) };
  try {
    // Keys come from SecretStorage only: not from the extension host's environment (the CLI reads that).
    const model = await createModel(plan.spec, { env: {}, ...(apiKey ? { apiKey } : {}), ...(plan.baseURL ? { baseURL: plan.baseURL } : {}) });
    return { model: plan.key ? new KeyHintModel(model, plan.key.provider, plan.key.baseUrl) : model };
  } catch (e) {
    return { problem: { message: `the model ${plan.spec} is not usable: ${e instanceof Error ? e.message : String(e)}`, actions: ['Select Model', 'Open Settings'] } };
  }
}

async function chooseLmModel(id: string, log: vscode.LogOutputChannel): Promise<ModelChoice> {
  const select = '"Spec Agent: Select Model"';
  let models: vscode.LanguageModelChat[];
  try {
    models = await vscode.lm.selectChatModels(id ? { id } : {});
    // `vendor/family` (e.g. copilot/gpt-4o) picks a family rather than one exact model id.
    const slash = id.indexOf('/');
    if (models.length === 0 && slash > 0) models = await vscode.lm.selectChatModels({ vendor: id.slice(0, slash), family: id.slice(slash + 1) });
  } catch (e) {
    return { problem: { message: `VS Code's language models are not reachable (${e instanceof Error ? e.message : String(e)}); choose another provider with ${select}.`, actions: ['Select Model'] } };
  }
  const model = models[0];
  if (!model) {
    if (id) return { problem: { message: `the VS Code language model "${id}" (specAgent.model.id) is not available; choose one with ${select}.`, actions: ['Select Model', 'Open Settings'] } };
    return {
      problem: {
        message: `no language model is available in VS Code (provider vscode-lm): install and sign in to a chat model extension such as GitHub Copilot, or run ${select} to use an OpenAI-compatible server, Anthropic or a replay script.`,
        actions: ['Select Model'],
      },
    };
  }
  if (!id) log.info(`model: no specAgent.model.id set; using the first VS Code language model, ${model.name} (${model.vendor}/${model.id}). Choose another with Spec Agent: Select Model.`);
  return { model: new LmChatModel(model) };
}

/** Shows the problem with buttons that run its fixes. */
export function showModelProblem(problem: ModelProblem): void {
  void vscode.window.showErrorMessage(`Spec Agent: ${problem.message}`, ...problem.actions).then((action) => {
    if (action === 'Select Model') return vscode.commands.executeCommand(SELECT_MODEL_COMMAND);
    if (action === 'Set API Key') return vscode.commands.executeCommand(SET_API_KEY_COMMAND, problem.key ?? {});
    if (action === 'Open Settings') return vscode.commands.executeCommand('workbench.action.openSettings', 'specAgent.model');
    return undefined;
  });
}

/** The model for a run in `workspace`; on a problem, an error message whose buttons fix it, and undefined. */
export async function resolveModel(workspace: string, deps: ModelDeps): Promise<ChatModel | undefined> {
  const choice = await chooseModel(workspace, deps);
  if (choice.problem) {
    deps.log.warn(`model: ${choice.problem.message}`);
    showModelProblem(choice.problem);
    return undefined;
  }
  deps.log.info(`model: ${choice.model.id}`);
  return choice.model;
}

/** The names of the stored keys, kept in SecretStorage too (it cannot list its keys before VS Code 1.98). */
const KEY_INDEX = 'specAgent.apiKeys';

export async function getApiKey(secrets: vscode.SecretStorage, provider: KeyProvider, baseUrl: string): Promise<string | undefined> {
  return (await secrets.get(secretKeyName(provider, baseUrl))) || undefined;
}

export async function storedKeyNames(secrets: vscode.SecretStorage): Promise<string[]> {
  try {
    const names = JSON.parse((await secrets.get(KEY_INDEX)) ?? '[]') as unknown;
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

export async function storeApiKey(secrets: vscode.SecretStorage, provider: KeyProvider, baseUrl: string, key: string): Promise<string> {
  const name = secretKeyName(provider, baseUrl);
  await secrets.store(name, key);
  const names = await storedKeyNames(secrets);
  if (!names.includes(name)) await secrets.store(KEY_INDEX, JSON.stringify([...names, name]));
  return name;
}

export async function deleteApiKey(secrets: vscode.SecretStorage, name: string): Promise<void> {
  await secrets.delete(name);
  await secrets.store(KEY_INDEX, JSON.stringify((await storedKeyNames(secrets)).filter((n) => n !== name)));
}

/** A refused key, at run time, names the command that fixes it (core's message names the CLI's variables). */
class KeyHintModel implements ChatModel {
  readonly id: string;
  readonly contextWindow: number;

  constructor(
    private readonly inner: ChatModel,
    private readonly provider: KeyProvider,
    private readonly baseUrl: string,
  ) {
    this.id = inner.id;
    this.contextWindow = inner.contextWindow;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    try {
      return await this.inner.complete(request);
    } catch (e) {
      if (e instanceof ModelError && e.kind === 'auth') {
        throw new ModelError(`${this.id}: the server refused the API key; store the right one with "Spec Agent: Set API Key" (${this.provider}, ${secretKeyName(this.provider, this.baseUrl).split('@')[1]})`, 'auth');
      }
      throw e;
    }
  }
}
