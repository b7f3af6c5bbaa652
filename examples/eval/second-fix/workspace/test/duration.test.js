'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { minutes } = require('../src/duration.js');

test('hours, minutes, both', () => {
  assert.strictEqual(minutes('2h'), 120);
  assert.strictEqual(minutes('45m'), 45);
  assert.strictEqual(minutes('1h30m'), 90);
});
