'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { Cart } = require('../src/cart.js');

test('a discount is taken off, rounded to cents', () => {
  const c = new Cart();
  c.add('tea', 3.33, 3);
  assert.strictEqual(c.total(10), 8.99);
});

test('an impossible discount is refused', () => {
  assert.throws(() => new Cart().total(120), RangeError);
  assert.throws(() => new Cart().total(-1), RangeError);
});

test('no discount is the plain sum', () => {
  const c = new Cart();
  c.add('tea', 2, 2);
  assert.strictEqual(c.total(), 4);
});
