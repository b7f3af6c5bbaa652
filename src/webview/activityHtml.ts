import { randomBytes } from 'node:crypto';

/**
 * The Agent Activity webview's HTML, for the host to set as `webview.html`. Pure: no DOM and no `vscode`, so the
 * host, the tests and the benchmark build the very same page. The CSP allows our stylesheets and fonts from the
 * webview's resource origin and one nonce'd script; nothing inline, nothing from the network.
 */
export interface ActivityHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh random nonce per page (newNonce()). */
  nonce: string;
  /** asWebviewUri of dist/webview/activity.js. */
  scriptUri: string;
  /** asWebviewUri of dist/webview/activity.css. */
  styleUri: string;
  /** asWebviewUri of dist/webview/codicon.css (codicon.ttf must sit beside it). */
  codiconsUri: string;
}

export function activityHtml(o: ActivityHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `style-src ${o.cspSource}`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
    `img-src ${o.cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.codiconsUri)}">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>Agent Activity</title>
</head>
<body data-tab="activity">
<nav id="tabs" class="tabs" role="tablist" aria-label="Agent Activity views">
<button id="tab-activity" class="tab" role="tab" aria-selected="true" aria-controls="scroller" data-action="tab" data-tab="activity">Activity</button>
<button id="tab-runs" class="tab" role="tab" aria-selected="false" aria-controls="runs" data-action="tab" data-tab="runs">Runs</button>
</nav>
<section id="runs" class="runs" role="tabpanel" aria-labelledby="tab-runs" hidden></section>
<header id="header" class="header"></header>
<div id="notices" class="notices"></div>
<main id="scroller" class="scroller">
<p id="empty" class="empty">No run yet. Click ▶ Execute with Agent above a task in tasks.md.</p>
<div id="timeline" class="timeline" role="list" aria-label="Agent activity"></div>
</main>
<div id="approvals" class="approvals" aria-live="polite" hidden></div>
<footer id="controls" class="controls" aria-label="Run controls"></footer>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}

/** A nonce for the CSP: 128 random bits, base64 (what CSP expects). Node only (the host side). */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
