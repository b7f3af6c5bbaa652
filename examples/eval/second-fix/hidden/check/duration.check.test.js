'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { minutes } = require('../src/duration.js');

test('the criteria', () => {
  assert.strictEqual(minutes('10h5m'), 605);
  assert.strictEqual(minutes('0m'), 0);
  assert.throws(() => minutes('soon'), /soon/);
  assert.throws(() => minutes(''));
});
