import type { RunEvent } from './events.js';

/** The cause of a run cut short by the window it ran in closing (reload, quit, crash of the extension host). */
export const VSCODE_CLOSED = 'VS Code closed during the run';
const CLI_ENDED = 'the spec-agent process ended during the run (killed or crashed)';
const PROCESS_ENDED = "the run's process ended during the run (VS Code closed, or the process was killed)";

/** Why a run that has no terminal event and no live process ended, as far as its journal tells (who ran it). */
export function interruptionCause(started: Extract<RunEvent, { type: 'run.started' }> | undefined): string {
  return started?.client === 'vscode' ? VSCODE_CLOSED : started?.client === 'cli' ? CLI_ENDED : PROCESS_ENDED;
}
