'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { readFileSync } = require('node:fs');
const price = require('../src/price.js');

test('formatPrice is exported, fmtPrice is gone', () => {
  assert.strictEqual(typeof price.formatPrice, 'function');
  assert.strictEqual(price.fmtPrice, undefined);
  assert.strictEqual(price.formatPrice(1000), '$1,000.00');
});

test('no module uses the old name', () => {
  for (const f of ['src/price.js', 'src/invoice.js', 'src/receipt.js']) assert.doesNotMatch(readFileSync(f, 'utf8'), /fmtPrice/, f);
});
