'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { slugify } = require('../src/slug.js');

test('a single word is lower-cased', () => {
  assert.strictEqual(slugify('Hello'), 'hello');
});
