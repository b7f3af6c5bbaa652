'use strict';

/** "Hello, World!" -> "hello-world": lower case, words joined by one dash. */
function slugify(text) {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '-');
}

module.exports = { slugify };
