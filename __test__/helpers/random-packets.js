'use strict'

// Seeded random MQTT packets (3.1, 3.1.1 and 5.0) in mqtt-packet's object
// format. Every packet is valid per the MQTT specification of its version:
// no wildcards in PUBLISH topics, no U+0000 or lone surrogates in strings,
// message ids in 1..65535, non-empty subscription lists, QoS <= 2, property
// values in their legal ranges and properties only where MQTT 5 allows them.

const { Buffer } = require('buffer')

// mulberry32: small, fast, good enough for test data
function createRng (seed) {
  let a = seed >>> 0
  function next () {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    // integer in [min, max]
    int (min, max) {
      return min + Math.floor(next() * (max - min + 1))
    },
    bool (probability = 0.5) {
      return next() < probability
    },
    pick (list) {
      return list[Math.floor(next() * list.length)]
    }
  }
}

// Characters used in strings: ASCII, Latin-1, BMP (2 and 3 byte UTF-8) and
// astral code points (surrogate pairs, 4 byte UTF-8).
const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:;=!~ '
const WIDE = ['é', 'ß', 'ñ', 'Ω', 'Ж', '中', '文', '€', '☃', '😀', '𝄞', '🚀']

function randomString (rng, min, max, { ascii = false, banned = '' } = {}) {
  const length = rng.int(min, max)
  const wide = !ascii && rng.bool(0.3)
  let out = ''
  while (out.length < length) {
    let ch = wide && rng.bool(0.3) ? rng.pick(WIDE) : ASCII[rng.int(0, ASCII.length - 1)]
    if (banned.includes(ch)) ch = 'x'
    out += ch
  }
  return out
}

function randomBytes (rng, min, max) {
  const buf = Buffer.allocUnsafe(rng.int(min, max))
  for (let i = 0; i < buf.length; i++) buf[i] = rng.int(0, 255)
  return buf
}

function randomPayloadSize (rng) {
  const r = rng.next()
  if (r < 0.15) return 0
  if (r < 0.75) return rng.int(1, 100)
  if (r < 0.97) return rng.int(100, 4096)
  return rng.int(16384, 70000) // three byte remaining length
}

function randomPayload (rng) {
  const size = randomPayloadSize(rng)
  if (rng.bool(0.3)) return randomString(rng, size, size)
  return randomBytes(rng, size, size)
}

// Topic name for PUBLISH / will: non-empty, no wildcards
function randomTopic (rng) {
  const levels = rng.int(1, 5)
  const parts = []
  for (let i = 0; i < levels; i++) parts.push(randomString(rng, i === 0 ? 1 : 0, 12, { banned: '#+/' }))
  return parts.join('/')
}

// Topic filter for (UN)SUBSCRIBE: may contain well-formed wildcards
function randomTopicFilter (rng) {
  const levels = rng.int(1, 5)
  const parts = []
  for (let i = 0; i < levels; i++) {
    const r = rng.next()
    if (r < 0.15) parts.push('+')
    else if (r < 0.2 && i === levels - 1) parts.push('#')
    else parts.push(randomString(rng, 1, 10, { banned: '#+/' }))
  }
  return parts.join('/')
}

function randomUserProperties (rng) {
  const props = {}
  const count = rng.int(1, 4)
  for (let i = 0; i < count; i++) {
    let key = randomString(rng, 0, 10)
    if (key === '__proto__') key = 'proto'
    if (rng.bool(0.3)) {
      // the same name appearing several times, sometimes with empty values
      const values = []
      const n = rng.int(2, 4)
      for (let j = 0; j < n; j++) values.push(rng.bool(0.2) ? '' : randomString(rng, 0, 12))
      props[key] = values
    } else {
      props[key] = rng.bool(0.1) ? '' : randomString(rng, 0, 16)
    }
  }
  return props
}

const u16 = rng => rng.int(0, 0xffff)
const u16NonZero = rng => rng.int(1, 0xffff)
const u32 = rng => rng.pick([0, 1, 60, 3600, 0xffffffff, rng.int(0, 0xffffffff)])
const u32NonZero = rng => rng.pick([1, 1024, 268435455, 0xffffffff, rng.int(1, 0xffffffff)])
const varInt = rng => rng.pick([1, 127, 128, 16383, 16384, 2097151, 2097152, 268435455, rng.int(1, 268435455)])
const bool = rng => rng.bool()
const str = rng => randomString(rng, 0, 20)
const bin = rng => randomBytes(rng, 0, 24)
const userProps = rng => randomUserProperties(rng)
const reason = rng => randomString(rng, 0, 40)

