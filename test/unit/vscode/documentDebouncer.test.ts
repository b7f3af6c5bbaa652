// The per-document debounce of the tasks.md and steering diagnostics (one class for both, src/vscode/documentDebouncer.ts).
// Fake timers: the clock is moved by the test, so nothing waits for time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DocumentDebouncer } from '../../../src/vscode/documentDebouncer.js';

const doc = (path: string, version = 1) => ({ uri: { toString: () => `file://${path}` }, version });
type Doc = ReturnType<typeof doc>;

describe('DocumentDebouncer', () => {
  let ran: Array<{ path: string; version: number }>;
  let errors: Array<{ path: string; err: unknown }>;
  let debouncer: DocumentDebouncer<Doc>;
  beforeEach(() => {
    vi.useFakeTimers();
    ran = [];
    errors = [];
    debouncer = new DocumentDebouncer<Doc>(
      (d) => void ran.push({ path: d.uri.toString(), version: d.version }),
      (d, err) => void errors.push({ path: d.uri.toString(), err }),
    );
  });
  afterEach(() => {
    debouncer.dispose();
    vi.useRealTimers();
  });

  it('runs once per pause of a document, on the last version scheduled', () => {
    debouncer.schedule(doc('/a/tasks.md', 1), 200);
    vi.advanceTimersByTime(150);
    debouncer.schedule(doc('/a/tasks.md', 2), 200);
    vi.advanceTimersByTime(150);
    debouncer.schedule(doc('/a/tasks.md', 3), 200);
    expect(ran).toEqual([]);
    expect(debouncer.pending).toBe(1);
    vi.advanceTimersByTime(200);
    expect(ran).toEqual([{ path: 'file:///a/tasks.md', version: 3 }]);
    expect(debouncer.pending).toBe(0);
  });

  it('keeps documents apart: typing in one does not put off another', () => {
    debouncer.schedule(doc('/a/tasks.md'), 200);
    vi.advanceTimersByTime(100);
    debouncer.schedule(doc('/b/tasks.md'), 200);
    vi.advanceTimersByTime(100);
    expect(ran.map((r) => r.path)).toEqual(['file:///a/tasks.md']);
    vi.advanceTimersByTime(100);
    expect(ran.map((r) => r.path)).toEqual(['file:///a/tasks.md', 'file:///b/tasks.md']);
  });

  it('a delay of 0 runs on the next turn (a document just opened)', () => {
    debouncer.schedule(doc('/a/steering/x.md'), 0);
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(ran).toHaveLength(1);
  });

  it('cancel drops the pending work of that document only (it was closed)', () => {
    debouncer.schedule(doc('/a/tasks.md'), 200);
    debouncer.schedule(doc('/b/tasks.md'), 200);
    debouncer.cancel(doc('/a/tasks.md'));
    vi.advanceTimersByTime(200);
    expect(ran.map((r) => r.path)).toEqual(['file:///b/tasks.md']);
  });

  it('a failure, thrown or rejected, goes to onError and the next schedule still runs', async () => {
    const failing = new DocumentDebouncer<Doc>(
      (d) => {
        if (d.version === 1) throw new Error('thrown');
        if (d.version === 2) return Promise.reject(new Error('rejected'));
        ran.push({ path: d.uri.toString(), version: d.version });
        return undefined;
      },
      (d, err) => void errors.push({ path: d.uri.toString(), err }),
    );
    failing.schedule(doc('/a/tasks.md', 1), 10);
    vi.advanceTimersByTime(10);
    failing.schedule(doc('/a/tasks.md', 2), 10);
    vi.advanceTimersByTime(10);
    await vi.waitFor(() => expect(errors).toHaveLength(2));
    expect(errors.map((e) => (e.err as Error).message)).toEqual(['thrown', 'rejected']);
    failing.schedule(doc('/a/tasks.md', 3), 10);
    vi.advanceTimersByTime(10);
    expect(ran).toEqual([{ path: 'file:///a/tasks.md', version: 3 }]);
    failing.dispose();
  });

  it('dispose drops everything pending, and later schedules do nothing', () => {
    debouncer.schedule(doc('/a/tasks.md'), 200);
    debouncer.dispose();
    debouncer.schedule(doc('/b/tasks.md'), 0);
    vi.advanceTimersByTime(500);
    expect(ran).toEqual([]);
    expect(debouncer.pending).toBe(0);
  });
});
