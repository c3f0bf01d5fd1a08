'use strict'
// Tape records (docs/tape.md) -> mqtt-packet 9.0.2 packet objects.
//
// Objects are deep-equal to what mqtt-packet's parser emits (key order
// included), with mqtt-packet's git-head fixes (AUTH with remaining length 0;
// a duplicated user property whose first value is '' is still collected).
// Strings are sliced from the chunk (latin1Slice when the framer marked them
// ASCII), payloads and binary fields are zero-copy Buffer views of it.

const { view } = require('./view')

const CMDS = [
  'reserved', 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel',
  'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq',
  'pingresp', 'disconnect', 'auth'
]

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

// property id -> [name, kind]; kind: 0 number, 1 boolean (0/1 byte), 2 string, 3 binary, 4 pair
const PNAME = []
const PKIND = new Uint8Array(256)
function def (id, name, kind) { PNAME[id] = name; PKIND[id] = kind }
def(1, 'payloadFormatIndicator', 1)
def(2, 'messageExpiryInterval', 0)
def(3, 'contentType', 2)
def(8, 'responseTopic', 2)
def(9, 'correlationData', 3)
def(11, 'subscriptionIdentifier', 0)
def(17, 'sessionExpiryInterval', 0)
def(18, 'assignedClientIdentifier', 2)
def(19, 'serverKeepAlive', 0)
def(21, 'authenticationMethod', 2)
def(22, 'authenticationData', 3)
def(23, 'requestProblemInformation', 1)
def(24, 'willDelayInterval', 0)
def(25, 'requestResponseInformation', 1)
def(26, 'responseInformation', 2)
def(28, 'serverReference', 2)
def(31, 'reasonString', 2)
def(33, 'receiveMaximum', 0)
def(34, 'topicAliasMaximum', 0)
def(35, 'topicAlias', 0)
def(36, 'maximumQoS', 0) // mqtt-packet reads it as 'int8': a number
def(37, 'retainAvailable', 1)
def(38, 'userProperties', 4)
def(39, 'maximumPacketSize', 0)
def(40, 'wildcardSubscriptionAvailable', 1)
def(41, 'subscriptionIdentifiersAvailable', 1)
def(42, 'sharedSubscriptionAvailable', 1)

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
      case 1: if (o.payloadFormatIndicator === undefined) { o.payloadFormatIndicator = v; continue } break
      case 2: if (o.messageExpiryInterval === undefined) { o.messageExpiryInterval = v; continue } break
      case 3: if (o.contentType === undefined) { o.contentType = v; continue } break
      case 8: if (o.responseTopic === undefined) { o.responseTopic = v; continue } break
      case 9: if (o.correlationData === undefined) { o.correlationData = v; continue } break
      case 11: if (o.subscriptionIdentifier === undefined) { o.subscriptionIdentifier = v; continue } break
      case 31: if (o.reasonString === undefined) { o.reasonString = v; continue } break
      case 35: if (o.topicAlias === undefined) { o.topicAlias = v; continue } break
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
  packet.protocolId = str(buf, A, T[r + 4], T[r + 5])
  const level = T[r + 6]
  const v = level & 0x7F
  packet.protocolVersion = v
  if (level >= 0x80) packet.bridgeMode = true
  const f = T[r + 7]
  const will = (f & 0x04) !== 0
  let wo
  if (will) {
    wo = { retain: (f & 0x20) !== 0, qos: (f >> 3) & 3 }
    packet.will = wo
  }
  packet.clean = (f & 0x02) !== 0
  packet.keepalive = T[r + 8]
  let i = r + 9
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
  const length = T[r + 3]
  if (type === 3) {
    const po = T[r + 7]
    const tw = T[r + 5]
    const to = T[r + 4]
    const topic = str(buf, A, to, tw)
    const payload = view(ab, bo + po, T[r + 8])
    const packet = (flags & 6) !== 0
      ? new PublishWithId((flags & 1) !== 0, (flags >> 1) & 3, (flags & 8) !== 0, length, topic, payload, T[r + 6])
      : new PublishQos0((flags & 1) !== 0, (flags & 8) !== 0, length, topic, payload)
    if (version === 5) {
      const p = buildProps(buf, T, r + 9, A, ab, bo)
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
      packet.sessionPresent = (T[r + 4] & 1) !== 0
      if (version === 5) {
        packet.reasonCode = T[r + 5]
        const p = buildProps(buf, T, r + 6, A, ab, bo)
        if (p !== undefined) packet.properties = p
      } else {
        packet.returnCode = T[r + 5]
      }
      return packet
    }
    case 4: case 5: case 6: case 7: {
      packet.messageId = T[r + 4]
      if (version === 5) {
        packet.reasonCode = T[r + 5]
        const p = buildProps(buf, T, r + 6, A, ab, bo)
        if (p !== undefined) packet.properties = p
      }
      return packet
    }
    case 8: {
      const subs = []
      packet.subscriptions = subs
      packet.messageId = T[r + 4]
      let i = r + 5
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
      packet.messageId = T[r + 4]
      let i = r + 5
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
      packet.messageId = T[r + 4]
      let i = r + 5
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
      packet.messageId = T[r + 4]
      if (version === 5) {
        let i = r + 5
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
        packet.reasonCode = T[r + 4]
        const p = buildProps(buf, T, r + 5, A, ab, bo)
        if (p !== undefined) packet.properties = p
      }
      return packet
    }
    default: // 12, 13
      return packet
  }
}

module.exports = { buildPacket, buildProps, str, addPair, combine, Packet, CMDS, PNAME }
