import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { Journal, newRunId, readJournal, runDir } from '../../../src/core/runs/journal.js';

describe('the run journal', () => {
  it('appends events with run id, sequence and time, and reads them back', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'spec-agent-journal-'));
    const runId = newRunId();
    expect(runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
    const journal = Journal.open(ws, runId);
    const seen: RunEvent[] = [];
    journal.onEvent((e) => seen.push(e));
    journal.append({ type: 'run.started', tasksFile: 'tasks.md', workspace: ws, tasks: [{ id: '1', title: 'One', line: 3 }], level: 'balanced', levelSource: '.kiro/settings.json', model: 'replay:x.json' });
    journal.append({ type: 'tool.requested', callId: 'c1', tool: 'read_file', input: { path: 'a.ts' } });
    journal.append({ type: 'run.completed', tasksCompleted: 1 });
    journal.close();

    expect(seen.map((e) => [e.seq, e.type])).toEqual([[0, 'run.started'], [1, 'tool.requested'], [2, 'run.completed']]);
    const read = await readJournal(ws, runId);
    expect(read).toMatchObject({ truncated: undefined, ended: true });
    expect(read.events).toEqual(seen);
    expect(await readFile(join(ws, '.kiro/runs/.gitignore'), 'utf8')).toBe('*\n');
  });

  it('continues the sequence when reopened, and rejects events that are not in the vocabulary', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'spec-agent-journal-'));
    const a = Journal.open(ws, 'r1');
    a.append({ type: 'model.text', text: 'thinking' });
    a.close();
    const b = Journal.open(ws, 'r1', (await readJournal(ws, 'r1')).events.length);
    expect(b.append({ type: 'model.text', text: 'again' }).seq).toBe(1);
    expect(() => b.append({ type: 'model.text' } as never)).toThrow();
    b.close();
    expect(() => Journal.open(ws, '../escape')).toThrow(/invalid run id/);
  });

  it('reads a journal cut off mid-line (a crash) up to its last whole event', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'spec-agent-journal-'));
    const j = Journal.open(ws, 'crash');
    j.append({ type: 'model.text', text: 'one' });
    j.append({ type: 'tool.requested', callId: 'c1', tool: 'run_command', input: { command: 'npm test' } });
    j.close();
    await appendFile(join(runDir(ws, 'crash'), 'events.jsonl'), '{"type":"tool.output","callId":"c1","str');
    const read = await readJournal(ws, 'crash');
    expect(read.events.map((e) => e.type)).toEqual(['model.text', 'tool.requested']);
    expect(read.ended).toBe(false);
    expect(read.truncated).toMatch(/^line 3 is cut off/);
  });
});
