'use strict'

// Single-buffer MQTT packet encoder shared by generate() and writeToStream().
//
// Every packet is encoded in two passes: a sizing pass that validates the
// packet and computes the exact number of bytes, then a writing pass into one
// freshly allocated Buffer. Validation order and error messages follow
// mqtt-packet 9.0.2 so that both libraries fail on the same inputs with the
// same message.
//
// encode() returns the Buffer, or throws a Refusal: the message (string) of
// the error to report, or null when the packet is dropped silently
// (mqtt-packet returns false without destroying the stream in a few cases,
// e.g. an empty userProperties object). Every refusal is found by the sizing
// pass, before anything is allocated or written.

const { Buffer } = require('buffer')
const { allocate, SLAB_MAX_PACKET } = require('./blocks')
const { PublishProperties } = require('./publish-properties')
const { PACKET_NAMES, REQUIRED_FLAGS, PROPERTIES: GENERATED_PROPERTIES } = require('./generated/protocol')

const EMPTY = Buffer.alloc(0)
const VARBYTEINT_MAX = 268435455

// What encode() throws for a packet it refuses: `message`, the error
// mqtt-packet reports, or null where mqtt-packet drops the packet silently.
class Refusal {
  constructor (message) {
    this.message = message
  }
}

// With encode()'s `out` (writeToStream's), a PUBLISH payload of at least this
// many bytes is not copied: the buffer returned ends before it and the payload
// is left in out.tail, to be written after it by reference (as mqtt-packet
// writes payloads).
const SPLIT_PAYLOAD = 512

// Strings up to this many chars are copied char by char in JS (copyChars),
// cheaper than the native writers; a PUBLISH topic that short is also taken
// as ASCII and checked while it is copied.
const SHORT_STRING = 48

// ---------------------------------------------------------------------------
// Tables

// Header bytes indexed [qos][dup][retain] like mqtt-packet's tables, so that
// an out-of-range qos fails the same way (TypeError on the lookup).
function headerTable (code) {
  const table = []
  for (let qos = 0; qos < 3; qos++) {
    table.push([0, 1].map(dup => [0, 1].map(retain =>
      (code << 4) | (dup ? 0x08 : 0) | (qos << 1) | retain)))
  }
  return table
}

const PUBLISH_HEADER = headerTable(3)
const SUBSCRIBE_HEADER = headerTable(8)
const UNSUBSCRIBE_HEADER = headerTable(10)

// cmd -> fixed header byte (type << 4 | the flags the spec requires)
const CONFIRMATION_HEADER = Object.create(null)
for (const cmd of ['puback', 'pubrec', 'pubrel', 'pubcomp']) {
  const t = PACKET_NAMES.indexOf(cmd)
  CONFIRMATION_HEADER[cmd] = (t << 4) | REQUIRED_FLAGS[t]
}

const SUBSCRIBE_OPTIONS_QOS = [0x00, 0x01, 0x02]
const SUBSCRIBE_OPTIONS_RH = [0x00, 0x10, 0x20]

const hasOwn = Object.prototype.hasOwnProperty

// Property wire types
const T_BYTE = 1 // boolean flag
const T_INT8 = 2
const T_INT16 = 3
const T_INT32 = 4
const T_VAR = 5 // variable byte integer
const T_STRING = 6
const T_BINARY = 7
const T_PAIR = 8 // user properties

// Property name -> { id, type }. A Map keeps unknown names ('toString',
// '__proto__', ...) unknown and is the cheapest lookup by dynamic key.
const PROPERTIES = new Map()

const TYPE_OF = { byte: T_BYTE, int8: T_INT8, int16: T_INT16, int32: T_INT32, var: T_VAR, string: T_STRING, binary: T_BINARY, pair: T_PAIR }
for (const p of GENERATED_PROPERTIES) PROPERTIES.set(p.name, { id: p.id, type: TYPE_OF[p.type] })

// Bits for the properties that may be dropped to honour maximumPacketSize
const SKIP_NONE = 0
const SKIP_REASON_STRING = 1
const SKIP_USER_PROPERTIES = 2
const SKIP_MASK = 3
// With the skip bits (PUBLISH only): strings of at most SHORT_STRING chars are
// taken as ASCII (size = length), copied by copyChars and checked as they are
// copied; a non-ASCII char makes the writers return -1 and PUBLISH is encoded
// again with exact UTF-8 sizes. Saves two native calls per string
// (Buffer.byteLength to size it, utf8Write to write it).
const SHORT_ASCII = 4

// ---------------------------------------------------------------------------
// Low level helpers

function isBuffer (value) {
  return value instanceof Buffer
}

