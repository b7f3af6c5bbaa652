import { formatUsd } from '../models/prices.js';
import type { RunEvent } from './events.js';
import { plural } from '../text/plural.js';

/** What model requests used and cost: `cached` is of `input`; `unpriced`, requests whose cost no one knew. */
export interface TokenTally {
  input: number;
  output: number;
  cached: number;
  costUsd?: number;
  unpriced?: number;
}

/** Adds one model request (model.usage) to a tally: the one sum behind summary.json, the CLI's progress line and the chat's report. */
export function addUsage(t: TokenTally, e: Extract<RunEvent, { type: 'model.usage' }>): void {
  t.input += e.inputTokens ?? 0;
  t.output += e.outputTokens ?? 0;
  t.cached += e.cachedInputTokens ?? 0;
  if (e.costUsd !== undefined) t.costUsd = (t.costUsd ?? 0) + e.costUsd;
  else t.unpriced = (t.unpriced ?? 0) + 1;
}

/**
 * "12,345 in / 3,000 cached / 567 out tokens · $0.0123": what model requests used and cost, as the CLI and
 * `runs show` print it. A cost no one knew says so ("no price known") instead of passing for $0.
 */
export function usageText(t: TokenTally): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `${n(t.input)} in / ${n(t.cached)} cached / ${n(t.output)} out tokens · ${costText(t)}`;
}

export function costText(t: Pick<TokenTally, 'costUsd' | 'unpriced'>): string {
  if (t.costUsd === undefined) return t.unpriced ? 'no price known' : formatUsd(0);
  return `${formatUsd(t.costUsd)}${t.unpriced ? ` (and ${plural(t.unpriced, 'request')} with no price known)` : ''}`;
}

/** "rate-limited by api.example.com (429): retrying in 23 s": a wait of the model client, counted down to `until`. */
export function waitText(e: { host: string; status: number; until: string; retryAfter: boolean }, now = Date.now()): string {
  const left = Math.max(0, Math.ceil((Date.parse(e.until) - now) / 1000));
  const what = e.status === 429 ? 'rate-limited' : 'overloaded';
  return `${what} by ${e.host} (${e.status}): retrying in ${left} s${e.retryAfter ? '' : ' (backoff; the server gave no retry-after)'}`;
}

/**
 * A run's cost as the Runs view writes it, the way the panel header does: "$0.12 + no price known for 3 requests"
 * when some requests had no price (the sum is of the others only), "no price known" when none had; null: no cost.
 */
export function runCostText(costUsd: number | null, unpricedRequests: number): string | null {
  if (costUsd === null) return unpricedRequests > 0 ? 'no price known' : null;
  return `${formatUsd(costUsd)}${unpricedRequests > 0 ? ` + no price known for ${plural(unpricedRequests, 'request')}` : ''}`;
}

/**
 * Over how many runs a summed cost is known (runStats' costKnown), so a cost per task summed over runs some of
 * whose requests had no price does not read as complete: '' when every run's cost is known in full.
 */
export function costKnownText(k: { complete: number; partial: number; none: number; unpricedRequests: number }, runs: number): string {
  if (k.partial + k.none === 0) return '';
  const parts = [`known for ${k.complete} of ${plural(runs, 'run')}`, k.partial > 0 ? `partial for ${k.partial}` : '', k.none > 0 ? `none for ${k.none}` : ''].filter(Boolean);
  return `${parts.join(', ')}; no price known for ${plural(k.unpricedRequests, 'request')}`;
}
