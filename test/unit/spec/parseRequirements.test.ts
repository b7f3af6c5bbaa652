import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCorpus } from '../../support/corpus.js';
import { describe, expect, it } from 'vitest';
import { parseRequirements } from '../../../src/core/spec/parseRequirements.js';

describe('parseRequirements', () => {
  it('numbers acceptance criteria under their requirement', () => {
    const doc = parseRequirements(readFileSync(join(__dirname, '../../../examples/todo-app/.kiro/specs/todo-priorities/requirements.md'), 'utf8'));
    expect(doc.requirements.map((r) => [r.id, r.title, r.criteria.map((c) => c.id)])).toEqual([
      ['1', 'Priorities', ['1.1', '1.2', '1.3']],
      ['2', 'Ordering', ['2.1', '2.2']],
    ]);
    expect(doc.resolve('1.3')).toMatchObject({ text: expect.stringMatching(/^WHEN an item is added with any other priority THEN/) });
    expect(doc.resolve('2')).toMatchObject({ title: 'Ordering', text: expect.stringContaining('User Story') });
    expect(doc.resolve('2.3')).toBeUndefined();
  });

  it('reads em-dash and FR- headings, ordered lists without a criteria heading, and a BOM', () => {
    const doc = parseRequirements('\uFEFF# R\n\n## Requirement 3 — Ports\r\n\r\n1. first\r\n   wrapped\r\n2. second\r\n\r\n## FR-2: Other\n\n1. only\n\n## Glossary\n\n1. not a criterion\n');
    expect(doc.requirements.map((r) => [r.id, r.title, r.criteria.map((c) => [c.id, c.text])])).toEqual([
      ['3', 'Ports', [['3.1', 'first wrapped'], ['3.2', 'second']]],
      ['FR-2', 'Other', [['FR-2.1', 'only']]],
    ]);
  });

  const corpus = findCorpus();
  it.runIf(corpus !== undefined)('resolves every numeric ref of the corpus specs that ship a requirements.md', () => {
    for (const name of ['Homas__RpiDNS__user-authentication', 'kirodotdev__spirit-of-kiro__plans_player-trail-effect', 'crawlins__kythira__coap-transport-libnyoci']) {
      const doc = parseRequirements(readFileSync(join(corpus!, `${name}.requirements.md`), 'utf8'));
      expect(doc.requirements.length, name).toBeGreaterThan(3);
      for (const r of doc.requirements) expect(r.criteria.length, `${name} requirement ${r.id}`).toBeGreaterThan(0);
    }
  });
});