// Number of bytes of an MQTT variable byte integer (mirrors the encoder loop,
// including its handling of non-integer input).
function varIntSize (num) {
  let size = 0
  do {
    num = num / 128 | 0
    size++
  } while (num > 0 && size < 4)
  return size
}

function writeVarInt (buf, off, num) {
  let count = 0
  do {
    let digit = num % 128 | 0
    num = num / 128 | 0
    if (num > 0) digit |= 0x80
    buf[off++] = digit
    count++
  } while (num > 0 && count < 4)
  return off
}

function isMessageId (id) {
  return id >= 0 && id <= 0xffff && id % 1 === 0
}

// Writes a length-prefixed UTF-8 string whose byte length is `size`.
function writeSizedString (buf, off, str, size) {
  buf[off] = size >>> 8
  buf[off + 1] = size & 0xff
  off += 2
  if (size === str.length) {
    // pure ASCII: short strings are cheaper to copy here than through the
    // native string writers
    if (size <= SHORT_STRING) copyChars(buf, off, str, size)
    else buf.latin1Write(str, off, size)
  } else {
    buf.utf8Write(str, off, size)
  }
  return off + size
}

// Copies the first `size` chars of `str` into `buf` at `off`, one byte each,
// four per loop step (fewer loop tests per char; bench: 25-char topics
// 88 -> 63-85 ns). Returns the chars ORed together: < 0x80 if all were ASCII.
function copyChars (buf, off, str, size) {
  let bits = 0
  let i = 0
  for (; i + 4 <= size; i += 4) {
    const c0 = str.charCodeAt(i)
    const c1 = str.charCodeAt(i + 1)
    const c2 = str.charCodeAt(i + 2)
    const c3 = str.charCodeAt(i + 3)
    bits |= c0 | c1 | c2 | c3
    buf[off + i] = c0
    buf[off + i + 1] = c1
    buf[off + i + 2] = c2
    buf[off + i + 3] = c3
  }
  for (; i < size; i++) {
    const c = str.charCodeAt(i)
    bits |= c
    buf[off + i] = c
  }
  return bits
}

// Writes a length-prefixed string of at most SHORT_STRING chars taken to be ASCII (one
// byte a char): returns the offset after it, or -1 if a char is not ASCII
// (the caller then encodes again with the UTF-8 length). Checking while
// copying saves Buffer.byteLength's native call (bench: 25-char topics
// 140-158 -> 87-96 ns for length + copy).
function writeAsciiString (buf, off, str) {
  const size = str.length
  buf[off] = 0
  buf[off + 1] = size
  return copyChars(buf, off + 2, str, size) < 0x80 ? off + 2 + size : -1
}

// Writes a length-prefixed UTF-8 string (byte length computed here).
function writeString (buf, off, str) {
  return writeSizedString(buf, off, str, Buffer.byteLength(str))
}

function writeBytes (buf, off, bytes) {
  const size = bytes.length
  buf[off] = size >>> 8
  buf[off + 1] = size & 0xff
  buf.set(bytes, off + 2)
  return off + 2 + size
}

function writeUInt16 (buf, off, value) {
  buf[off] = value >>> 8
  buf[off + 1] = value & 0xff
  return off + 2
}

// ---------------------------------------------------------------------------
// Properties

function invalidProperty (name, value) {
  return new Refusal(`Invalid ${name}: ${value}`)
}

// Size of one property value (identifier byte included).
function propertySize (name, desc, value, ascii) {
  switch (desc === undefined ? 0 : desc.type) {
    case T_BYTE:
      if (typeof value !== 'boolean') throw invalidProperty(name, value)
      return 2
    case T_INT8:
      if (typeof value !== 'number' || value < 0 || value > 0xff) throw invalidProperty(name, value)
      return 2
    case T_INT16:
      if (typeof value !== 'number' || !isMessageId(value)) throw invalidProperty(name, value)
      return 3
    case T_INT32:
      if (typeof value !== 'number' || value < 0 || value > 0xffffffff) throw invalidProperty(name, value)
      return 5
    case T_VAR:
      if (typeof value !== 'number' || value < 0 || value > 0x0fffffff) throw invalidProperty(name, value)
      return 1 + varIntSize(value)
    case T_STRING: {
      if (typeof value !== 'string') throw invalidProperty(name, value)
      const size = stringSize(value, ascii)
      if (size > 0xffff) throw invalidProperty(name, value)
      return 3 + size
    }
    case T_BINARY: {
      let size
      if (typeof value === 'string') {
        size = Buffer.byteLength(value)
      } else if (value instanceof Uint8Array) {
        size = value.length
      } else {
        // Throws the same TypeError as mqtt-packet for unsupported types
        Buffer.byteLength(value)
        throw invalidProperty(name, value)
      }
      if (size > 0xffff) throw invalidProperty(name, value)
      return 3 + size
    }
    case T_PAIR:
      return userPropertiesSize(name, value, ascii)
    default:
      throw new Refusal(`Invalid property ${name}: ${value}`)
  }
}

