'use strict'
// The framers every suite runs with: the pure-JS one always, the native one
// when ../../binding.js loads (skipped with a message otherwise).

const native = require('../../lib/native')

const FRAMERS = [{ name: 'js', skip: false }]
FRAMERS.push({
  name: 'native',
  skip: native.hasNative
    ? false
    : 'native binding not built (require("../binding.js") failed: ' +
      String(native.loadError && native.loadError.message).split('\n')[0] + ')'
})

// 'auto' (the default): Rust for large chunks, JS for small ones, mixed
// within one stream when chunk sizes vary.
FRAMERS.push({ name: 'auto', skip: FRAMERS[1].skip })

module.exports = { FRAMERS, native }
