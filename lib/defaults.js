'use strict'
// Process-wide defaults for the options a parser, router or parseAsync call
// does not give. Aedes (and other callers) create parsers with no options at
// all (`mqtt.parser()`), so the defaults can be changed without touching the
// caller:
//
//   MQTTWIRE_STRICT=0 node server.js          // read once, when mqttwire loads
//   require('mqttwire').defaults.strict = false   // read at each construction
//
// strict        true (default): strict by the MQTT specification (docs/strictness.md);
//               false: mqtt-packet's leniency (packet id 0, wildcards in PUBLISH
//               topics, U+0000, repeated / misplaced v5 properties, ...).
//               Env: MQTTWIRE_STRICT = 0 | false | no | off  or  1 | true | yes | on.
// maxPacketSize 0 (default): no limit beyond the spec's 268,435,460 bytes.
//
// Rust frames every read; there is no framer to choose. An `opts.framer` of
// 'native' (or none) is accepted and ignored; any other value is a TypeError.

function parseBoolEnv (name, value) {
  if (value === undefined || value === '') return undefined
  const v = String(value).trim().toLowerCase()
  if (v === '0' || v === 'false' || v === 'no' || v === 'off') return false
  if (v === '1' || v === 'true' || v === 'yes' || v === 'on') return true
  if (typeof process !== 'undefined' && typeof process.emitWarning === 'function') {
    process.emitWarning(`mqttwire: ignoring ${name}=${JSON.stringify(value)} (expected 0/1, false/true, no/yes or off/on)`)
  }
  return undefined
}

const env = typeof process !== 'undefined' && process.env ? process.env : {}
const envStrict = parseBoolEnv('MQTTWIRE_STRICT', env.MQTTWIRE_STRICT)

function checkStrict (v, where) {
  if (typeof v !== 'boolean') throw new TypeError(`mqttwire: ${where} must be a boolean`)
  return v
}

function checkMaxPacketSize (m, where) {
  if (m === undefined || m === null || m === 0) return 0
  if (typeof m !== 'number' || !(m > 0) || m > 0xFFFFFFFF) {
    throw new RangeError(`mqttwire: ${where} must be a positive number of bytes`)
  }
  return Math.floor(m)
}


const state = {
  strict: envStrict === undefined ? true : envStrict,
  maxPacketSize: 0
}

/** The defaults object (validated on assignment). */
const defaults = Object.seal(Object.create(Object.prototype, {
  strict: {
    enumerable: true,
    get () { return state.strict },
    set (v) { state.strict = checkStrict(v, 'defaults.strict') }
  },
  maxPacketSize: {
    enumerable: true,
    get () { return state.maxPacketSize },
    set (v) { state.maxPacketSize = checkMaxPacketSize(v, 'defaults.maxPacketSize') }
  }
}))

const isObj = (o) => o !== null && typeof o === 'object'

/** opts.strict, else defaults.strict. */
function readStrict (opts) {
  const v = isObj(opts) ? opts.strict : undefined
  if (v === undefined || v === null) return state.strict
  return checkStrict(v, 'opts.strict')
}

/** opts.maxPacketSize, else defaults.maxPacketSize (0 = no limit). */
function readMaxPacketSize (opts) {
  const m = isObj(opts) ? opts.maxPacketSize : undefined
  if (m === undefined || m === null) return state.maxPacketSize
  return checkMaxPacketSize(m, 'maxPacketSize')
}

/** Checks opts.framer: nothing or 'native' (ignored: Rust frames every read). */
function checkFramerOption (opts) {
  const f = isObj(opts) ? opts.framer : undefined
  if (f !== undefined && f !== null && f !== 'native') {
    throw new TypeError(`mqttwire: opts.framer ${JSON.stringify(f)} is not supported: Rust frames every read (omit the option, or pass 'native')`)
  }
}

module.exports = { defaults, readStrict, readMaxPacketSize, checkFramerOption, envStrict, parseBoolEnv }
