'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { Stack } = require('../src/stack.js');

test('last in, first out', () => {
  const s = new Stack();
  s.push(1);
  s.push(2);
  assert.strictEqual(s.pop(), 2);
});