// UTF-8 size of a property string, or its length if `ascii` and it is short
// (see SHORT_ASCII).
function stringSize (str, ascii) {
  return ascii && str.length <= SHORT_STRING ? str.length : Buffer.byteLength(str)
}

function userPropertiesSize (name, pairs, ascii) {
  if (typeof pairs !== 'object') throw invalidProperty(name, pairs)
  const keys = Object.getOwnPropertyNames(pairs)
  let total = 0
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]
    const keySize = stringSize(key, ascii)
    if (keySize > 0xffff) throw invalidProperty(name, pairs)
    const current = pairs[key]
    if (Array.isArray(current)) {
      for (let j = 0; j < current.length; j++) {
        const valueSize = stringSize(current[j].toString(), ascii)
        if (valueSize > 0xffff) throw invalidProperty(name, pairs)
        total += 5 + keySize + valueSize
      }
    } else {
      const valueSize = stringSize(current.toString(), ascii)
      if (valueSize > 0xffff) throw invalidProperty(name, pairs)
      total += 5 + keySize + valueSize
    }
  }
  if (total === 0) throw new Refusal(null) // no entries: mqtt-packet drops the packet
  return total
}

function usesProperties (props) {
  return props !== null && typeof props === 'object' && props.length == null
}

function isSkipped (name, skip) {
  return ((skip & SKIP_REASON_STRING) !== 0 && name === 'reasonString') ||
    ((skip & SKIP_USER_PROPERTIES) !== 0 && name === 'userProperties')
}

// Size of the property block body (without its length prefix).
function propertiesSize (props, skip) {
  if (!usesProperties(props)) return 0
  const ascii = (skip & SHORT_ASCII) !== 0
  skip &= SKIP_MASK
  let total = 0
  for (const name in props) {
    if (!hasOwn.call(props, name)) continue
    const value = props[name]
    if (value === undefined) continue
    if (skip !== SKIP_NONE && isSkipped(name, skip)) continue
    total += entrySize(name, value, ascii)
  }
  // the router's PublishProperties: userProperties is an accessor of its class
  if (props instanceof PublishProperties && (skip & SKIP_USER_PROPERTIES) === 0) {
    const up = props.userProperties
    if (up !== undefined) total += entrySize('userProperties', up, ascii)
  }
  return total
}

// Size of one property (or of each value of an array of them).
function entrySize (name, value, ascii) {
  const desc = PROPERTIES.get(name)
  if (Array.isArray(value)) {
    let size = 0
    for (let i = 0; i < value.length; i++) size += propertySize(name, desc, value[i], ascii)
    if (size === 0) throw new Refusal(null) // an empty array: mqtt-packet drops the packet
    return size
  }
  return propertySize(name, desc, value, ascii)
}

// Writes a property string sized by stringSize(str, ascii); -1 when a string
// taken as ASCII is not (see SHORT_ASCII).
function writePropertyString (buf, off, str, ascii) {
  if (!ascii || str.length > SHORT_STRING) return writeString(buf, off, str)
  return writeAsciiString(buf, off, str)
}

// Writes one property; returns the offset after it, or -1 as writePropertyString.
function writeProperty (buf, off, desc, value, ascii) {
  const id = desc.id
  switch (desc.type) {
    case T_BYTE:
      buf[off] = id
      buf[off + 1] = +value
      return off + 2
    case T_INT8:
      buf[off] = id
      buf[off + 1] = value
      return off + 2
    case T_INT16:
      buf[off] = id
      return writeUInt16(buf, off + 1, value)
    case T_INT32:
      buf[off] = id
      buf[off + 4] = value
      value = value >>> 8
      buf[off + 3] = value
      value = value >>> 8
      buf[off + 2] = value
      value = value >>> 8
      buf[off + 1] = value
      return off + 5
    case T_VAR:
      buf[off] = id
      return writeVarInt(buf, off + 1, value)
    case T_STRING:
      buf[off] = id
      return writePropertyString(buf, off + 1, value, ascii)
    case T_BINARY:
      buf[off] = id
      if (typeof value === 'string') return writeString(buf, off + 1, value)
      return writeBytes(buf, off + 1, value)
    default: { // T_PAIR
      const keys = Object.getOwnPropertyNames(value)
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]
        const current = value[key]
        if (Array.isArray(current)) {
          for (let j = 0; j < current.length; j++) {
            buf[off] = id
            off = writePropertyString(buf, off + 1, key, ascii)
            if (off < 0) return -1
            off = writePropertyString(buf, off, current[j].toString(), ascii)
            if (off < 0) return -1
          }
        } else {
          buf[off] = id
          off = writePropertyString(buf, off + 1, key, ascii)
          if (off < 0) return -1
          off = writePropertyString(buf, off, current.toString(), ascii)
          if (off < 0) return -1
        }
      }
      return off
    }
  }
}

