/**
 * RULES.md §4 S4: what a command inherits. The user's environment, less what looks like a credential, so that
 * code the agent wrote (run by an allowed `npm test`) cannot print the model provider's key or a cloud token.
 * General rules on the name rather than a list of tools; a URL-valued variable keeps its URL without the password.
 */

/**
 * Names that are credentials by convention, whatever the tool: ending in `_KEY` (`_API_KEY`, `STRIPE_KEY`),
 * `_APIKEY`, `_TOKEN`, `_SECRET`, `PASSWORD`/`PASSWD` (`PGPASSWORD`), `_PWD` (`MYSQL_PWD`; `PWD` and `OLDPWD` are
 * not), `_PAT`, `_DSN` (Sentry's holds a key), `AUTHTOKEN`, `_CREDENTIAL(S)`, `_CREDENTIALS_FILE`; or with `AUTH` as
 * a word (`DOCKER_AUTH_CONFIG`, `BASIC_AUTH`).
 */
const CREDENTIAL_NAME = /(_KEY|_APIKEY|_TOKEN|_SECRET|PASSWORD|PASSWD|_PWD|_PAT|_DSN|AUTHTOKEN|_CREDENTIALS?|_CREDENTIALS_FILE)$|(^|_)AUTH(_|$)/i;

/** npm reads its configuration from `npm_config_*`: `npm_config__authToken`, `npm_config_//host/:_auth`, ... */
const NPM_CREDENTIAL = /^npm_config_.*(auth|password)/i;

/** Variables holding a URL, whose `user:password@` is left out (the rest kept): DATABASE_URL, REDIS_URL, ... */
const URL_NAME = /(^|_)(URL|URI|URLS|URIS)$/i;
/** `scheme://user:password@` (the password may hold an `@`): what is left out of such a URL, every one in the value. */
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)(?=[^/?#@\s]*:)[^/?#\s]*@/gi;

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
  return KNOWN_CREDENTIALS.has(name.toUpperCase()) || CREDENTIAL_NAME.test(name) || NPM_CREDENTIAL.test(name);
}

/** `value` without the `user:password@` of the URLs it holds, for a variable named like a URL; else as it is. */
export function withoutUrlPasswords(name: string, value: string): string {
  return URL_NAME.test(name) ? value.replace(URL_USERINFO, '$1') : value;
}

/** What every command gets, whatever the user's environment says: no pager, no prompt, no terminal. */
export const NON_INTERACTIVE: Readonly<Record<string, string>> = { CI: '1', PAGER: 'cat', GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0', npm_config_yes: 'false' };

export interface CommandEnvironment {
  env: Record<string, string>;
  /** The names left out, for the journal (never their values). */
  removed: string[];
  /** The names kept without the password their URL held (never their values). */
  redacted: string[];
}

/**
 * The environment of a command: `base` without credentials (`passEnv` names exceptions), with `extra` laid over
 * it. Nobody can answer a command: a pager or a credential prompt would wait for a terminal that is not there,
 * and `npx` would ask before it installs, so those are turned off; `CI=1` tells the rest (test runners in watch
 * mode, create-* scaffolders, progress bars) that no one is looking.
 */
export function commandEnvironment(base: NodeJS.ProcessEnv, passEnv: readonly string[] = [], extra: Record<string, string> = {}): CommandEnvironment {
  const keep = new Set(passEnv);
  const env: Record<string, string> = {};
  const removed: string[] = [];
  const redacted: string[] = [];
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (keep.has(name)) env[name] = value;
    else if (isCredentialName(name)) removed.push(name);
    else {
      env[name] = withoutUrlPasswords(name, value);
      if (env[name] !== value) redacted.push(name);
    }
  }
  Object.assign(env, NON_INTERACTIVE, extra);
  return { env, removed: removed.sort(), redacted: redacted.sort() };
}