const PROPERTY_GENERATORS = {
  connect: {
    sessionExpiryInterval: u32,
    receiveMaximum: u16NonZero,
    maximumPacketSize: u32NonZero,
    topicAliasMaximum: u16,
    requestResponseInformation: bool,
    requestProblemInformation: bool,
    userProperties: userProps,
    authenticationMethod: str
  },
  will: {
    willDelayInterval: u32,
    payloadFormatIndicator: bool,
    messageExpiryInterval: u32,
    contentType: str,
    responseTopic: randomTopic,
    correlationData: bin,
    userProperties: userProps
  },
  connack: {
    sessionExpiryInterval: u32,
    receiveMaximum: u16NonZero,
    maximumQoS: rng => rng.int(0, 1),
    retainAvailable: bool,
    maximumPacketSize: u32NonZero,
    assignedClientIdentifier: str,
    topicAliasMaximum: u16,
    reasonString: reason,
    userProperties: userProps,
    wildcardSubscriptionAvailable: bool,
    subscriptionIdentifiersAvailable: bool,
    sharedSubscriptionAvailable: bool,
    serverKeepAlive: u16,
    responseInformation: str,
    serverReference: str,
    authenticationMethod: str
  },
  publish: {
    payloadFormatIndicator: bool,
    messageExpiryInterval: u32,
    topicAlias: u16NonZero,
    responseTopic: randomTopic,
    correlationData: bin,
    userProperties: userProps,
    subscriptionIdentifier: rng => rng.bool(0.7) ? varInt(rng) : [varInt(rng), varInt(rng)],
    contentType: str
  },
  ack: { reasonString: reason, userProperties: userProps },
  subscribe: { subscriptionIdentifier: varInt, userProperties: userProps },
  unsubscribe: { userProperties: userProps },
  disconnect: {
    sessionExpiryInterval: u32,
    reasonString: reason,
    userProperties: userProps,
    serverReference: str
  },
  auth: {
    authenticationMethod: str,
    reasonString: reason,
    userProperties: userProps
  }
}

function randomProperties (rng, kind) {
  const generators = PROPERTY_GENERATORS[kind]
  const props = {}
  for (const name of Object.keys(generators)) {
    if (rng.bool(0.35)) props[name] = generators[name](rng)
  }
  // Authentication Data only makes sense with an Authentication Method
  if (props.authenticationMethod !== undefined && rng.bool(0.5)) props.authenticationData = bin(rng)
  return props
}

function maybeProperties (rng, packet, kind) {
  if (rng.bool(0.75)) packet.properties = randomProperties(rng, kind)
}

const CONNACK_V5_CODES = [0, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 140, 144, 149, 151, 153, 154, 155, 156, 157, 159]
const PUBACK_CODES = [0, 16, 128, 131, 135, 144, 145, 151, 153]
const PUBREL_CODES = [0, 146]
const SUBACK_V5_CODES = [0, 1, 2, 128, 131, 135, 143, 145, 151, 158, 161, 162]
const UNSUBACK_CODES = [0, 17, 128, 131, 135, 143, 145]
const DISCONNECT_CODES = [0, 4, 128, 129, 130, 131, 135, 137, 139, 141, 142, 143, 144, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162]
const AUTH_CODES = [0, 24, 25]

function connect (rng, version) {
  const packet = {
    cmd: 'connect',
    protocolId: version === 3 ? 'MQIsdp' : 'MQTT',
    protocolVersion: version,
    clean: rng.bool(0.7),
    keepalive: rng.pick([0, 10, 60, 65535, u16(rng)])
  }
  if (version === 3 || !packet.clean || rng.bool(0.8)) {
    packet.clientId = randomString(rng, 1, 23, { ascii: version === 3 })
  } else {
    packet.clientId = ''
  }
  if (version < 5 && rng.bool(0.1)) packet.bridgeMode = true
  if (rng.bool(0.4)) {
    const payloadSize = rng.int(0, 200)
    packet.will = {
      topic: randomTopic(rng),
      payload: rng.bool(0.5) ? randomBytes(rng, payloadSize, payloadSize) : randomString(rng, 0, 50),
      qos: rng.int(0, 2),
      retain: rng.bool()
    }
    if (version === 5 && rng.bool(0.7)) packet.will.properties = randomProperties(rng, 'will')
  }
  if (rng.bool(0.5)) {
    packet.username = rng.bool(0.8) ? randomString(rng, 0, 20) : randomBytes(rng, 0, 20)
    if (rng.bool(0.6)) packet.password = rng.bool(0.5) ? randomBytes(rng, 0, 30) : randomString(rng, 0, 20)
  }
  if (version === 5) maybeProperties(rng, packet, 'connect')
  return packet
}

function connack (rng, version) {
  if (version === 5) {
    const packet = { cmd: 'connack', reasonCode: rng.pick(CONNACK_V5_CODES) }
    packet.sessionPresent = packet.reasonCode === 0 && rng.bool()
    maybeProperties(rng, packet, 'connack')
    return packet
  }
  const returnCode = rng.int(0, 5)
  return {
    cmd: 'connack',
    returnCode,
    sessionPresent: version === 4 && returnCode === 0 && rng.bool()
  }
}

