'use strict'
// The v5 PUBLISH properties the router delivers: one class with every PUBLISH
// property as a field set in the constructor (undefined when absent), so each
// packet's properties are one object of one hidden class. userProperties is
// built on first access, from the tape words of its pairs kept in hidden
// fields (strings are then cut from the chunk or from the call's arena string,
// as the parser does), and kept. Building it was half of the router's time on
// MQTT 5 PUBLISH (benches/README.md); a router that does not read it no
// longer pays for it, and one that does pays what it paid before.

const { inspect } = require('node:util')
const { buildProps, str, addPair, combine, ID, PFI, MEI, CT, RT, CD, SID, TA } = require('./build')
const { view } = require('./view')

const UP = ID.userProperties

// Hidden fields (symbol keys: not in Object.keys, for-in or JSON).
const [kBuf, kArena, kPairs, kUp, kK1, kK1w, kV1, kV1w, kK2, kK2w, kV2, kV2w] =
  ['buf', 'arena', 'pairs', 'userProperties', 'k1', 'k1w', 'v1', 'v1w', 'k2', 'k2w', 'v2', 'v2w']
    .map((name) => Symbol('mqttwire.' + name))

class PublishProperties {
  constructor (payloadFormatIndicator, messageExpiryInterval, contentType, responseTopic,
    correlationData, subscriptionIdentifier, topicAlias, userProperties,
    buf, A, pairs, k1, k1w, v1, v1w, k2, k2w, v2, v2w) {
    this.payloadFormatIndicator = payloadFormatIndicator
    this.messageExpiryInterval = messageExpiryInterval
    this.contentType = contentType
    this.responseTopic = responseTopic
    this.correlationData = correlationData
    this.subscriptionIdentifier = subscriptionIdentifier
    this.topicAlias = topicAlias
    // The user properties: built (kUp), or still to build from the tape words of
    // at most two pairs (kPairs of them; strings of buf or of the call's arena
    // string A). The second word of each string is kept as an int32 (`w | 0`):
    // with the ASCII bit (bit 31) set a uint32 would be a heap number.
    this[kUp] = userProperties
    this[kPairs] = pairs
    this[kBuf] = buf
    this[kArena] = A
    this[kK1] = k1
    this[kK1w] = k1w
    this[kV1] = v1
    this[kV1w] = v1w
    this[kK2] = k2
    this[kK2w] = k2w
    this[kV2] = v2
    this[kV2w] = v2w
  }

  /** The user properties (mqtt-packet's object: name -> value or array of values), or undefined. */
  get userProperties () {
    const n = this[kPairs]
    if (n === 0) return this[kUp]
    const buf = this[kBuf]
    const A = this[kArena]
    const up = Object.create(null)
    addPair(up, str(buf, A, this[kK1], this[kK1w]), str(buf, A, this[kV1], this[kV1w]))
    if (n === 2) addPair(up, str(buf, A, this[kK2], this[kK2w]), str(buf, A, this[kV2], this[kV2w]))
    this.userProperties = up
    return up
  }

  set userProperties (value) {
    this[kUp] = value
    this[kPairs] = 0
    this[kBuf] = null
    this[kArena] = ''
  }

  /** The plain object mqtt-packet's parser makes of the same properties (present ones only). */
  toObject () {
    const o = {}
    for (const k in this) {
      const v = this[k]
      if (v !== undefined) o[k] = v
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
// `userProperties` stays a non-enumerable accessor: an encoder that walks a
// properties object with for-in but writes only own properties (mqtt-packet
// does both) would otherwise count its bytes without writing them. Such code
// drops it instead; toObject() is for them (index.d.ts says so).

/**
 * The PublishProperties of the property block at T[i] of a PUBLISH record
 * (arguments as build.js buildProps), or undefined when there are none.
 * User properties: the words of the first two pairs are kept and the strings
 * made on first access; a third pair builds them all now.
 */
function publishProps (buf, T, i, A, ab, bo) {
  const n = T[i]
  if (n === 0) return undefined
  const start = i
  const end = i + 1 + n
  i++
  let pfi, mei, ct, rt, cd, sid, ta, up
  let pairs = 0
  let k1 = 0
  let k1w = 0
  let v1 = 0
  let v1w = 0
  let k2 = 0
  let k2w = 0
  let v2 = 0
  let v2w = 0
  while (i < end) {
    const id = T[i++]
    switch (id) {
      case PFI: if (pfi !== undefined) return oddProps(buf, T, start, A, ab, bo); pfi = T[i++] !== 0; break
      case MEI: if (mei !== undefined) return oddProps(buf, T, start, A, ab, bo); mei = T[i++]; break
      case CT: if (ct !== undefined) return oddProps(buf, T, start, A, ab, bo); ct = str(buf, A, T[i], T[i + 1]); i += 2; break
      case RT: if (rt !== undefined) return oddProps(buf, T, start, A, ab, bo); rt = str(buf, A, T[i], T[i + 1]); i += 2; break
      case CD: if (cd !== undefined) return oddProps(buf, T, start, A, ab, bo); cd = view(ab, bo + T[i], T[i + 1]); i += 2; break
      case SID: { const v = T[i++]; sid = sid === undefined ? v : combine(sid, v); break }
      case TA: if (ta !== undefined) return oddProps(buf, T, start, A, ab, bo); ta = T[i++]; break
      case UP:
        if (pairs === 0) {
          k1 = T[i]; k1w = T[i + 1] | 0; v1 = T[i + 2]; v1w = T[i + 3] | 0
          pairs = 1
        } else if (pairs === 1) {
          k2 = T[i]; k2w = T[i + 1] | 0; v2 = T[i + 2]; v2w = T[i + 3] | 0
          pairs = 2
        } else {
          if (pairs === 2) {
            up = Object.create(null)
            addPair(up, str(buf, A, k1, k1w), str(buf, A, v1, v1w))
            addPair(up, str(buf, A, k2, k2w), str(buf, A, v2, v2w))
            pairs = 3
          }
          addPair(up, str(buf, A, T[i], T[i + 1]), str(buf, A, T[i + 2], T[i + 3]))
        }
        i += 4
        break
      // a property PUBLISH may not carry (lenient mode only)
      default: return oddProps(buf, T, start, A, ab, bo)
    }
  }
  if (pairs === 3) pairs = 0
  return new PublishProperties(pfi, mei, ct, rt, cd, sid, ta, up, buf, A, pairs, k1, k1w, v1, v1w, k2, k2w, v2, v2w)
}

// Lenient mode let through a repeated property or one PUBLISH may not carry:
// the general builder's object, its fields copied to a PublishProperties
// (extra names become extra fields).
function oddProps (buf, T, start, A, ab, bo) {
  const o = buildProps(buf, T, start, A, ab, bo)
  const p = new PublishProperties(undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
    null, '', 0, 0, 0, 0, 0, 0, 0, 0, 0)
  for (const k in o) p[k] = o[k]
  return p
}

module.exports = { PublishProperties, publishProps }
