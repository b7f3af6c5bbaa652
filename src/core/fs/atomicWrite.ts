import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces a file's content so that a reader (or a crash) sees either the old bytes or the new ones, never
 * half of each: write a temp file beside it, flush it, rename it over the original. The file keeps its mode.
 */
export async function atomicWrite(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const mode = await stat(file).then((s) => s.mode & 0o7777, () => 0o666);
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    await rename(tmp, file);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
