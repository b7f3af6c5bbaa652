import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../../..');
const eslint = new ESLint({ cwd: ROOT });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layering of DESIGN.md, enforced by lint', () => {
  it('forbids vscode outside src/vscode/', async () => {
    expect(await restrictedImports('src/core/spec/probe.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n")).toEqual([
      "'vscode' import is restricted from being used. Only src/vscode/ may import vscode (see DESIGN.md, Layers).",
    ]);
    expect(await restrictedImports('src/cli/probe.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n")).toHaveLength(1);
  });

  it('forbids core/ reaching up into vscode/ or cli/', async () => {
    expect(await restrictedImports('src/core/spec/probe.ts', "import { main } from '../../cli/main.js';\nexport const m = main;\n")).toHaveLength(1);
  });

  it('allows vscode in src/vscode/', async () => {
    expect(await restrictedImports('src/vscode/probe.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n")).toEqual([]);
  });
});
