import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EvalProgress } from '../../../src/cli/evalProgress.js';

/** What a terminal would be sent. */
function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

describe('eval progress', () => {
  it('draws a bar per case and redraws them in place (cursor up, line cleared) as runs start and end', () => {
    const t = terminal();
    const p = new EvalProgress(t.stream, ['bug-fix', 'second-fix'], 2);
    p.started('bug-fix', 'replay:scripted, balanced');
    p.ended('bug-fix', true);
    const frames = t.text().split('\x1b[2A');
    expect(frames).toHaveLength(2);
    expect(frames[0]).toBe(`\x1b[2K  bug-fix     ${'░'.repeat(20)}  0/2  0 passed  (replay:scripted, balanced)\n\x1b[2K  second-fix  ${'░'.repeat(20)}  0/2  0 passed\n`);
    expect(frames[1]).toBe(`\x1b[2K  bug-fix     ${'█'.repeat(10)}${'░'.repeat(10)}  1/2  1 passed\n\x1b[2K  second-fix  ${'░'.repeat(20)}  0/2  0 passed\n`);
  });

  it('a notice goes above the bars, which are drawn again below it', () => {
    const t = terminal();
    const p = new EvalProgress(t.stream, ['a'], 1);
    p.started('a', 'm');
    p.say(t.stream, 'spec-agent: commands are not sandboxed\n');
    const bar = `  a  ${'░'.repeat(20)}  0/1  0 passed  (m)\n`;
    expect(t.text()).toBe(`\x1b[2K${bar}\x1b[1A\x1b[2Kspec-agent: commands are not sandboxed\n\x1b[2K${bar}`);
  });
});
