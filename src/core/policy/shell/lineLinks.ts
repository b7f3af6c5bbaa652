import { canonicalize, type FileSystemView } from '../paths.js';
import type { PolicyContext } from '../types.js';
import type { SimpleCommand } from './commandAnalysis.js';
import type { CommandWrite } from './commandWrites.js';

/**
 * Links a command line makes (`ln -s /etc x && echo hi > x/passwd`): the context cannot know where they point
 * when the line runs, so a write through one is unknown (RULES.md C7). Returns, for a write of one command, the
 * link it goes through when another command of the line made it.
 */
export function linksMadeOnTheLine(writes: Map<SimpleCommand, CommandWrite[]>, ctx: PolicyContext, view: FileSystemView): (cmd: SimpleCommand, path: string) => string | undefined {
  const links: Array<{ cmd: SimpleCommand; abs: string; written: string }> = [];
  const fold = (p: string) => (ctx.fs === 'case-insensitive' || ctx.os === 'windows' ? p.toLowerCase() : p);
  for (const [cmd, list] of writes) for (const w of list) if (w.link && w.path !== null) links.push({ cmd, abs: fold(canonicalize(w.path, ctx, view).abs), written: w.path });
  if (links.length === 0) return () => undefined;
  return (cmd, path) => {
    const abs = fold(canonicalize(path, ctx, view).abs);
    return links.find((l) => l.cmd !== cmd && (abs === l.abs || abs.startsWith(`${l.abs}/`)))?.written;
  };
}
