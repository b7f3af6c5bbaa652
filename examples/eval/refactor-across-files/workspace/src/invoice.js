'use strict';
const { fmtPrice } = require('./price.js');

function invoiceLine(item) {
  return `${item.name}: ${fmtPrice(item.amount)}`;
}

module.exports = { invoiceLine };
