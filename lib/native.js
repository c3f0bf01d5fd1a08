'use strict'
// Loads the native binding (../binding.js, written by the build) and picks a
// framer. The pure-JS framer is used only when asked for explicitly:
// `opts.framer = 'js'` or the environment variable MQTTWIRE_FRAMER=js.

const jsFramer = require('./js-framer')

let binding = null
let loadError = null
try {
  binding = require('../binding.js')
  if (typeof binding.frame !== 'function') {
    loadError = new Error('mqttwire: the native binding does not export frame()')
    binding = null
  }
} catch (err) {
  loadError = err
}

const envFramer = typeof process !== 'undefined' && process.env && process.env.MQTTWIRE_FRAMER

/**
 * The frame function for a framer name: 'native', 'js', or undefined (the
 * default: MQTTWIRE_FRAMER if set, else 'native').
 */
function selectFramer (name) {
  if (name === undefined || name === null || name === 'auto') name = envFramer || 'native'
  if (name === 'js') return jsFramer.frame
  if (name === 'native') {
    if (binding !== null) return binding.frame
    const err = new Error('mqttwire: the native binding could not be loaded (' +
      (loadError && loadError.message) + '); pass { framer: "js" } or set MQTTWIRE_FRAMER=js to use the pure-JS framer')
    err.code = 'MQTTWIRE_NO_BINDING'
    err.cause = loadError
    throw err
  }
  throw new TypeError('mqttwire: unknown framer ' + JSON.stringify(name) + " (expected 'native' or 'js')")
}

module.exports = {
  binding,
  loadError,
  hasNative: binding !== null,
  selectFramer,
  jsFrame: jsFramer.frame
}
