'use strict';

class Cart {
  constructor() {
    this.lines = [];
  }

  add(name, price, quantity = 1) {
    this.lines.push({ name, price, quantity });
  }

  total() {
    return this.lines.reduce((sum, l) => sum + l.price * l.quantity, 0);
  }
}

module.exports = { Cart };
