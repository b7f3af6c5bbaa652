import type { ToolContext } from './types.js';

/**
 * Brackets a write with the host's problem watch (VS Code's Problems panel): the errors of the file before, then
 * after, and only the new ones said. Without a host (CLI, tests without it) nothing is said; a watch that fails
 * never fails the write that already happened.
 */
export async function problemsBracket(ctx: ToolContext, absPath: string): Promise<() => Promise<string>> {
  const watch = ctx.watchProblems ? await ctx.watchProblems(absPath).catch(() => undefined) : undefined;
  return async () => {
    if (!watch) return '';
    const found = await watch().catch(() => [] as string[]);
    if (found.length === 0) return '';
    const shown = found.slice(0, 10);
    const more = found.length > shown.length ? `\n[… and ${found.length - shown.length} more]` : '';
    return `\nNew problems in this file since the change (fix them before moving on):\n${shown.join('\n')}${more}`;
  };
}
