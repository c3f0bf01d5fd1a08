'use strict'
// Loads the native binding (../binding.js, written by the build) and frames
// with it: every read is framed and validated in Rust (node/src/lib.rs).

const { TAPE: { IN_START, IN_END, IN_CONFIG, IN_MAX, STATUS } } = require('./generated/protocol')

let binding = null
let loadError = null
try {
  binding = require('../binding.js')
  if (typeof binding.frame !== 'function' || typeof binding.frameInput !== 'function') {
    loadError = new Error('mqttwire: the native binding does not export frame() and frameInput()')
    binding = null
  }
} catch (err) {
  loadError = err
}

/** Bytes of the input area registered per thread. */
const INPUT_SIZE = 65536
// Reads of up to this many bytes are copied into the input area: the copy
// (~70 ns for 4 KiB, ~105 ns for 8 KiB, 1.6 us for 64 KiB) then costs less
// than the two argument conversions it saves (~95 ns; node bench/ops.js).
const COPY_MAX = 4096
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
 * The native framer; returns the status (T[STATUS]). The scalar inputs go in
 * the tape's first four words. With this module's tape and at most COPY_MAX
 * bytes to frame (ending within the input area), the bytes are copied into
 * the input area at the same offsets (so the tape's offsets index `buf` too)
 * and framed by a call with no argument; otherwise `buf` and `T` are passed
 * (two argument conversions, ~95 ns more).
 */
function makeNative (frameTape, frameInput, register) {
  return function nativeFrame (buf, start, end, config, max, T) {
    T[IN_START] = start
    T[IN_END] = end
    T[IN_CONFIG] = config
    T[IN_MAX] = max
    if (T === ownTape && end - start <= COPY_MAX && end <= INPUT_SIZE) {
      if (registered.tape !== T) {
        register(input, T)
        registered.tape = T
      }
      // A whole small read is copied whole, the bytes before `start` too:
      // cheaper than making a subarray (~40 ns).
      if (end === buf.length && (start === 0 || end <= COPY_MAX)) input.set(buf)
      else input.set(buf.subarray(start, end), start)
      frameInput()
    } else {
      frameTape(buf, T)
    }
    return T[STATUS]
  }
}
const nativeFrame = binding !== null ? makeNative(binding.frame, binding.frameInput, binding.register) : null

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
    'Build it from source with `npm run build` (needs Rust) or install the package for your ' +
    'platform; where no binary can exist, use mqtt-packet (pure JS, the same API).'
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
  registerTape,
  INPUT_SIZE,
  nativeFrame
}
