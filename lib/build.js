'use strict'
// Tape records (docs/tape.md) -> mqtt-packet 9.0.2 packet objects.
//
// Objects are deep-equal to what mqtt-packet's parser emits (key order
// included), with mqtt-packet's git-head fixes (AUTH with remaining length 0;
// a duplicated user property whose first value is '' is still collected).
// Strings are sliced from the chunk (latin1Slice when the framer marked them
// ASCII), payloads and binary fields are zero-copy Buffer views of it.

const { view } = require('./view')

const { PACKET_NAMES: CMDS, PROPERTIES, TAPE } = require('./generated/protocol')

const { R_LENGTH, PUBLISH_TOPIC, PUBLISH_MESSAGE_ID, PUBLISH_PAYLOAD, PUBLISH_PROPERTIES } = TAPE
const { CONNECT_PROTOCOL_ID, CONNECT_LEVEL, CONNECT_FLAGS, CONNECT_KEEPALIVE, CONNECT_REST } = TAPE
const { CONNACK_FLAGS, CONNACK_CODE, CONNACK_PROPERTIES, MESSAGE_ID, ACK_REASON, ACK_PROPERTIES, SUB_REST, REASON, REASON_PROPERTIES } = TAPE

/** Same fields, same order as mqtt-packet's Packet. */
class Packet {
  constructor (cmd, retain, qos, dup, length, topic, payload) {
    this.cmd = cmd
    this.retain = retain
    this.qos = qos
    this.dup = dup
    this.length = length
    this.topic = topic
    this.payload = payload
  }
}

// PUBLISH gets classes of its own, so that every field is set in the
// constructor (one hidden class each, no shape transition per packet). Their
// name is Packet too: they print like mqtt-packet's packets.
const PublishWithId = class Packet {
  constructor (retain, qos, dup, length, topic, payload, messageId) {
    this.cmd = 'publish'
    this.retain = retain
    this.qos = qos
    this.dup = dup
    this.length = length
    this.topic = topic
    this.payload = payload
    this.messageId = messageId
  }
}

const PublishQos0 = class Packet {
  constructor (retain, dup, length, topic, payload) {
    this.cmd = 'publish'
    this.retain = retain
    this.qos = 0
    this.dup = dup
    this.length = length
    this.topic = topic
    this.payload = payload
  }
}

// property id -> name, and -> how its value is read: 0 a number, 1 a boolean
// (mqtt-packet's 'byte'), 2 a string, 3 a binary, 4 a string pair
const PNAME = []
const PKIND = new Uint8Array(256)
const KIND_OF_TYPE = { int8: 0, int16: 0, int32: 0, var: 0, byte: 1, string: 2, binary: 3, pair: 4 }
for (const p of PROPERTIES) {
  PNAME[p.id] = p.name
  PKIND[p.id] = KIND_OF_TYPE[p.type]
}
// property name -> id, and the ids this module and lib/publish-properties.js switch on
const ID = Object.fromEntries(PROPERTIES.map((p) => [p.name, p.id]))
const PFI = ID.payloadFormatIndicator
const MEI = ID.messageExpiryInterval
const CT = ID.contentType
const RT = ID.responseTopic
const CD = ID.correlationData
const SID = ID.subscriptionIdentifier
const RS = ID.reasonString
const TA = ID.topicAlias

/**
 * A tape string (off, len|ASCII|IN_ARENA) as a JS string: a slice of the
 * call's arena string A, or of the chunk. `w` may be the tape word or the
 * same bits as an int32 (`w | 0`, as PublishProperties keeps it).
 */
function str (buf, A, off, w) {
  const len = w & 0xFFFF
  if ((w & 0x40000000) !== 0) return A.substring(off, off + len)
  return (w & 0x80000000) !== 0 ? buf.latin1Slice(off, off + len) : buf.utf8Slice(off, off + len)
}

/**
 * Build a properties object from the block at T[i] (P[0] = words that follow);
 * `ab`, `bo`: buf.buffer and buf.byteOffset (binary values are views of it).
 * Returns undefined when there are none (mqtt-packet then omits `properties`).
 */
