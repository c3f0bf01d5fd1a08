'use strict'
// Error codes of the tape (T[NEED_OR_CODE] / T[ERROR_PARAM]) -> mqtt-packet-
// compatible Error objects. Every fact comes from the generated table
// (lib/generated/protocol.js, from src/error.rs ERRORS); this file only fills
// in a message template's holes, as ErrorKind::message does in Rust.

const { ERRORS, FIELDS, PACKET_NAMES, REQUIRED_FLAGS, PROPERTIES } = require('./generated/protocol')

/** Kind name -> code (ErrorKind::code). */
const E = {}
/** Code -> kind name. */
const KIND_NAMES = []
/** Code -> err.code ('MQTTWIRE_' + the kind in SCREAMING_SNAKE case). */
const CODE_STRINGS = []
for (let code = 1; code < ERRORS.length; code++) {
  const name = ERRORS[code].name
  E[name] = code
  KIND_NAMES[code] = name
  CODE_STRINGS[code] = 'MQTTWIRE_' + name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()
}

const PROPERTY_NAMES = []
for (const p of PROPERTIES) PROPERTY_NAMES[p.id] = p.name

/** The message of error `code` with parameter `param` (ErrorKind::message). */
function errorMessage (code, param) {
  const e = ERRORS[code]
  if (e === undefined || e === null) return 'Unknown mqttwire error ' + code
  const template = e.param === 'version' && e.messageV5 !== null && (param & 0xff) === 5 ? e.messageV5 : e.message
  const t = (e.param === 'propertyInPacket' ? param >>> 8 : param) & 0xf
  return template.replace(/\{(\w+)\}/g, (_, hole) => {
    switch (hole) {
      case 'packet': return PACKET_NAMES[t]
      case 'flags': return REQUIRED_FLAGS[t].toString(16)
      case 'field': return FIELDS[param & 0xff] ? FIELDS[param & 0xff][0] : 'unknown'
      case 'truncated': return FIELDS[param & 0xff] ? FIELDS[param & 0xff][1] : 'Packet too short'
      case 'property': return PROPERTY_NAMES[param & 0xff] || 'unknown'
      case 'max': return String(param >>> 0)
      default: return ''
    }
  })
}

/** The spec rule (ErrorKind::rule). */
function errorRule (code) {
  return ERRORS[code] ? ERRORS[code].rule : ''
}

/** Whether mqtt-packet 9.0.2 accepts input that produces this error code. */
function isStricter (code) {
  return ERRORS[code] ? ERRORS[code].stricter : false
}

/** Whether lenient mode (`strict: false`) accepts what gives this error code. */
function relaxedWhenLenient (code) {
  return ERRORS[code] ? ERRORS[code].lenient : false
}

/**
 * An Error with mqtt-packet's message and the extra properties
 * `code` ('MQTTWIRE_...'), `rule` (the spec statement) and `offset`
 * (byte offset of the offending byte in the chunk it was found in).
 */
function makeError (code, param, offset) {
  const err = new Error(errorMessage(code, param))
  err.code = CODE_STRINGS[code] || 'MQTTWIRE_UNKNOWN'
  err.rule = errorRule(code)
  err.offset = offset
  return err
}

module.exports = {
  E,
  KIND_NAMES,
  CODE_STRINGS,
  errorMessage,
  errorRule,
  isStricter,
  relaxedWhenLenient,
  makeError
}
