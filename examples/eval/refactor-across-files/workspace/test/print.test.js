'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { invoiceLine } = require('../src/invoice.js');
const { receiptTotal } = require('../src/receipt.js');

test('an invoice line', () => {
  assert.strictEqual(invoiceLine({ name: 'desk', amount: 1234.5 }), 'desk: $1,234.50');
});

test('a receipt total', () => {
  assert.strictEqual(receiptTotal([{ amount: 1 }, { amount: 2.25 }]), 'Total $3.25');
});
