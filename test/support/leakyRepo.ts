import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A line of the fake private key: no tool output, gate reason or journal may ever contain it. */
export const KEY_TEXT = 'PRIVATE-KEY-MATERIAL-3f9a';

/**
 * The cloned repository of the issue, on real disk: `notes.md -> <HOME>/.ssh/id_rsa`, a folder link leading out of
 * the workspace, links that stay inside, a dangling link, a .env and Kiro steering. HOME is a fake one beside it.
 */
export function leakyRepo(): { base: string; root: string; home: string } {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'spec-agent-reads-')));
  const root = join(base, 'project');
  const home = join(base, 'home');
  const files: Record<string, string> = {
    [join(home, '.ssh/id_rsa')]: `-----BEGIN OPENSSH PRIVATE KEY-----\n${KEY_TEXT}\n-----END OPENSSH PRIVATE KEY-----\n`,
    [join(home, 'docs/plan.md')]: `outside plan ${KEY_TEXT}\n`,
    [join(root, 'src/app.ts')]: 'export const app = 1;\n',
    [join(root, '.env')]: 'API_TOKEN=hunter2\n',
    [join(root, 'config/.env.local')]: 'API_TOKEN=hunter3\n',
    [join(root, '.kiro/steering/x.md')]: '# Steering\nuse tabs\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  symlinkSync(join(home, '.ssh/id_rsa'), join(root, 'notes.md'));
  symlinkSync(join(home, 'docs'), join(root, 'docs'));
  symlinkSync('src/app.ts', join(root, 'app-link.ts'));
  symlinkSync('src', join(root, 'src-link'));
  symlinkSync('gone.md', join(root, 'dangling.md'));
  symlinkSync(join(home, 'missing.md'), join(root, 'dangling-out.md'));
  return { base, root, home };
}