function buildProps (buf, T, i, A, ab, bo) {
  const n = T[i]
  if (n === 0) return undefined
  const end = i + 1 + n
  const o = {}
  i++
  while (i < end) {
    const id = T[i++]
    const name = PNAME[id]
    let v
    switch (PKIND[id]) {
      case 0: v = T[i++]; break
      case 1: v = T[i++] !== 0; break
      case 2: v = str(buf, A, T[i], T[i + 1]); i += 2; break
      case 3: v = view(ab, bo + T[i], T[i + 1]); i += 2; break
      default: { // user property
        const k = str(buf, A, T[i], T[i + 1])
        const val = str(buf, A, T[i + 2], T[i + 3])
        i += 4
        let up = o.userProperties
        if (up === undefined) {
          up = Object.create(null)
          o.userProperties = up
        }
        addPair(up, k, val)
        continue
      }
    }
    // First occurrence of the properties PUBLISH carries: named stores (one
    // inline cache per site) instead of a keyed store by computed name.
    switch (id) {
      case PFI: if (o.payloadFormatIndicator === undefined) { o.payloadFormatIndicator = v; continue } break
      case MEI: if (o.messageExpiryInterval === undefined) { o.messageExpiryInterval = v; continue } break
      case CT: if (o.contentType === undefined) { o.contentType = v; continue } break
      case RT: if (o.responseTopic === undefined) { o.responseTopic = v; continue } break
      case CD: if (o.correlationData === undefined) { o.correlationData = v; continue } break
      case SID: if (o.subscriptionIdentifier === undefined) { o.subscriptionIdentifier = v; continue } break
      case RS: if (o.reasonString === undefined) { o.reasonString = v; continue } break
      case TA: if (o.topicAlias === undefined) { o.topicAlias = v; continue } break
    }
    // Repeats other than subscriptionIdentifier (never 0 when strict) reach
    // here only in lenient mode.
    o[name] = combine(o[name], v)
  }
  return o
}

/** mqtt-packet's collection of a user property: a repeated name gets an array of values. */
function addPair (up, k, v) {
  const cur = up[k]
  if (cur === undefined) up[k] = v
  else if (Array.isArray(cur)) cur.push(v)
  else up[k] = [cur, v]
}

/**
 * mqtt-packet's rule for a repeated property (it tests `if (result[name])`):
 * a falsy first value (0, false, '') is overwritten, not collected.
 */
function combine (cur, v) {
  if (!cur) return v
  if (Array.isArray(cur)) {
    cur.push(v)
    return cur
  }
  return [cur, v]
}

function buildConnect (buf, T, r, packet, A, ab, bo) {
  packet.protocolId = str(buf, A, T[r + CONNECT_PROTOCOL_ID], T[r + CONNECT_PROTOCOL_ID + 1])
  const level = T[r + CONNECT_LEVEL]
  const v = level & 0x7F
  packet.protocolVersion = v
  if (level >= 0x80) packet.bridgeMode = true
  const f = T[r + CONNECT_FLAGS]
  const will = (f & 0x04) !== 0
  let wo
  if (will) {
    wo = { retain: (f & 0x20) !== 0, qos: (f >> 3) & 3 }
    packet.will = wo
  }
  packet.clean = (f & 0x02) !== 0
  packet.keepalive = T[r + CONNECT_KEEPALIVE]
  let i = r + CONNECT_REST
  if (v === 5) {
    const p = buildProps(buf, T, i, A, ab, bo)
    if (p !== undefined) packet.properties = p
    i += 1 + T[i]
  }
  packet.clientId = str(buf, A, T[i], T[i + 1])
  i += 2
  if (will) {
    if (v === 5) {
      const p = buildProps(buf, T, i, A, ab, bo)
      if (p !== undefined) wo.properties = p
      i += 1 + T[i]
    }
    wo.topic = str(buf, A, T[i], T[i + 1])
    wo.payload = view(ab, bo + T[i + 2], T[i + 3])
    i += 4
  }
  if ((f & 0x80) !== 0) {
    packet.username = str(buf, A, T[i], T[i + 1])
    i += 2
  }
  if ((f & 0x40) !== 0) {
    packet.password = view(ab, bo + T[i], T[i + 1])
  }
  return packet
}

/**
 * The packet object of the record at T[r], sliced from `buf` (the buffer the
 * tape was framed from; `ab`, `bo`: its buffer and byteOffset, read once per
 * chunk by the caller).
 */
