'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { slugify } = require('../src/slug.js');

test('punctuation and spaces collapse to one dash', () => {
  assert.strictEqual(slugify('Hello,  World!'), 'hello-world');
});

test('no dash at either end', () => {
  assert.strictEqual(slugify('  -- Spec Agent --  '), 'spec-agent');
});