// Writes the property block (length prefix + body) sized by propertiesSize;
// -1 as writePropertyString.
function writeProperties (buf, off, props, skip, size) {
  off = writeVarInt(buf, off, size)
  if (size === 0) return off
  const ascii = (skip & SHORT_ASCII) !== 0
  skip &= SKIP_MASK
  for (const name in props) {
    if (!hasOwn.call(props, name)) continue
    const value = props[name]
    if (value == null) continue
    if (skip !== SKIP_NONE && isSkipped(name, skip)) continue
    off = writeEntry(buf, off, name, value, ascii)
    if (off < 0) return -1
  }
  if (props instanceof PublishProperties && (skip & SKIP_USER_PROPERTIES) === 0) {
    const up = props.userProperties
    if (up !== undefined) off = writeEntry(buf, off, 'userProperties', up, ascii)
  }
  return off
}

function writeEntry (buf, off, name, value, ascii) {
  const desc = PROPERTIES.get(name)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && off >= 0; i++) off = writeProperty(buf, off, desc, value[i], ascii)
    return off
  }
  return writeProperty(buf, off, desc, value, ascii)
}

// Properties of acknowledgement-like packets: reasonString then
// userProperties are dropped while the packet would exceed the
// maximumPacketSize found in opts.properties (compared, as mqtt-packet does,
// against the remaining length). Returns the skip mask to use and the size of
// the property block, packed: skipOf(r), propsSizeOf(r).
function ackProperties (props, opts, length) {
  let size = propertiesSize(props, SKIP_NONE)
  const maximum = opts && opts.properties && opts.properties.maximumPacketSize
    ? opts.properties.maximumPacketSize
    : 0
  let skip = SKIP_NONE
  if (maximum) {
    while (length + size + varIntSize(size) > maximum) {
      let next
      if (skip === SKIP_NONE) next = 'reasonString'
      else if (skip === SKIP_REASON_STRING) next = 'userProperties'
      else next = null
      // nothing left to drop: mqtt-packet drops the packet
      if (next === null || !usesProperties(props) || !props[next]) throw new Refusal(null)
      skip |= next === 'reasonString' ? SKIP_REASON_STRING : SKIP_USER_PROPERTIES
      size = propertiesSize(props, skip)
    }
  }
  return skip | (size << 2)
}

// What ackProperties returned: the skip mask and the property block's size.
const skipOf = (r) => r & SKIP_MASK
const propsSizeOf = (r) => r >>> 2

// Bytes of the fixed header of a packet with this remaining length.
function headerSize (length) {
  return 1 + (length < 128 ? 1 : length < 16384 ? 2 : length < 2097152 ? 3 : 4)
}

// Start of a packet: fixed header byte + remaining length (the body starts at
// headerSize(length)). Refuses a remaining length too big to encode.
function allocPacket (header, length, omit = 0) {
  if (length > VARBYTEINT_MAX) throw new Refusal(`Invalid variable byte integer: ${length}`)
  const buf = allocate(headerSize(length) + length - omit)
  buf[0] = header
  writeVarInt(buf, 1, length)
  return buf
}

function protocolVersionOf (opts) {
  return opts ? opts.protocolVersion : 4
}

// ---------------------------------------------------------------------------
// Packets

