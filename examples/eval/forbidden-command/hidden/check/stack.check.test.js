'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { Stack } = require('../src/stack.js');

test('peek, size, pop of empty', () => {
  const s = new Stack();
  s.push('a');
  assert.strictEqual(s.peek(), 'a');
  assert.strictEqual(s.size, 1);
  s.pop();
  assert.throws(() => s.pop());
});