function publish (rng, version) {
  const qos = rng.pick([0, 0, 1, 1, 2])
  const packet = {
    cmd: 'publish',
    topic: randomTopic(rng),
    payload: randomPayload(rng),
    qos,
    dup: qos > 0 && rng.bool(0.2),
    retain: rng.bool(0.2)
  }
  if (qos > 0) packet.messageId = u16NonZero(rng)
  if (rng.bool(0.1)) packet.topic = Buffer.from(packet.topic)
  if (version === 5) {
    maybeProperties(rng, packet, 'publish')
    const props = packet.properties
    // A UTF-8 payload format indicator requires a UTF-8 payload
    if (props && props.payloadFormatIndicator) packet.payload = randomString(rng, 0, 100)
    // With a topic alias the topic name may be empty
    if (props && props.topicAlias && rng.bool(0.3)) packet.topic = ''
  }
  return packet
}

function confirmation (rng, version, cmd) {
  const packet = { cmd, messageId: u16NonZero(rng) }
  if (version === 5) {
    if (rng.bool(0.7)) {
      const codes = cmd === 'puback' || cmd === 'pubrec' ? PUBACK_CODES : PUBREL_CODES
      packet.reasonCode = rng.pick(codes)
    }
    if (rng.bool(0.5)) packet.properties = randomProperties(rng, 'ack')
  }
  return packet
}

function subscribe (rng, version) {
  const packet = { cmd: 'subscribe', messageId: u16NonZero(rng), subscriptions: [] }
  const count = rng.int(1, 5)
  for (let i = 0; i < count; i++) {
    const sub = { topic: randomTopicFilter(rng), qos: rng.int(0, 2) }
    if (version === 5) {
      if (rng.bool(0.4)) sub.nl = rng.bool()
      if (rng.bool(0.4)) sub.rap = rng.bool()
      if (rng.bool(0.4)) sub.rh = rng.int(0, 2)
    }
    packet.subscriptions.push(sub)
  }
  if (version === 5) maybeProperties(rng, packet, 'subscribe')
  return packet
}

function suback (rng, version) {
  const count = rng.int(1, 6)
  const granted = []
  for (let i = 0; i < count; i++) {
    granted.push(version === 5 ? rng.pick(SUBACK_V5_CODES) : rng.pick([0, 1, 2, 128]))
  }
  const packet = { cmd: 'suback', messageId: u16NonZero(rng), granted }
  if (version === 5) maybeProperties(rng, packet, 'ack')
  return packet
}

function unsubscribe (rng, version) {
  const unsubscriptions = []
  const count = rng.int(1, 5)
  for (let i = 0; i < count; i++) unsubscriptions.push(randomTopicFilter(rng))
  const packet = { cmd: 'unsubscribe', messageId: u16NonZero(rng), unsubscriptions }
  if (version === 5) maybeProperties(rng, packet, 'unsubscribe')
  return packet
}

function unsuback (rng, version) {
  const packet = { cmd: 'unsuback', messageId: u16NonZero(rng) }
  if (version === 5) {
    const count = rng.int(1, 6)
    packet.granted = []
    for (let i = 0; i < count; i++) packet.granted.push(rng.pick(UNSUBACK_CODES))
    maybeProperties(rng, packet, 'ack')
  }
  return packet
}

function disconnect (rng, version) {
  const packet = { cmd: 'disconnect' }
  if (version === 5) {
    packet.reasonCode = rng.pick(DISCONNECT_CODES)
    maybeProperties(rng, packet, 'disconnect')
  }
  return packet
}

function auth (rng) {
  const packet = { cmd: 'auth', reasonCode: rng.pick(AUTH_CODES) }
  maybeProperties(rng, packet, 'auth')
  return packet
}

const COMMANDS = [
  'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp',
  'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp',
  'disconnect', 'auth'
]

// Returns a random valid packet for protocol version 3, 4 or 5. `cmd` may
// force the packet type (auth exists in MQTT 5 only).
function randomPacket (rng, version, cmd) {
  if (cmd === undefined) {
    do cmd = rng.pick(COMMANDS)
    while (cmd === 'auth' && version !== 5)
  }
  switch (cmd) {
    case 'connect': return connect(rng, version)
    case 'connack': return connack(rng, version)
    case 'publish': return publish(rng, version)
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return confirmation(rng, version, cmd)
    case 'subscribe': return subscribe(rng, version)
    case 'suback': return suback(rng, version)
    case 'unsubscribe': return unsubscribe(rng, version)
    case 'unsuback': return unsuback(rng, version)
    case 'pingreq':
    case 'pingresp':
      return { cmd }
    case 'disconnect': return disconnect(rng, version)
    case 'auth':
      if (version !== 5) throw new Error('auth packets exist in MQTT 5 only')
      return auth(rng)
    default:
      throw new Error(`Unknown command ${cmd}`)
  }
}

// Deep copy that keeps Buffers as Buffers (structuredClone would turn them
// into plain Uint8Arrays).
function clonePacket (value) {
  if (Buffer.isBuffer(value)) return Buffer.from(value)
  if (Array.isArray(value)) return value.map(clonePacket)
  if (value !== null && typeof value === 'object') {
    const out = {}
    for (const key of Object.keys(value)) out[key] = clonePacket(value[key])
    return out
  }
  return value
}

module.exports = {
  createRng,
  randomPacket,
  randomString,
  randomBytes,
  clonePacket,
  COMMANDS
}