function connect (packet) {
  const settings = packet || {}
  const protocolId = settings.protocolId || 'MQTT'
  const version = settings.protocolVersion || 4
  const will = settings.will
  let clean = settings.clean
  const keepalive = settings.keepalive || 0
  const clientId = settings.clientId || ''
  const username = settings.username
  const password = settings.password
  const properties = settings.properties

  if (clean === undefined) clean = true

  let length = 0

  if (!protocolId || (typeof protocolId !== 'string' && !isBuffer(protocolId))) {
    throw new Refusal('Invalid protocolId')
  }
  const protocolIdSize = typeof protocolId === 'string' ? Buffer.byteLength(protocolId) : protocolId.length
  if (protocolIdSize > 0xffff) throw new Refusal('Invalid protocolId')
  length += protocolIdSize + 2

  if (version !== 3 && version !== 4 && version !== 5) throw new Refusal('Invalid protocol version')
  length += 1

  const clientIdIsValid = typeof clientId === 'string' || isBuffer(clientId)
  if (!(clientIdIsValid && (clientId || version >= 4) && (clientId || clean))) {
    if (version < 4) throw new Refusal('clientId must be supplied before 3.1.1')
    if ((clean * 1) === 0) throw new Refusal('clientId must be given if cleanSession set to 0')
    if (!clientIdIsValid) throw new Refusal('Invalid clientId')
  }
  const clientIdSize = Buffer.byteLength(clientId)
  if (clientIdSize > 0xffff) throw new Refusal('Invalid clientId')
  length += clientIdSize + 2

  if (typeof keepalive !== 'number' || keepalive < 0 || keepalive > 65535 || keepalive % 1 !== 0) {
    throw new Refusal('Invalid keepalive')
  }
  length += 2

  length += 1 // connect flags

  let propsSize = 0
  if (version === 5) {
    propsSize = propertiesSize(properties, SKIP_NONE)
    length += varIntSize(propsSize) + propsSize
  }

  let willTopicSize = 0
  let willPayload = null
  let willPropsSize = 0
  if (will) {
    if (typeof will !== 'object') throw new Refusal('Invalid will')
    if (!will.topic || typeof will.topic !== 'string') throw new Refusal('Invalid will topic')
    willTopicSize = Buffer.byteLength(will.topic)
    if (willTopicSize > 0xffff) throw new Refusal('Invalid will topic')
    length += willTopicSize + 2

    length += 2
    willPayload = will.payload
    if (willPayload) {
      if (!(willPayload.length >= 0)) throw new Refusal('Invalid will payload')
      let payloadSize
      if (typeof willPayload === 'string') payloadSize = Buffer.byteLength(willPayload)
      else if (willPayload instanceof Uint8Array) payloadSize = willPayload.length
      else throw new Refusal('Invalid will payload')
      if (payloadSize > 0xffff) throw new Refusal('Invalid will payload')
      length += payloadSize
    }

    if (version === 5) {
      willPropsSize = propertiesSize(will.properties, SKIP_NONE)
      length += varIntSize(willPropsSize) + willPropsSize
    }
  }

  let usernameSize = 0
  if (username != null) {
    if (typeof username !== 'string' && !isBuffer(username)) throw new Refusal('Invalid username')
    usernameSize = Buffer.byteLength(username)
    if (usernameSize > 0xffff) throw new Refusal('Invalid username')
    length += usernameSize + 2
  }

  let passwordSize = 0
  if (password != null) {
    if (username == null) throw new Refusal('Username is required to use password')
    if (typeof password !== 'string' && !isBuffer(password)) throw new Refusal('Invalid password')
    passwordSize = Buffer.byteLength(password)
    if (passwordSize > 0xffff) throw new Refusal('Invalid password')
    length += passwordSize + 2
  }

  const buf = allocPacket(0x10, length)
  let off = headerSize(length)

  if (typeof protocolId === 'string') off = writeSizedString(buf, off, protocolId, protocolIdSize)
  else off = writeBytes(buf, off, protocolId)

  buf[off++] = settings.bridgeMode ? version + 128 : version

  let flags = 0
  if (username != null) flags |= 0x80
  if (password != null) flags |= 0x40
  if (will && will.retain) flags |= 0x20
  if (will && will.qos) flags |= will.qos << 3
  if (will) flags |= 0x04
  if (clean) flags |= 0x02
  buf[off++] = flags

  off = writeUInt16(buf, off, keepalive)

  if (version === 5) off = writeProperties(buf, off, properties, SKIP_NONE, propsSize)

  if (typeof clientId === 'string') off = writeSizedString(buf, off, clientId, clientIdSize)
  else off = writeBytes(buf, off, clientId)

  if (will) {
    if (version === 5) off = writeProperties(buf, off, will.properties, SKIP_NONE, willPropsSize)
    off = writeSizedString(buf, off, will.topic, willTopicSize)
    if (!willPayload) off = writeUInt16(buf, off, 0)
    else if (typeof willPayload === 'string') off = writeString(buf, off, willPayload)
    else off = writeBytes(buf, off, willPayload)
  }

  if (username != null) {
    if (typeof username === 'string') off = writeSizedString(buf, off, username, usernameSize)
    else off = writeBytes(buf, off, username)
  }
  if (password != null) {
    if (typeof password === 'string') off = writeSizedString(buf, off, password, passwordSize)
    else off = writeBytes(buf, off, password)
  }

  return buf
}

