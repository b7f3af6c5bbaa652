/**
 * RULES.md §4 S4: what a command inherits. The user's environment, less what looks like a credential, so that
 * code the agent wrote (run by an allowed `npm test`) cannot print the model provider's key or a cloud token.
 */

/** Names that are credentials by convention, whatever the tool. */
const CREDENTIAL_NAME = /(_API_KEY|_APIKEY|_TOKEN|_SECRET|_SECRET_KEY|_PASSWORD|_PASSWD|_CREDENTIALS?|_ACCESS_KEY|_PRIVATE_KEY|_AUTH)$/i;

/** Credentials whose names do not follow that convention. */
const KNOWN_CREDENTIALS = new Set([
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AZURE_CLIENT_SECRET',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GH_TOKEN',
  'GITHUB_TOKEN',
  'NPM_TOKEN',
  'NODE_AUTH_TOKEN',
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'OPENROUTER_API_KEY',
  'SSH_AUTH_SOCK',
  'GPG_AGENT_INFO',
  'VSCODE_GIT_ASKPASS_MAIN',
  'VSCODE_GIT_ASKPASS_NODE',
  'VSCODE_GIT_IPC_HANDLE',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
]);

export function isCredentialName(name: string): boolean {
  return KNOWN_CREDENTIALS.has(name.toUpperCase()) || CREDENTIAL_NAME.test(name);
}

export interface CommandEnvironment {
  env: Record<string, string>;
  /** The names left out, for the journal (never their values). */
  removed: string[];
}

/**
 * The environment of a command: `base` without credentials (`passEnv` names exceptions), with `extra` laid over
 * it. A pager or a credential prompt would wait for a terminal that is not there, so those are turned off.
 */
export function commandEnvironment(base: NodeJS.ProcessEnv, passEnv: readonly string[] = [], extra: Record<string, string> = {}): CommandEnvironment {
  const keep = new Set(passEnv);
  const env: Record<string, string> = {};
  const removed: string[] = [];
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (isCredentialName(name) && !keep.has(name)) removed.push(name);
    else env[name] = value;
  }
  Object.assign(env, { PAGER: 'cat', GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0' }, extra);
  return { env, removed: removed.sort() };
}
