import * as vscode from 'vscode';
import { z } from 'zod';
import { resolveTaskRequest, type SpecEntry } from '../core/chat/taskRequest.js';
import { renderCompletionReport } from '../core/runs/completionReport.js';
import { sandboxAvailability } from '../core/sandbox/index.js';
import { loadSettings } from '../core/settings/index.js';
import type { AgentRunner } from './agentRunner.js';
import { effectiveLevel } from './autonomy.js';
import { followRun, workspaceOfSpec, workspaceSpecs } from './chatRuns.js';
import type { TaskTreeCache } from './taskDocuments.js';

export const RUN_TASKS_TOOL = 'specAgent_runTasks';

/** The tool's input, as package.json's `inputSchema` declares it; checked again here (a model may send anything). */
export const runTasksInputSchema = z.object({
  spec: z.string().optional(),
  tasks: z.string().min(1),
  note: z.string().optional(),
});
export type RunTasksInput = z.infer<typeof runTasksInputSchema>;

/**
 * `specAgent_runTasks` for VS Code's agent mode (Copilot's or any): delegates tasks of a spec to Spec Agent. The
 * confirmation names the tasks, the autonomy level and whether commands are sandboxed; the run is the same
 * session as a click on Execute (gate, journal, checkpoints, the panel and its approval cards); the result is the
 * completion report, the facts of the journal.
 */
export class RunTasksTool implements vscode.LanguageModelTool<RunTasksInput>, vscode.Disposable {
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly runner: AgentRunner,
    private readonly cache: TaskTreeCache,
  ) {
    this.registration = vscode.lm.registerTool(RUN_TASKS_TOOL, this);
  }

  /** The input read and resolved: the tasks, or what is wrong in words the calling model can act on. */
  private async resolve(raw: unknown): Promise<{ ok: true; spec: SpecEntry; taskIds: string[]; taskSpec: string; note: string } | { ok: false; message: string }> {
    const input = runTasksInputSchema.safeParse(raw);
    if (!input.success) return { ok: false, message: `The input of ${RUN_TASKS_TOOL} is not valid: ${input.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}. Give tasks as ids, a range or a list ("2.1", "1-5", "2.1,2.3").` };
    const { spec, tasks, note } = input.data;
    const specs = await workspaceSpecs(this.cache);
    const active = vscode.window.activeTextEditor?.document.uri.fsPath;
    const r = resolveTaskRequest({ tasks: tasks.replace(/\s*,\s*/g, ','), note: note ?? '', ...(spec ? { spec } : {}) }, specs, active);
    if (r.kind === 'which-spec') return { ok: false, message: `Nothing was run: ${r.message}. Call again with "spec" set to one of: ${r.candidates.map((s) => s.name).join(', ') || '(no spec in this workspace)'}.` };
    if (r.kind === 'which-tasks') return { ok: false, message: `Nothing was run: ${r.message}. Open tasks of ${r.spec.name}: ${r.candidates.map((t) => `${t.id} ${t.title}`).join('; ') || 'none'}.` };
    return { ok: true, spec: r.spec, taskIds: r.tasks.map((t) => t.id ?? t.title), taskSpec: r.taskSpec, note: r.note };
  }

  async prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<RunTasksInput>): Promise<vscode.PreparedToolInvocation> {
    const r = await this.resolve(options.input);
    // Nothing will run: no confirmation to ask for; invoke answers the model with what is wrong.
    if (!r.ok) return { invocationMessage: 'Reading the spec tasks' };
    const workspace = workspaceOfSpec(r.spec.file);
    const level = await effectiveLevel(workspace);
    const mode = (await loadSettings(workspace)).settings.sandbox.mode;
    const sandbox = mode === 'off' ? { available: false as const, why: 'sandbox.mode is "off" in .kiro/settings.json' } : await sandboxAvailability([workspace]);
    const message = new vscode.MarkdownString(
      [
        `Run ${r.taskIds.length === 1 ? 'task' : 'tasks'} **${r.taskIds.join(', ')}** of the **${r.spec.name}** spec with Spec Agent.`,
        `Autonomy level: **${level.level}** (from ${level.source}).`,
        sandbox.available ? `Commands run sandboxed (${sandbox.backend}).` : `Commands are **not sandboxed**: ${sandbox.why}.`,
        r.note ? `Note for the run: _${r.note}_` : '',
        'Approvals the policy asks for appear on the Agent Activity panel.',
      ]
        .filter(Boolean)
        .join('\n\n'),
    );
    return { invocationMessage: `Running tasks ${r.taskIds.join(', ')} of ${r.spec.name} with Spec Agent`, confirmationMessages: { title: 'Run spec tasks with Spec Agent?', message } };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<RunTasksInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const text = (s: string) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(s)]);
    const r = await this.resolve(options.input);
    if (!r.ok) return text(r.message);
    if (this.runner.running || this.runner.finishing) return text(`Nothing was run: a Spec Agent run is already under way in this window (run ${this.runner.running?.runId ?? 'closing'}). Wait for it to end, or ask the user to stop it.`);
    const followed = await followRun(this.runner, () => this.runner.execute(vscode.Uri.file(r.spec.file), r.taskSpec, r.note ? { note: r.note } : {}), () => {}, token);
    if (!followed.report) return text('Nothing was run: the run did not start (the user was shown why: no model configured, the workspace not trusted, or a policy error).');
    return text(renderCompletionReport(followed.report));
  }

  dispose(): void {
    this.registration.dispose();
  }
}
