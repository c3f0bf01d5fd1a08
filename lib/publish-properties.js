'use strict'
// The v5 PUBLISH properties the router delivers: one class with every PUBLISH
// property as a field set in the constructor (undefined when absent), so each
// packet's properties are one object of one hidden class. userProperties is
// not built while framing: its getter decodes the pairs from the packet's
// bytes in the chunk on first access (the chunk stays alive anyway: the
// payload is a view of it) and keeps the result. Building the user
// properties object was half of the router's time on MQTT 5 PUBLISH
// (benches/README.md); a router that does not read them no longer pays it.

const { inspect } = require('node:util')
const { buildProps, str } = require('./build')
const { view } = require('./view')

const kBuf = Symbol('mqttwire.buf')
const kAt = Symbol('mqttwire.at')
const kUp = Symbol('mqttwire.userProperties')

class PublishProperties {
  constructor (payloadFormatIndicator, messageExpiryInterval, contentType, responseTopic,
    correlationData, subscriptionIdentifier, topicAlias, buf, at) {
    this.payloadFormatIndicator = payloadFormatIndicator
    this.messageExpiryInterval = messageExpiryInterval
    this.contentType = contentType
    this.responseTopic = responseTopic
    this.correlationData = correlationData
    this.subscriptionIdentifier = subscriptionIdentifier
    this.topicAlias = topicAlias
    this[kBuf] = buf // the buffer the packet was framed from
    this[kAt] = at // offset of the packet in it, -1 when there are no user properties to decode
    this[kUp] = undefined
  }

  /** The user properties (mqtt-packet's object: name -> value or array of values), or undefined. */
  get userProperties () {
    let up = this[kUp]
    if (up === undefined && this[kAt] >= 0) {
      up = decodeUserProperties(this[kBuf], this[kAt])
      this[kUp] = up
      this[kAt] = -1
    }
    return up
  }

  set userProperties (value) {
    this[kUp] = value
    this[kAt] = -1
  }

  /** The plain object mqtt-packet's parser makes of the same properties (present ones only). */
  toObject () {
    const o = {}
    for (const k in this) {
      const v = this[k]
      if (v !== undefined && k !== 'userProperties') o[k] = v
    }
    const up = this.userProperties
    if (up !== undefined) o.userProperties = up
    return o
  }

  toJSON () {
    return this.toObject()
  }

  [inspect.custom] (depth, options) {
    return 'PublishProperties ' + inspect(this.toObject(), Object.assign({}, options, { depth: options.depth === null ? null : options.depth - 1 }))
  }
}
// enumerable, so that `for (k in props)` and spreading code see it like the other fields
Object.defineProperty(PublishProperties.prototype, 'userProperties', { enumerable: true })

// mqtt-packet's rule for a repeated property: a falsy first value is overwritten.
function combine (cur, v) {
  if (!cur) return v
  if (Array.isArray(cur)) {
    cur.push(v)
    return cur
  }
  return [cur, v]
}

/**
 * The PublishProperties of the property block at T[i] of a PUBLISH record
 * (see build.js buildProps for the arguments; `at`: the packet's offset in
 * buf), or undefined when there are none.
 */
function publishProps (buf, T, i, A, ab, bo, at) {
  const n = T[i]
  if (n === 0) return undefined
  const start = i
  const end = i + 1 + n
  i++
  let pfi, mei, ct, rt, cd, sid, ta
  let up = -1
  while (i < end) {
    const id = T[i++]
    switch (id) {
      case 1: if (pfi !== undefined) return oddProps(buf, T, start, A, ab, bo, at); pfi = T[i++] !== 0; break
      case 2: if (mei !== undefined) return oddProps(buf, T, start, A, ab, bo, at); mei = T[i++]; break
      case 3: if (ct !== undefined) return oddProps(buf, T, start, A, ab, bo, at); ct = str(buf, A, T[i], T[i + 1]); i += 2; break
      case 8: if (rt !== undefined) return oddProps(buf, T, start, A, ab, bo, at); rt = str(buf, A, T[i], T[i + 1]); i += 2; break
      case 9: if (cd !== undefined) return oddProps(buf, T, start, A, ab, bo, at); cd = view(ab, bo + T[i], T[i + 1]); i += 2; break
      case 11: { const v = T[i++]; sid = sid === undefined ? v : combine(sid, v); break }
      case 35: if (ta !== undefined) return oddProps(buf, T, start, A, ab, bo, at); ta = T[i++]; break
      case 38: up = at; i += 4; break
      // a property PUBLISH may not carry (lenient mode only)
      default: return oddProps(buf, T, start, A, ab, bo, at)
    }
  }
  return new PublishProperties(pfi, mei, ct, rt, cd, sid, ta, buf, up)
}

// Lenient mode let through a repeated property or one PUBLISH may not carry:
// the general builder's object, its fields copied to a PublishProperties
// (extra names become extra fields).
function oddProps (buf, T, start, A, ab, bo, at) {
  const o = buildProps(buf, T, start, A, ab, bo)
  const p = new PublishProperties(undefined, undefined, undefined, undefined, undefined, undefined, undefined, buf, -1)
  for (const k in o) p[k] = o[k]
  return p
}

// Wire size class of each property id, for walking a property block.
const BYTE = 1
const INT16 = 2
const INT32 = 3
const VARINT = 4
const STRING = 5 // strings and binary data: two-byte length, then the bytes
const PAIR = 6
const SIZE = new Uint8Array(128)
for (const id of [1, 23, 25, 36, 37, 40, 41, 42]) SIZE[id] = BYTE
for (const id of [19, 33, 34, 35]) SIZE[id] = INT16
for (const id of [2, 17, 24, 39]) SIZE[id] = INT32
SIZE[11] = VARINT
for (const id of [3, 8, 9, 18, 21, 22, 26, 28, 31]) SIZE[id] = STRING
SIZE[38] = PAIR

/**
 * The user properties of the v5 PUBLISH at buf[at], already framed and
 * validated: mqtt-packet's object (names -> value, or array of values when a
 * name repeats), or undefined.
 */
function decodeUserProperties (buf, at) {
  const qos = (buf[at] >> 1) & 3
  let i = at + 1
  while (buf[i] >= 0x80) i++ // remaining length
  i++
  i += 2 + ((buf[i] << 8) | buf[i + 1]) // topic
  if (qos > 0) i += 2 // packet identifier
  let len = 0
  let mul = 1
  let b
  do {
    b = buf[i++]
    len += (b & 0x7F) * mul
    mul *= 128
  } while (b >= 0x80)
  const end = i + len
  let up
  while (i < end) {
    const id = buf[i++]
    switch (id < 128 ? SIZE[id] : 0) {
      case BYTE: i += 1; break
      case INT16: i += 2; break
      case INT32: i += 4; break
      case VARINT: while (buf[i++] >= 0x80); break
      case STRING: i += 2 + ((buf[i] << 8) | buf[i + 1]); break
      case PAIR: {
        const kl = (buf[i] << 8) | buf[i + 1]
        const k = buf.utf8Slice(i + 2, i + 2 + kl)
        i += 2 + kl
        const vl = (buf[i] << 8) | buf[i + 1]
        const v = buf.utf8Slice(i + 2, i + 2 + vl)
        i += 2 + vl
        if (up === undefined) up = Object.create(null)
        const cur = up[k]
        if (cur === undefined) up[k] = v
        else if (Array.isArray(cur)) cur.push(v)
        else up[k] = [cur, v]
        break
      }
      default: return up // not reached: the framer rejects unknown ids
    }
  }
  return up
}

module.exports = { PublishProperties, publishProps }
