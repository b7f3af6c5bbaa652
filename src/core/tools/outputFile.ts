import { createWriteStream, mkdirSync, openSync, closeSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { runDir } from '../runs/journal.js';

/** Most bytes of one command's output kept on disk: a log of gigabytes must not fill the disk (said in the file). */
export const OUTPUT_FILE_LIMIT = 50 * 1024 * 1024;

/** Where a run keeps the whole output of its commands: `.kiro/runs/<run>/outputs/`. */
export const outputsDir = (workspace: string, runId: string): string => join(runDir(workspace, runId), 'outputs');

/**
 * The whole output of one command, written as it arrives to `<n>.log.partial` and renamed to `<n>.log` when
 * kept, so a reader never sees a file half-written by a command that is over. `n` counts the run's files.
 * Writes that fail (a full disk) only lose the file, never the command.
 */
export class OutputFile {
  private stream: WriteStream | undefined;
  private failed = false;
  /** Bytes written (at most `limit`). */
  written = 0;
  /** Bytes the command printed past the limit, not written. */
  dropped = 0;
  readonly path: string;
  /** The path as the model gives it to read_file: relative to the workspace, with `/`. */
  readonly relativePath: string;

  private constructor(
    workspace: string,
    path: string,
    private readonly limit: number,
    private readonly live: boolean,
  ) {
    this.path = path;
    this.relativePath = relative(workspace, path).split(sep).join('/');
    this.stream = createWriteStream(live ? path : `${path}.partial`);
    this.stream.on('error', () => {
      this.failed = true;
    });
  }

  /**
   * A new file in the run's outputs folder, or undefined when none can be made (the command runs anyway). `live`:
   * written in place, to be read while it grows (a background process's log), and never removed.
   */
  static create(workspace: string, runId: string, o: { limit?: number; live?: boolean } = {}): OutputFile | undefined {
    const limit = o.limit ?? OUTPUT_FILE_LIMIT;
    const dir = outputsDir(workspace, runId);
    try {
      mkdirSync(dir, { recursive: true });
      for (let n = 1; n < 100_000; n++) {
        const path = join(dir, `${n}.log`);
        try {
          // Reserves the number: another command of the run (one in the background) takes the next.
          closeSync(openSync(path, 'wx'));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw err;
        }
        return new OutputFile(workspace, path, limit, o.live ?? false);
      }
    } catch {
      // An unwritable .kiro/ loses the file, not the command.
    }
    return undefined;
  }

  add(chunk: Buffer): void {
    if (this.failed || !this.stream) return;
    const room = this.limit - this.written;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, Math.max(0, room));
    if (part.length > 0) {
      this.stream.write(part);
      this.written += part.length;
    }
    this.dropped += chunk.length - part.length;
  }

  /** Ends the file: kept (renamed in place) when `keep`, else removed. Resolves to whether it was kept. */
  async close(keep: boolean): Promise<boolean> {
    const stream = this.stream;
    this.stream = undefined;
    if (!stream) return false;
    if (keep && this.dropped > 0 && !this.failed) stream.write(`\n[spec-agent: the output went on for ${this.dropped} more bytes, past the ${this.limit % (1024 * 1024) === 0 ? `${this.limit / 1024 / 1024} MB` : `${this.limit} bytes`} kept per command]\n`);
    // `close` comes after the last write is on disk, and also after an error.
    await new Promise<void>((resolve) => {
      stream.once('close', () => resolve());
      stream.end();
    });
    if (this.live && keep) return true;
    const partial = `${this.path}.partial`;
    if (keep && !this.failed) {
      try {
        renameSync(partial, this.path);
        return true;
      } catch {
        // fall through: removed below
      }
    }
    rmSync(partial, { force: true });
    rmSync(this.path, { force: true });
    return false;
  }
}
