import { mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PATH with every program of this machine but bubblewrap: a machine where no sandbox can be made. */
export function pathWithoutBubblewrap(): string {
  const bin = mkdtempSync(join(tmpdir(), 'spec-agent-no-bwrap-'));
  for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name === 'bwrap') continue;
      try {
        symlinkSync(join(dir, name), join(bin, name));
      } catch {
        // the same name from an earlier folder of PATH wins, as it would on PATH
      }
    }
  }
  return bin;
}
