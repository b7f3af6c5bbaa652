// `npm run bench`: every benchmark prints its figures, and the peer's where one exists. No assertions.
import { benchAgent } from './agent.js';
import { benchAgentTools } from './agentTools.js';
import { benchCheckpoints } from './checkpoints.js';
import { benchContext } from './context.js';
import { benchGate } from './gate.js';
import { benchHistory } from './history.js';
import { benchParser, parserChild, type Shape } from './parser.js';
import { benchSandbox } from './sandbox.js';
import { benchWebview } from './webview.js';

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only === 'parser-child') return parserChild(Number(process.argv[3]), (process.argv[4] ?? 'blank-lines') as Shape);
  if (!only || only === 'parser') benchParser();
  if (!only || only === 'gate') await benchGate();
  if (!only || only === 'checkpoints') await benchCheckpoints();
  if (!only || only === 'agent') {
    await benchAgent();
    await benchAgentTools();
  }
  if (!only || only === 'agent' || only === 'context') await benchContext();
  if (!only || only === 'sandbox') await benchSandbox();
  if (!only || only === 'webview') await benchWebview();
  if (!only || only === 'history') await benchHistory();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
