'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { TodoList } = require('../src/todo.js');

test('add and complete', () => {
  const list = new TodoList();
  const a = list.add('write spec');
  list.add('run agent');
  list.complete(a.id);
  assert.deepStrictEqual(list.open().map((i) => i.title), ['run agent']);
});

test('rejects an empty title', () => {
  assert.throws(() => new TodoList().add('  '), /non-empty/);
});
