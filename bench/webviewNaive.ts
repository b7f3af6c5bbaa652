// The peer of the webview benchmark: the same model and the same rows, rendered the naive way. Every message
// rebuilds the whole timeline at once, synchronously; no budget, no incremental update, no history filled in later.
import '../src/webview/zodWithoutEval.js';
import { ActivityModel } from '../src/webview/activityModel.js';
import { renderRow } from '../src/webview/timelineRows.js';
import { hostMessageSchema } from '../src/core/runs/activityProtocol.js';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void };

const vscode = acquireVsCodeApi();
const model = new ActivityModel();
const list = document.getElementById('timeline')!;
const scroller = document.getElementById('scroller')!;
const expanded = new Set<string>();
let handled = 0;

window.addEventListener('message', (e: MessageEvent) => {
  const r = hostMessageSchema.safeParse(e.data);
  if (r.success) {
    const m = r.data;
    if (m.type === 'reset') model.reset(m.runId, m.events);
    else if (m.type === 'events') model.append(m.runId, m.events);
    list.replaceChildren(...model.items.map((i) => renderRow(i, { expanded })));
    model.changed.clear();
    scroller.scrollTop = scroller.scrollHeight;
  }
  document.body.dataset.handled = String(++handled);
});
vscode.postMessage({ type: 'ready' });