function connack (packet, opts) {
  const version = protocolVersionOf(opts)
  const settings = packet || {}
  const rc = version === 5 ? settings.reasonCode : settings.returnCode
  const properties = settings.properties
  let length = 2

  if (typeof rc !== 'number') throw new Refusal('Invalid return code')

  let propsSize = 0
  if (version === 5) {
    propsSize = propertiesSize(properties, SKIP_NONE)
    length += varIntSize(propsSize) + propsSize
  }

  const buf = allocPacket(0x20, length)
  let off = headerSize(length)
  buf[off++] = settings.sessionPresent ? 1 : 0
  buf[off++] = rc
  if (version === 5) writeProperties(buf, off, properties, SKIP_NONE, propsSize)
  return buf
}

// out: leave a large Buffer payload in out.tail (see SPLIT_PAYLOAD).
// exact: UTF-8 lengths of the topic and of property strings are computed up
// front (set when the optimistic ASCII pass found a non-ASCII char, and for
// packets too large to encode twice).
function publish (packet, opts, out, exact) {
  const version = opts ? opts.protocolVersion : 4
  const settings = packet || {}
  const qos = settings.qos || 0
  const topic = settings.topic
  let payload = settings.payload || EMPTY
  const id = settings.messageId
  const properties = settings.properties

  let topicSize
  let asciiTopic = false
  if (typeof topic === 'string') {
    // a short topic is taken as ASCII and checked as it is copied
    if (topic.length <= SHORT_STRING && exact !== true) {
      topicSize = topic.length
      asciiTopic = true
    } else {
      topicSize = Buffer.byteLength(topic)
    }
  } else if (isBuffer(topic)) topicSize = topic.length
  else throw new Refusal('Invalid topic')
  if (topicSize > 0xffff) throw new Refusal('Invalid topic')
  let length = topicSize + 2

  let payloadIsString = false
  if (typeof payload === 'string') {
    payloadIsString = true
    length += Buffer.byteLength(payload)
  } else if (payload instanceof Uint8Array) {
    length += payload.length
  } else {
    length += Buffer.byteLength(payload) // throws like mqtt-packet for bad types
    payload = ArrayBuffer.isView(payload)
      ? new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)
      : new Uint8Array(payload)
  }

  if (qos && (typeof id !== 'number' || !isMessageId(id))) throw new Refusal('Invalid messageId')
  const hasId = qos > 0
  if (hasId) length += 2

  let propsSize = 0
  if (version === 5) {
    propsSize = propertiesSize(properties, exact === true ? SKIP_NONE : SHORT_ASCII)
    length += varIntSize(propsSize) + propsSize
  }

  // qos 0-2 (the numbers): the header computed; anything else through the
  // table, which fails (or accepts '1') exactly as mqtt-packet's does
  const header = (qos === 0 || qos === 1 || qos === 2)
    ? 0x30 | (qos << 1) | (settings.dup ? 8 : 0) | (settings.retain ? 1 : 0)
    : PUBLISH_HEADER[qos][settings.dup ? 1 : 0][settings.retain ? 1 : 0]

  // a large packet whose sizes took strings as ASCII: measured exactly now (a
  // second pass would cost a large allocation, and the size limit is checked
  // on the exact length)
  if (length > SLAB_MAX_PACKET && (asciiTopic || propsSize > 0) && exact !== true) return publish(packet, opts, out, true)

  const tail = out !== null && payload.length >= SPLIT_PAYLOAD && isBuffer(payload)
  const buf = allocPacket(header, length, tail ? payload.length : 0)
  let off = headerSize(length)

  if (asciiTopic) {
    off = writeAsciiString(buf, off, topic)
    if (off < 0) return publish(packet, opts, out, true)
  } else if (typeof topic === 'string') {
    off = writeSizedString(buf, off, topic, topicSize)
  } else {
    off = writeBytes(buf, off, topic)
  }

  if (hasId) {
    buf[off] = id >>> 8
    buf[off + 1] = id & 0xff
    off += 2
  }

  if (version === 5) {
    off = writeProperties(buf, off, properties, exact === true ? SKIP_NONE : SHORT_ASCII, propsSize)
    if (off < 0) return publish(packet, opts, out, true)
  }

  if (tail) out.tail = payload
  else if (payloadIsString) buf.utf8Write(payload, off, buf.length - off)
  else if (payload.length !== 0) buf.set(payload, off)
  return buf
}

