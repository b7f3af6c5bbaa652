'use strict';
const { fmtPrice } = require('./price.js');

function receiptTotal(items) {
  return `Total ${fmtPrice(items.reduce((s, i) => s + i.amount, 0))}`;
}

module.exports = { receiptTotal };
