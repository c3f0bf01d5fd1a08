'use strict'
// Loads the native binding (../binding.js, written by the build) and frames
// with it: every read is framed and validated in Rust (node/src/lib.rs).

const { TAPE: { IN_START, IN_END, IN_CONFIG, IN_MAX, IN_HEAD, STATUS } } = require('./generated/protocol')

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

// This thread's input area (64 KiB) and tape (16,384 words), allocated by
// the addon for each thread (node/src/lib.rs init) and framed by
// frameInput(), which takes no argument; null where the addon could not make
// them (Node-API without external ArrayBuffers): every read then goes
// through frame(buf, T).
const input = binding !== null && binding.input instanceof Uint8Array ? binding.input : null
const tape = input !== null && binding.tape instanceof Uint32Array ? binding.tape : null
const INPUT_SIZE = input !== null ? input.length : 0
// Reads of up to this many bytes are copied into the input area: the copy
// (~70 ns for 4 KiB, ~105 ns for 8 KiB, 1.6 us for 64 KiB) then costs less
// than the two argument conversions it saves (~110 ns; node bench/ops.js).
// The area's tape holds the records of any read this size (Rust
// tests/proptest.rs: at most 3 words per byte).
const COPY_MAX = 4096
// Whether a parse is using the area's tape (lib/core.js: a 'packet' handler
// that parses meanwhile gets a tape of its own). Kept on the binding, which
// every copy of this module that loaded the same binding shares with it.
const areas = binding === null
  ? null
  : (binding.__mqttwireAreas || (binding.__mqttwireAreas = { busy: false }))

/**
 * The native framer; returns the status (T[STATUS]). The scalar inputs go in
 * the tape's first words. With the area's tape and at most COPY_MAX bytes
 * to frame, the bytes are copied into the input area at the same offsets
 * (so the tape's offsets index `buf` too) and framed by a call with no
 * argument; otherwise `buf` and `T` are passed (two argument conversions,
 * ~110 ns more).
 */
function makeNative (frameTape, frameInput) {
  function nativeFrame (buf, start, end, config, max, T) {
    T[IN_START] = start
    T[IN_END] = end
    T[IN_CONFIG] = config
    T[IN_MAX] = max
    if (T === tape && end - start <= COPY_MAX && end <= INPUT_SIZE) {
      T[IN_HEAD] = 0
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

  /**
   * Frame `head` (a packet that straddled reads, made whole) and then
   * `buf[start..buf.length)` in one call on the area's tape (Rust
   * tape::frame_after): the first record indexes `head`, the others `buf`.
   * Only with `head` and `buf` of at most COPY_MAX bytes each (lib/core.js
   * checks): `buf` is copied to the start of the input area and `head` right
   * after it. The area tape may then fill (FULL) on packets of a few bytes
   * each; lib/core.js goes on with a larger tape.
   */
  function nativeFrameAfter (head, buf, start, config, max) {
    const T = tape
    const end = buf.length
    T[IN_START] = start
    T[IN_END] = end
    T[IN_CONFIG] = config
    T[IN_MAX] = max
    T[IN_HEAD] = head.length
    input.set(buf)
    input.set(head, end)
    frameInput()
    return T[STATUS]
  }
  return { nativeFrame, nativeFrameAfter: tape !== null ? nativeFrameAfter : null }
}
const { nativeFrame, nativeFrameAfter } = binding !== null
  ? makeNative(binding.frame, binding.frameInput)
  : { nativeFrame: null, nativeFrameAfter: null }

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
  areas,
  tape,
  COPY_MAX,
  nativeFrame,
  nativeFrameAfter
}
