'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { Cart } = require('../src/cart.js');

test('the total sums the lines', () => {
  const c = new Cart();
  c.add('tea', 3, 2);
  assert.strictEqual(c.total(), 6);
});