// puback, pubrec, pubrel, pubcomp
function confirmation (packet, opts) {
  const version = protocolVersionOf(opts)
  const settings = packet || {}
  const header = CONFIRMATION_HEADER[settings.cmd || 'puback']
  const id = settings.messageId
  const reasonCode = settings.reasonCode
  const properties = settings.properties

  if (typeof id !== 'number' || !isMessageId(id)) throw new Refusal('Invalid messageId')

  let length = 2
  let withProps = false
  let skip = SKIP_NONE
  let propsSize = 0
  if (version === 5) {
    length = 3
    if (properties !== null && typeof properties === 'object') {
      const r = ackProperties(properties, opts, length)
      withProps = true
      skip = skipOf(r)
      propsSize = propsSizeOf(r)
      length += varIntSize(propsSize) + propsSize
    } else if (reasonCode !== 0) {
      // reason code followed by an empty property block
      length = 4
    } else {
      // success without properties: the short form
      length = 2
    }
  }

  const buf = allocPacket(header, length)
  let off = writeUInt16(buf, headerSize(length), id)
  if (length > 2) {
    buf[off++] = reasonCode
    if (withProps) writeProperties(buf, off, properties, skip, propsSize)
    else buf[off] = 0
  }
  return buf
}

function subscribe (packet, opts) {
  const version = protocolVersionOf(opts)
  const settings = packet || {}
  const id = settings.messageId
  const subs = settings.subscriptions
  const properties = settings.properties

  if (typeof id !== 'number' || !isMessageId(id)) throw new Refusal('Invalid messageId')
  let length = 2

  let propsSize = 0
  if (version === 5) {
    propsSize = propertiesSize(properties, SKIP_NONE)
    length += varIntSize(propsSize) + propsSize
  }

  if (!(typeof subs === 'object' && subs.length)) throw new Refusal('Invalid subscriptions')
  for (let i = 0; i < subs.length; i++) {
    const topic = subs[i].topic
    const qos = subs[i].qos
    if (typeof topic !== 'string') throw new Refusal('Invalid subscriptions - invalid topic')
    if (typeof qos !== 'number') throw new Refusal('Invalid subscriptions - invalid qos')
    if (version === 5) {
      if (typeof (subs[i].nl || false) !== 'boolean') throw new Refusal('Invalid subscriptions - invalid No Local')
      if (typeof (subs[i].rap || false) !== 'boolean') throw new Refusal('Invalid subscriptions - invalid Retain as Published')
      const rh = subs[i].rh || 0
      if (typeof rh !== 'number' || rh > 2) throw new Refusal('Invalid subscriptions - invalid Retain Handling')
    }
    const topicSize = Buffer.byteLength(topic)
    if (topicSize > 0xffff) throw new Refusal('Invalid subscriptions - invalid topic')
    length += topicSize + 3
  }

  const buf = allocPacket(SUBSCRIBE_HEADER[1][settings.dup ? 1 : 0][0], length)
  let off = writeUInt16(buf, headerSize(length), id)
  if (version === 5) off = writeProperties(buf, off, properties, SKIP_NONE, propsSize)

  for (let i = 0; i < subs.length; i++) {
    const sub = subs[i]
    off = writeString(buf, off, sub.topic)
    let options = SUBSCRIBE_OPTIONS_QOS[sub.qos]
    if (version === 5) {
      options |= +sub.nl ? 0x04 : 0
      options |= +sub.rap ? 0x08 : 0
      options |= sub.rh ? SUBSCRIBE_OPTIONS_RH[sub.rh] : 0
    }
    buf[off++] = options
  }
  return buf
}

function grantedSize (granted) {
  if (!(typeof granted === 'object' && granted.length)) return -1
  for (let i = 0; i < granted.length; i++) {
    if (typeof granted[i] !== 'number') return -1
  }
  return granted.length
}

function writeGranted (buf, off, granted) {
  for (let i = 0; i < granted.length; i++) buf[off++] = granted[i]
  return off
}

function suback (packet, opts) {
  const version = protocolVersionOf(opts)
  const settings = packet || {}
  const id = settings.messageId
  const granted = settings.granted
  const properties = settings.properties

  if (typeof id !== 'number' || !isMessageId(id)) throw new Refusal('Invalid messageId')
  const count = grantedSize(granted)
  if (count < 0) throw new Refusal('Invalid qos vector')
  let length = 2 + count

  let skip = SKIP_NONE
  let propsSize = 0
  if (version === 5) {
    const r = ackProperties(properties, opts, length)
    skip = skipOf(r)
    propsSize = propsSizeOf(r)
    length += varIntSize(propsSize) + propsSize
  }

  const buf = allocPacket(0x90, length)
  let off = writeUInt16(buf, headerSize(length), id)
  if (version === 5) off = writeProperties(buf, off, properties, skip, propsSize)
  writeGranted(buf, off, granted)
  return buf
}

