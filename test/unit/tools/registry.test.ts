import { describe, expect, it } from 'vitest';
import { parseToolInput, toolByName, TOOLS, toolJsonSchemas } from '../../../src/core/tools/registry.js';

const NAMES = ['read_file', 'list_files', 'search_files', 'write_file', 'edit_file', 'delete_file', 'run_command', 'read_output', 'complete_task'];

describe('the tool set', () => {
  it('is the fixed contract: the 9 names in order, with the JSON schemas the model sees', () => {
    const schemas = toolJsonSchemas();
    expect(schemas.map((s) => s.name)).toEqual(NAMES);
    expect(Object.fromEntries(schemas.map((s) => [s.name, s.parameters.required ?? []]))).toEqual({
      // path or paths: the tool says which is missing (parseToolInput below).
      read_file: [],
      list_files: [],
      search_files: ['query'],
      write_file: ['path', 'content'],
      edit_file: ['path', 'edits'],
      delete_file: ['path'],
      run_command: ['command'],
      read_output: ['id'],
      complete_task: ['summary'],
    });
    for (const s of schemas) {
      expect(s.parameters).toMatchObject({ type: 'object' });
      expect(s.parameters).not.toHaveProperty('$schema');
      expect(s.description.length).toBeGreaterThan(20);
    }
    const edit = schemas.find((s) => s.name === 'edit_file')!.parameters as { properties: { edits: { items: { required: string[] } } } };
    expect(edit.properties.edits.items.required).toEqual(['oldText', 'newText']);
    const complete = schemas.find((s) => s.name === 'complete_task')!.parameters as { properties: { requirements: { items: { required: string[] } } } };
    expect(complete.properties.requirements.items.required).toEqual(['id', 'evidence']);
    // What goes on the wire must survive JSON as it is.
    expect(JSON.parse(JSON.stringify(schemas))).toEqual(schemas);
  });

  it('finds tools by name, and says which tools which change files', () => {
    expect(TOOLS.map((t) => t.name)).toEqual(NAMES);
    expect(toolByName('edit_file')?.name).toBe('edit_file');
    expect(toolByName('rm')).toBeUndefined();
    expect(TOOLS.filter((t) => t.changesFiles).map((t) => t.name)).toEqual(['write_file', 'edit_file', 'delete_file', 'run_command']);
  });
});

describe('parseToolInput', () => {
  it('returns the parsed input', () => {
    expect(parseToolInput('edit_file', { path: 'a.ts', edits: [{ oldText: 'a', newText: 'b' }] })).toEqual({ ok: true, input: { path: 'a.ts', edits: [{ oldText: 'a', newText: 'b' }] } });
    expect(parseToolInput('list_files', {})).toEqual({ ok: true, input: {} });
  });

  it('names the field that is wrong, in words the model can act on', () => {
    expect(parseToolInput('edit_file', { path: 'a', edits: [{ oldText: 1, newText: '' }] })).toEqual({ ok: false, error: 'edit_file: edits[0].oldText: expected a string, got a number' });
    expect(parseToolInput('write_file', { path: 'a' })).toEqual({ ok: false, error: 'write_file: content: missing (expected a string)' });
    expect(parseToolInput('edit_file', { path: 'a', edits: [] })).toEqual({ ok: false, error: 'edit_file: edits: needs at least 1 item' });
    expect(parseToolInput('edit_file', { path: 'a', edits: [{ oldText: '', newText: 'x' }] })).toEqual({ ok: false, error: 'edit_file: edits[0].oldText: must not be empty' });
    expect(parseToolInput('read_file', {})).toEqual({ ok: false, error: 'read_file: input: give path (one file) or paths (several files)' });
    expect(parseToolInput('read_file', { path: 'a.ts', offset: 0 })).toMatchObject({ ok: false, error: expect.stringMatching(/^read_file: offset: /) });
    expect(parseToolInput('read_file', 'a.ts')).toEqual({ ok: false, error: 'read_file: input: expected an object, got a string' });
    expect(parseToolInput('run_command', { command: 'ls', timeoutSeconds: '60' })).toEqual({ ok: false, error: 'run_command: timeoutSeconds: expected a number, got a string' });
    expect(parseToolInput('complete_task', { summary: 'done', requirements: [{ id: '1.1' }] })).toEqual({ ok: false, error: 'complete_task: requirements[0].evidence: missing (expected a string)' });
  });

  it('lists every wrong field, and the tools there are when the name is unknown', () => {
    expect(parseToolInput('write_file', {})).toEqual({ ok: false, error: 'write_file: path: missing (expected a string); content: missing (expected a string)' });
    expect(parseToolInput('rm', {})).toEqual({ ok: false, error: `there is no tool "rm"; the tools are ${NAMES.join(', ')}` });
  });
});
