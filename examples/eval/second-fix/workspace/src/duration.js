'use strict';

/** "1h30m" -> 90: a duration in hours and minutes, as minutes. */
function minutes(text) {
  throw new Error('not implemented');
}

module.exports = { minutes };
