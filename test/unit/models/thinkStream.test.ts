import { describe, expect, it } from 'vitest';
import { splitThinking, ThinkStream } from '../../../src/core/models/textConventions.js';

/** The pieces a ThinkStream emits for these pieces of an answer, joined per channel, and how many text pieces. */
function stream(pieces: string[]): { text: string; thinking: string; textPieces: number } {
  const out = { text: '', thinking: '', textPieces: 0 };
  const s = new ThinkStream((channel, piece) => {
    out[channel] += piece;
    if (channel === 'text') out.textPieces++;
  });
  for (const p of pieces) s.push(p);
  s.end();
  return out;
}

describe('ThinkStream: <think> blocks told apart while the answer streams', () => {
  it('a tag cut anywhere across pieces never shows as text, whatever the cut', () => {
    const answer = '<think>Plan: read a.ts.</think>Reading a.ts now.';
    for (let cut = 1; cut < answer.length; cut++) {
      const r = stream([answer.slice(0, cut), answer.slice(cut)]);
      expect(r, `cut at ${cut}`).toMatchObject({ text: 'Reading a.ts now.', thinking: 'Plan: read a.ts.' });
    }
    // One character a piece.
    expect(stream([...answer])).toMatchObject({ text: 'Reading a.ts now.', thinking: 'Plan: read a.ts.' });
  });

  it('what looks like the start of a tag and is not one is text, held only until the next piece (or the end) says so', () => {
    expect(stream(['a <', 'b> c'])).toMatchObject({ text: 'a <b> c', thinking: '' });
    expect(stream(['x <thi'])).toMatchObject({ text: 'x <thi', thinking: '' });
    expect(stream(['1 < 2', ' and 3 > 2'])).toMatchObject({ text: '1 < 2 and 3 > 2' });
  });

  it('text streams as it comes (a piece out per piece in); an unclosed block is reasoning, as splitThinking reads it', () => {
    expect(stream(['One ', 'two ', 'three.']).textPieces).toBe(3);
    const cut = 'Answer. <think>still thinking when the stream ended';
    expect(stream([cut.slice(0, 12), cut.slice(12)])).toMatchObject({ text: 'Answer. ', thinking: 'still thinking when the stream ended' });
    expect(splitThinking(cut)).toEqual({ text: 'Answer.', thinking: 'still thinking when the stream ended' });
  });
});