function buildPacket (buf, T, r, A, ab, bo) {
  const h = T[r]
  const type = h & 0xF
  const flags = (h >> 4) & 0xF
  const version = (h >> 8) & 0xFF
  const length = T[r + R_LENGTH]
  if (type === 3) {
    const po = T[r + PUBLISH_PAYLOAD]
    const tw = T[r + PUBLISH_TOPIC + 1]
    const to = T[r + PUBLISH_TOPIC]
    const topic = str(buf, A, to, tw)
    const payload = view(ab, bo + po, T[r + PUBLISH_PAYLOAD + 1])
    const packet = (flags & 6) !== 0
      ? new PublishWithId((flags & 1) !== 0, (flags >> 1) & 3, (flags & 8) !== 0, length, topic, payload, T[r + PUBLISH_MESSAGE_ID])
      : new PublishQos0((flags & 1) !== 0, (flags & 8) !== 0, length, topic, payload)
    if (version === 5) {
      const p = buildProps(buf, T, r + PUBLISH_PROPERTIES, A, ab, bo)
      if (p !== undefined) packet.properties = p
    }
    return packet
  }
  const packet = new Packet(CMDS[type], (flags & 1) !== 0, (flags >> 1) & 3, (flags & 8) !== 0,
    length, null, null)
  switch (type) {
    case 1:
      return buildConnect(buf, T, r, packet, A, ab, bo)
    case 2: {
      packet.sessionPresent = (T[r + CONNACK_FLAGS] & 1) !== 0
      if (version === 5) {
        packet.reasonCode = T[r + CONNACK_CODE]
        const p = buildProps(buf, T, r + CONNACK_PROPERTIES, A, ab, bo)
        if (p !== undefined) packet.properties = p
      } else {
        packet.returnCode = T[r + CONNACK_CODE]
      }
      return packet
    }
    case 4: case 5: case 6: case 7: {
      packet.messageId = T[r + MESSAGE_ID]
      if (version === 5) {
        packet.reasonCode = T[r + ACK_REASON]
        const p = buildProps(buf, T, r + ACK_PROPERTIES, A, ab, bo)
        if (p !== undefined) packet.properties = p
      }
      return packet
    }
    case 8: {
      const subs = []
      packet.subscriptions = subs
      packet.messageId = T[r + MESSAGE_ID]
      let i = r + SUB_REST
      if (version === 5) {
        const p = buildProps(buf, T, i, A, ab, bo)
        if (p !== undefined) packet.properties = p
        i += 1 + T[i]
      }
      const n = T[i++]
      const bridge = (h >> 16) & 1
      for (let k = 0; k < n; k++) {
        const topic = str(buf, A, T[i], T[i + 1])
        const o = T[i + 2]
        i += 3
        if (version === 5) {
          subs.push({ topic, qos: o & 3, nl: (o & 4) !== 0, rap: (o & 8) !== 0, rh: (o >> 4) & 3 })
        } else if (bridge !== 0) {
          subs.push({ topic, qos: o & 3, rh: 0, rap: true, nl: true })
        } else {
          subs.push({ topic, qos: o & 3 })
        }
      }
      return packet
    }
    case 9: {
      const granted = []
      packet.granted = granted
      packet.messageId = T[r + MESSAGE_ID]
      let i = r + SUB_REST
      if (version === 5) {
        const p = buildProps(buf, T, i, A, ab, bo)
        if (p !== undefined) packet.properties = p
        i += 1 + T[i]
      }
      const off = T[i]
      const end = off + T[i + 1]
      for (let k = off; k < end; k++) granted.push(buf[k])
      return packet
    }
    case 10: {
      const unsubs = []
      packet.unsubscriptions = unsubs
      packet.messageId = T[r + MESSAGE_ID]
      let i = r + SUB_REST
      if (version === 5) {
        const p = buildProps(buf, T, i, A, ab, bo)
        if (p !== undefined) packet.properties = p
        i += 1 + T[i]
      }
      const n = T[i++]
      for (let k = 0; k < n; k++) {
        unsubs.push(str(buf, A, T[i], T[i + 1]))
        i += 2
      }
      return packet
    }
    case 11: {
      packet.messageId = T[r + MESSAGE_ID]
      if (version === 5) {
        let i = r + SUB_REST
        const p = buildProps(buf, T, i, A, ab, bo)
        if (p !== undefined) packet.properties = p
        i += 1 + T[i]
        const granted = []
        const off = T[i]
        const end = off + T[i + 1]
        for (let k = off; k < end; k++) granted.push(buf[k])
        packet.granted = granted
      }
      return packet
    }
    case 14:
    case 15: {
      if (version === 5) {
        packet.reasonCode = T[r + REASON]
        const p = buildProps(buf, T, r + REASON_PROPERTIES, A, ab, bo)
        if (p !== undefined) packet.properties = p
      }
      return packet
    }
    default: // 12, 13
      return packet
  }
}

module.exports = { buildPacket, buildProps, str, addPair, combine, Packet, CMDS, PNAME, ID, PFI, MEI, CT, RT, CD, SID, TA }
