import type { RunEvent } from '../runs/events.js';
import { plural } from '../text/plural.js';
import { waitText } from '../runs/usageText.js';

/** One line of a run's progress in the chat, and whether it asks the user to act (an approval waits on the panel). */
export interface ProgressLine {
  text: string;
  /** The gate asked: the answer is on the panel's card. */
  approval?: { callId: string };
}

const code = (s: string) => `\`${s.replace(/`/g, "'").replace(/\s+/g, ' ').slice(0, 120)}\``;

/**
 * A run's events as the chat's compact progress list (Markdown): task started, files written with their diffstat,
 * commands with exit codes, checks, completion, pauses, the end. Reads, model text and checkpoints are left to the
 * panel; the chat says only what changed and how it went.
 */
export class ProgressLines {
  private readonly calls = new Map<string, { tool: string; input: Record<string, unknown> }>();

  push(e: RunEvent): ProgressLine[] {
    switch (e.type) {
      case 'run.started':
        return [{ text: `Run ${e.runId} started at level **${e.level}**${e.sandbox ? (e.sandbox.confined ? ', commands sandboxed' : `, commands **not sandboxed** (${e.sandbox.why ?? 'unknown reason'})`) : ''}.` }];
      case 'task.started':
        return [{ text: `- ▶ **${e.task.id ? `${e.task.id} ` : ''}${e.task.title}**` }];
      case 'tool.requested':
        this.calls.set(e.callId, { tool: e.tool, input: (e.input ?? {}) as Record<string, unknown> });
        return [];
      case 'approval.requested': {
        const what = typeof (e.input as { command?: unknown })?.command === 'string' ? code((e.input as { command: string }).command) : typeof (e.input as { path?: unknown })?.path === 'string' ? code((e.input as { path: string }).path) : e.tool;
        return [{ text: `  - ⏳ waiting for your approval on the Agent Activity panel: ${e.tool} ${what} (rule ${e.rule})`, approval: { callId: e.callId } }];
      }
      case 'approval.resolved':
        return e.by === 'user' ? [{ text: `  - ${e.approved ? 'approved' : 'rejected'}${e.reason ? `: ${e.reason}` : ''}` }] : [];
      case 'tool.finished': {
        const call = this.calls.get(e.callId);
        this.calls.delete(e.callId);
        if (!call) return [];
        const d = e.data ?? {};
        const path = typeof call.input.path === 'string' ? call.input.path : undefined;
        if (call.tool === 'run_command' && typeof call.input.command === 'string' && 'exitCode' in d) return [{ text: `  - $ ${code(call.input.command)} → exit ${typeof d.exitCode === 'number' ? d.exitCode : 'none'}` }];
        if (!e.ok || !path) return [];
        if (call.tool === 'edit_file') return [{ text: `  - edited ${code(path)} +${num(d.linesAdded)} −${num(d.linesRemoved)}` }];
        if (call.tool === 'write_file') return [{ text: `  - ${d.created === true ? 'created' : 'rewrote'} ${code(path)} (${plural(num(d.lines), 'line')})` }];
        if (call.tool === 'delete_file') return [{ text: `  - deleted ${code(path)}` }];
        return [];
      }
      case 'task.completed': {
        const checks = e.verification.map((v) => `${code(v.command)} ${v.ok ? 'passed' : `failed (exit ${v.exitCode ?? 'none'})`}`);
        return [{ text: `  - ✓ done${e.verified ? ', verified' : e.verification.length ? '' : ' (no checks ran)'}${checks.length ? `: ${checks.join(', ')}` : ''}` }];
      }
      case 'model.waiting':
        // A wait of minutes would otherwise look like a run that hangs; the chat cannot count down, so it says when.
        return [{ text: `  - ⏳ ${waitText(e, Date.parse(e.time))}` }];
      case 'run.paused':
        return [{ text: `⏸ Paused: ${e.reason}` }];
      case 'run.stopped':
        return e.reason.startsWith('paused: ') ? [] : [{ text: `■ Stopped: ${e.reason}` }];
      case 'run.failed':
        return [{ text: `✗ Failed: ${e.error}` }];
      case 'run.completed':
        return [{ text: `✓ Completed: ${plural(e.tasksCompleted, 'task')} done.` }];
      default:
        return [];
    }
  }
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