function unsubscribe (packet, opts) {
  const version = protocolVersionOf(opts)
  const settings = packet || {}
  const id = settings.messageId
  const unsubs = settings.unsubscriptions
  const properties = settings.properties

  if (typeof id !== 'number' || !isMessageId(id)) throw new Refusal('Invalid messageId')
  let length = 2

  if (!(typeof unsubs === 'object' && unsubs.length)) throw new Refusal('Invalid unsubscriptions')
  for (let i = 0; i < unsubs.length; i++) {
    if (typeof unsubs[i] !== 'string') throw new Refusal('Invalid unsubscriptions')
    const size = Buffer.byteLength(unsubs[i])
    if (size > 0xffff) throw new Refusal('Invalid unsubscriptions')
    length += size + 2
  }

  let propsSize = 0
  if (version === 5) {
    propsSize = propertiesSize(properties, SKIP_NONE)
    length += varIntSize(propsSize) + propsSize
  }

  const buf = allocPacket(UNSUBSCRIBE_HEADER[1][settings.dup ? 1 : 0][0], length)
  let off = writeUInt16(buf, headerSize(length), id)
  if (version === 5) off = writeProperties(buf, off, properties, SKIP_NONE, propsSize)
  for (let i = 0; i < unsubs.length; i++) off = writeString(buf, off, unsubs[i])
  return buf
}

function unsuback (packet, opts) {
  const version = protocolVersionOf(opts)
  const settings = packet || {}
  const id = settings.messageId
  const granted = settings.granted
  const properties = settings.properties

  if (typeof id !== 'number' || !isMessageId(id)) throw new Refusal('Invalid messageId')
  let length = 2

  let skip = SKIP_NONE
  let propsSize = 0
  if (version === 5) {
    const count = grantedSize(granted)
    if (count < 0) throw new Refusal('Invalid qos vector')
    length += count
    const r = ackProperties(properties, opts, length)
    skip = skipOf(r)
    propsSize = propsSizeOf(r)
    length += varIntSize(propsSize) + propsSize
  }

  const buf = allocPacket(0xb0, length)
  let off = writeUInt16(buf, headerSize(length), id)
  if (version === 5) {
    off = writeProperties(buf, off, properties, skip, propsSize)
    writeGranted(buf, off, granted)
  }
  return buf
}

function emptyPacket (header) {
  const buf = allocate(2)
  buf[0] = header
  buf[1] = 0
  return buf
}

// disconnect and auth: reason code + properties in MQTT 5
function reasonPacket (header, packet, opts) {
  const settings = packet || {}
  const properties = settings.properties
  let length = 1

  const r = ackProperties(properties, opts, length)
  const skip = skipOf(r)
  const propsSize = propsSizeOf(r)
  length += varIntSize(propsSize) + propsSize

  const buf = allocPacket(header, length)
  const at = headerSize(length)
  buf[at] = settings.reasonCode
  writeProperties(buf, at + 1, properties, skip, propsSize)
  return buf
}

function disconnect (packet, opts) {
  if (protocolVersionOf(opts) !== 5) return emptyPacket(0xe0)
  return reasonPacket(0xe0, packet, opts)
}

function auth (packet, opts) {
  if (protocolVersionOf(opts) !== 5) throw new Refusal('Invalid mqtt version for auth packet')
  return reasonPacket(0xf0, packet, opts)
}

/**
 * The bytes of `packet`, or a Refusal thrown. `out`: null, or (writeToStream)
 * an object whose `tail` is set to a PUBLISH payload left to be written by
 * reference after the buffer returned (see SPLIT_PAYLOAD).
 */
function encode (packet, opts, out) {
  switch (packet.cmd) {
    case 'publish':
      return publish(packet, opts, out)
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return confirmation(packet, opts)
    case 'connect':
      return connect(packet)
    case 'connack':
      return connack(packet, opts)
    case 'subscribe':
      return subscribe(packet, opts)
    case 'suback':
      return suback(packet, opts)
    case 'unsubscribe':
      return unsubscribe(packet, opts)
    case 'unsuback':
      return unsuback(packet, opts)
    case 'pingreq':
      return emptyPacket(0xc0)
    case 'pingresp':
      return emptyPacket(0xd0)
    case 'disconnect':
      return disconnect(packet, opts)
    case 'auth':
      return auth(packet, opts)
    default:
      throw new Refusal('Unknown command')
  }
}

module.exports = { encode, Refusal }
