'use strict'
// Loads the native binding (../binding.js, written by the build) and picks a
// framer: 'auto' (the default) frames with Rust when the bytes to frame are at
// least AUTO_NATIVE_MIN, and with the pure-JS framer below that, where one
// Node-API call costs more than it saves (bench/run.js measures the crossover:
// see its "Crossover" table). Both framers write the same tape
// (__test__/tape-differential.test.js). 'native' and 'js' force one.

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

/** Bytes to frame from which one native call beats the JS framer (measured: bench/run.js --only cross). */
const AUTO_NATIVE_MIN = 0

/** Bytes of the input area registered per thread (a read of up to this many bytes is copied into it). */
const INPUT_SIZE = 65536
const input = new Uint8Array(INPUT_SIZE)
// This module's tape (lib/core.js's shared tape), framed through the input area.
let ownTape = null
// What the addon has registered for this thread, shared by every copy of
// this module that loaded the same binding object: a copy re-registers its
// own areas when another copy registered last.
const registered = binding === null
  ? null
  : (binding.__mqttwireRegistered || (binding.__mqttwireRegistered = { tape: null }))

/**
 * Make `T` the tape framed through the input area (node/src/lib.rs
 * `register` / `frameInput`). lib/core.js calls it for its shared tape, and
 * again when it replaces it.
 */
function registerTape (T) {
  ownTape = T
}

/**
 * The native framer; returns the status (T[0]). The scalar inputs go in the
 * tape's first four words. With this module's tape and `end <= INPUT_SIZE`,
 * the read is copied into the input area at the same offsets (so the tape's
 * offsets index `buf` too) and framed by a call with no argument; otherwise
 * `buf` and `T` are passed (two argument conversions, ~100 ns more).
 */
function makeNative (frameTape, frameInput, register) {
  return function nativeFrame (buf, start, end, config, max, T) {
    T[0] = start
    T[1] = end
    T[2] = config
    T[3] = max
    if (T === ownTape && end <= INPUT_SIZE) {
      if (registered.tape !== T) {
        register(input, T)
        registered.tape = T
      }
      if (start === 0 && end === buf.length) input.set(buf)
      else input.set(buf.subarray(start, end), start)
      frameInput()
    } else {
      frameTape(buf, T)
    }
    return T[0]
  }
}
const nativeFrame = binding !== null ? makeNative(binding.frame, binding.frameInput, binding.register) : null

function makeAuto (nativeFrame, jsFrame) {
  return function autoFrame (buf, start, end, config, max, T) {
    return end - start < AUTO_NATIVE_MIN
      ? jsFrame(buf, start, end, config, max, T)
      : nativeFrame(buf, start, end, config, max, T)
  }
}
const autoFrame = binding !== null ? makeAuto(nativeFrame, jsFramer.frame) : null

/**
 * The frame function for a framer name: 'auto', 'native', 'js', or undefined
 * (the default: MQTTWIRE_FRAMER if set, else 'auto').
 */
function selectFramer (name) {
  if (name === undefined || name === null) name = envFramer || 'auto'
  if (name === 'js') return jsFramer.frame
  if (name === 'native' || name === 'auto') {
    if (binding !== null) return name === 'auto' ? autoFrame : nativeFrame
    const err = new Error('mqttwire: the native binding could not be loaded (' +
      (loadError && loadError.message) + '); pass { framer: "js" } or set MQTTWIRE_FRAMER=js to use the pure-JS framer')
    err.code = 'MQTTWIRE_NO_BINDING'
    err.cause = loadError
    throw err
  }
  throw new TypeError('mqttwire: unknown framer ' + JSON.stringify(name) + " (expected 'auto', 'native' or 'js')")
}

/** The causes chained by the generated loader, innermost last, as lines. */
function causeLines (err) {
  const out = []
  for (let e = err; e && out.length < 20; e = e.cause) {
    const m = String(e.message || e).split('\n')[0]
    if (!out.includes(m)) out.push(m)
  }
  return out
}

/**
 * The error index.js throws when no native binary loads: names the platform,
 * what was tried, and the ways out.
 */
function loadFailure () {
  const platform = `${process.platform}-${process.arch}`
  const tried = causeLines(loadError)
  const err = new Error(
    `mqttwire: no native binary loads on ${platform} (Node ${process.version}). Tried the ` +
    'file mqttwire.<platform>.node beside the package and the optional package ' +
    `mqttwire-<platform>:\n  - ${tried.join('\n  - ')}\n` +
    'Build it from source with `npm run build` (needs Rust), install the package for your ' +
    'platform, or set MQTTWIRE_FRAMER=js to run on the pure-JS framer.'
  )
  err.code = 'MQTTWIRE_NO_BINDING'
  err.platform = platform
  err.tried = tried
  err.cause = loadError
  return err
}

module.exports = {
  loadFailure,
  binding,
  loadError,
  hasNative: binding !== null,
  selectFramer,
  AUTO_NATIVE_MIN,
  registerTape,
  INPUT_SIZE,
  nativeFrame,
  jsFrame: jsFramer.frame
}
