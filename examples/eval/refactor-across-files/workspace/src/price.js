'use strict';

/** 1234.5 -> "$1,234.50" */
function fmtPrice(amount) {
  return `$${amount.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

module.exports = { fmtPrice };
