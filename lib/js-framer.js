'use strict'
// Pure-JS framing + validation of a chunk into the u32 tape (docs/tape.md).
//
// Same contract as the native `frame` (src/tape.rs):
//   frame(buf, start, end, config, maxPacketSize, tape) -> status (also in tape[0])
// Only buf[start..end] is read. No allocation per packet: every field is written
// as numbers into `tape`; strings are validated (UTF-8 well-formed, no U+0000)
// with a tight loop that also marks ASCII strings.
//
// Check order per packet (the Rust side must agree; see the report / docs):
//   fixed header byte: type 0, flag bits, PUBLISH QoS 3, then (strict) PUBLISH
//   DUP with QoS 0;
//   remaining length VBI: > 4 bytes, then (once complete) non-minimal;
//   maxPacketSize against the whole packet size, then wait for the whole packet;
//   body fields in wire order, each field: truncated -> UTF-8 / U+0000 -> value rules;
//   finally trailing bytes.
//
// Lenient mode (config bit LENIENT = 0x200, mqtt-packet's leniency; Rust
// Limits::strict(false)) skips exactly the checks of ErrorKind::relaxed_when_lenient
// (lib/errors.js relaxedWhenLenient): U+0000 in strings (not in the protocol
// name, which is checked by name anyway), name/level mismatch, password without
// user name, CONNACK codes, CONNACK Session Present with a non-zero code,
// PUBLISH DUP with QoS 0, wildcards in PUBLISH / will topics, empty PUBLISH /
// will topics, packet identifier 0, empty filter / return code lists, invalid
// filters, No Local on shared subscriptions, and the per-property rules
// (allowed packet, repeats, value ranges). A v5 CONNACK with fewer than 2 bytes after its flags
// is then taken as reason code 0 (or the one byte there) with no properties.

const {
  E: {
    ReservedPacketType, InvalidHeaderFlags, PublishQos3, VarIntTooLong,
    VarIntNotMinimal, PacketTooLarge, Truncated, TrailingBytes, InvalidUtf8,
    NullCharacter, InvalidProtocolName, InvalidProtocolLevel, ProtocolNameMismatch,
    ConnectReservedFlag, WillRetainWithoutWill, WillQosWithoutWill, WillQos3,
    PasswordWithoutUsername, ConnackReservedFlags, InvalidConnackCode, TopicWildcard,
    EmptyTopic, ZeroPacketId, NoPayload, NoTopicFilters, SubscriptionOptionsReserved,
    SubscribeQos3, RetainHandling3, MissingSubscriptionOptions, InvalidTopicFilter,
    SharedSubscriptionNoLocal, InvalidSubackCode, NoReturnCodes, UnsubackLength,
    InvalidUnsubackCode, InvalidReasonCode, AuthBeforeV5, PropertyIdZero,
    UnknownProperty, PropertyNotAllowed, DuplicateProperty, InvalidPropertyValue,
    PublishDupQos0, ConnackSessionPresent
  },
  FIELD
} = require('./errors')

const DONE = 0
const PARTIAL = 1
const ERROR = 2
const FULL = 3
const ASCII = 0x80000000 | 0
const IN_ARENA = 0x40000000
const LENIENT = 0x200
const ARENA = 0x400
const HEADER = 10 // tape header words; records start here
// Words kept free after every check so that the fixed-size fields of a record
// can be written without further checks.
const MARGIN = 24

// ---- v5 property table (MQTT 5.0 table 2-4) ----
// wire types
const P_BYTE = 1
const P_U16 = 2
const P_U32 = 3
const P_VBI = 4
const P_STR = 5
const P_BIN = 6
const P_PAIR = 7
const PTYPE = new Uint8Array(256)
// allowed packets: bit t for packet type t; bit 0 = will properties
const PALLOW = new Uint32Array(256)
// value range: 1 = 0 or 1, 2 = non-zero
const PRANGE = new Uint8Array(256)
function prop (id, type, packets, range) {
  PTYPE[id] = type
  let m = 0
  for (const t of packets) m |= 1 << t
  PALLOW[id] = m
  PRANGE[id] = range
}
const WILL = 0
const CONNECT = 1
const CONNACK = 2
const PUBLISH = 3
const PUBACK = 4
const PUBREC = 5
const PUBREL = 6
const PUBCOMP = 7
const SUBSCRIBE = 8
const SUBACK = 9
const UNSUBSCRIBE = 10
const UNSUBACK = 11
const DISCONNECT = 14
const AUTH = 15
prop(1, P_BYTE, [PUBLISH, WILL], 1) // payloadFormatIndicator
prop(2, P_U32, [PUBLISH, WILL], 0) // messageExpiryInterval
prop(3, P_STR, [PUBLISH, WILL], 0) // contentType
prop(8, P_STR, [PUBLISH, WILL], 0) // responseTopic
prop(9, P_BIN, [PUBLISH, WILL], 0) // correlationData
prop(11, P_VBI, [PUBLISH, SUBSCRIBE], 0) // subscriptionIdentifier (0 delivered: Rust wire_range_ok)
prop(17, P_U32, [CONNECT, CONNACK, DISCONNECT], 0) // sessionExpiryInterval
prop(18, P_STR, [CONNACK], 0) // assignedClientIdentifier
prop(19, P_U16, [CONNACK], 0) // serverKeepAlive
prop(21, P_STR, [CONNECT, CONNACK, AUTH], 0) // authenticationMethod
prop(22, P_BIN, [CONNECT, CONNACK, AUTH], 0) // authenticationData
prop(23, P_BYTE, [CONNECT], 1) // requestProblemInformation
prop(24, P_U32, [WILL], 0) // willDelayInterval
prop(25, P_BYTE, [CONNECT], 1) // requestResponseInformation
prop(26, P_STR, [CONNACK], 0) // responseInformation
prop(28, P_STR, [CONNACK, DISCONNECT], 0) // serverReference
prop(31, P_STR, [CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH], 0) // reasonString
prop(33, P_U16, [CONNECT, CONNACK], 0) // receiveMaximum (0 delivered: Rust wire_range_ok)
prop(34, P_U16, [CONNECT, CONNACK], 0) // topicAliasMaximum
prop(35, P_U16, [PUBLISH], 0) // topicAlias (0 delivered: Rust wire_range_ok)
prop(36, P_BYTE, [CONNACK], 1) // maximumQoS
prop(37, P_BYTE, [CONNACK], 1) // retainAvailable
prop(38, P_PAIR, [CONNECT, CONNACK, PUBLISH, WILL, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT, AUTH], 0) // userProperties
prop(39, P_U32, [CONNECT, CONNACK], 2) // maximumPacketSize
prop(40, P_BYTE, [CONNACK], 1) // wildcardSubscriptionAvailable
prop(41, P_BYTE, [CONNACK], 1) // subscriptionIdentifiersAvailable
prop(42, P_BYTE, [CONNACK], 1) // sharedSubscriptionAvailable

// ---- reason code tables ----
function table (codes) {
  const t = new Uint8Array(256)
  for (const c of codes) t[c] = 1
  return t
}
const CONNACK5_CODES = table([0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F])
const PUBACK_CODES = table([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99])
const PUBREL_CODES = table([0x00, 0x92])
const SUBACK5_CODES = table([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2])
const UNSUBACK5_CODES = table([0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91])
const DISCONNECT_CODES = table([0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2])
const AUTH_CODES = table([0x00, 0x18, 0x19])

// ---- module state shared by the helpers (no allocation per call) ----
let eCode = 0
let eParam = 0
let eOff = 0
let gp = 0 // position after the last helper-parsed field
let gSeenHi = 0 // duplicate mask of the last property block, ids 32..63
let gBad = 0 // offset of the offending byte found by utf8()
let gNulAscii = false // utf8() returned -2: whether the string is ASCII
let gLenient = false // config & LENIENT of the current frame() call
// The string arena of the current call (config & ARENA): ASCII strings are
// copied to the last quarter of the tape, each from a word boundary and
// zero-padded to one, like the Rust framer does.
let gArena = false
let gAT = null // the tape gAB views
let gAB = null // Uint8Array over the tape's bytes
let gAStart = 0 // arena start, bytes from the start of the tape
let gACap = 0 // arena capacity, bytes
let gAUsed = 0 // arena bytes used

// Copy buf[s..s+len) to the arena; returns its offset in the arena, or -1
// when it does not fit (the call then ends with FULL).
function toArena (buf, s, len) {
  const at = gAUsed
  const padded = (len + 3) & ~3
  if (at + padded > gACap) return -1
  const B = gAB
  const d = gAStart + at
  for (let k = 0; k < len; k++) B[d + k] = buf[s + k]
  for (let k = len; k < padded; k++) B[d + k] = 0
  gAUsed = at + padded
  return at
}

// The two words of an ASCII string at buf[s..s+len) at T[w], T[w+1]: in the
// arena when it is on. Returns false when the arena is full.
function asciiWords (buf, s, len, T, w) {
  if (gArena) {
    const a = toArena(buf, s, len)
    if (a < 0) return false
    T[w] = a
    T[w + 1] = len | ASCII | IN_ARENA
  } else {
    T[w] = s
    T[w + 1] = len | ASCII
  }
  return true
}

function fail (code, param, off) {
  eCode = code
  eParam = param
  eOff = off
  return -1
}

// Validate buf[s..e) as MQTT UTF-8: returns 1 ASCII, 0 valid non-ASCII,
// -1 ill-formed (gBad = offset of the first byte of the bad sequence),
// -2 well-formed but contains U+0000 (gBad = its offset). Like the Rust side
// (simdutf8, then a search for 0), well-formedness is checked first.
function utf8 (buf, s, e) {
  let i = s
  let nul = -1
  for (; i < e; i++) {
    const c = buf[i]
    if (c >= 0x80) break
    if (c === 0 && nul < 0) nul = i
  }
  if (i === e) {
    if (nul >= 0) { gBad = nul; gNulAscii = true; return -2 }
    return 1
  }
  while (i < e) {
    const c = buf[i]
    if (c < 0x80) {
      if (c === 0 && nul < 0) nul = i
      i++
    } else if (c < 0xC2) {
      gBad = i; return -1
    } else if (c < 0xE0) {
      if (i + 1 >= e || (buf[i + 1] & 0xC0) !== 0x80) { gBad = i; return -1 }
      i += 2
    } else if (c < 0xF0) {
      if (i + 2 >= e) { gBad = i; return -1 }
      const c1 = buf[i + 1]
      if ((c1 & 0xC0) !== 0x80 || (buf[i + 2] & 0xC0) !== 0x80 ||
          (c === 0xE0 && c1 < 0xA0) || (c === 0xED && c1 > 0x9F)) { gBad = i; return -1 }
      i += 3
    } else if (c < 0xF5) {
      if (i + 3 >= e) { gBad = i; return -1 }
      const c1 = buf[i + 1]
      if ((c1 & 0xC0) !== 0x80 || (buf[i + 2] & 0xC0) !== 0x80 || (buf[i + 3] & 0xC0) !== 0x80 ||
          (c === 0xF0 && c1 < 0x90) || (c === 0xF4 && c1 > 0x8F)) { gBad = i; return -1 }
      i += 4
    } else {
      gBad = i; return -1
    }
  }
  if (nul >= 0) { gBad = nul; gNulAscii = false; return -2 }
  return 0
}

// utf8() for a field whose U+0000 check lenient mode skips.
function utf8Field (buf, s, e) {
  const r = utf8(buf, s, e)
  if (r === -2 && gLenient) return gNulAscii ? 1 : 0
  return r
}

// A UTF-8 string field at p: writes (off, len|ASCII) at T[w], T[w+1].
// Returns w + 2, or -1 (error). gp = position after the string.
function str (buf, p, end, T, w, field) {
  if (end - p < 2) return fail(Truncated, field, p)
  const len = (buf[p] << 8) | buf[p + 1]
  const s = p + 2
  const e = s + len
  if (e > end) return fail(Truncated, field, p)
  const r = utf8Field(buf, s, e)
  if (r < 0) return fail(r === -1 ? InvalidUtf8 : NullCharacter, field, gBad)
  if (r === 1) {
    if (!asciiWords(buf, s, len, T, w)) return -2
  } else {
    T[w] = s
    T[w + 1] = len
  }
  gp = e
  return w + 2
}

// A binary data field at p: writes (off, len). Returns w + 2 or -1.
function bin (buf, p, end, T, w, field) {
  if (end - p < 2) return fail(Truncated, field, p)
  const len = (buf[p] << 8) | buf[p + 1]
  const s = p + 2
  if (s + len > end) return fail(Truncated, field, p)
  T[w] = s
  T[w + 1] = len
  gp = s + len
  return w + 2
}

// Topic filter rules: non-empty; '#' last and alone in its level; '+' alone in
// its level; in 5.0 a shared subscription '$share/{name}/{filter}' needs a
// non-empty name without wildcards and a non-empty filter (Rust valid_topic_filter).
function validFilter (buf, s, e, version) {
  if (s === e) return false
  if (version === 5 && isShared(buf, s, e)) {
    let slash = s + 7
    while (slash < e && buf[slash] !== 0x2F) slash++
    if (slash === e || slash === s + 7) return false
    for (let i = s + 7; i < slash; i++) {
      if (buf[i] === 0x23 || buf[i] === 0x2B) return false
    }
    s = slash + 1
    if (s === e) return false
  }
  for (let i = s; i < e; i++) {
    const c = buf[i]
    if (c === 0x23) { // '#'
      if (i !== e - 1) return false
      if (i !== s && buf[i - 1] !== 0x2F) return false
    } else if (c === 0x2B) { // '+'
      if (i !== s && buf[i - 1] !== 0x2F) return false
      if (i !== e - 1 && buf[i + 1] !== 0x2F) return false
    }
  }
  return true
}

// "$share/" prefix
function isShared (buf, s, e) {
  return e - s >= 7 && buf[s] === 0x24 && buf[s + 1] === 0x73 && buf[s + 2] === 0x68 &&
    buf[s + 3] === 0x61 && buf[s + 4] === 0x72 && buf[s + 5] === 0x65 && buf[s + 6] === 0x2F
}

// v5 property block at p for packet type `pt` (0 = will properties).
// Returns the new w (or -1 error, -2 tape full); gp = position after the block.
function props (buf, p, end, T, w, tlen, pt) {
  // property length (VBI)
  const vstart = p
  let len = 0
  let mul = 1
  let n = 0
  let b = 0
  do {
    if (p >= end) return fail(Truncated, FIELD.Properties, vstart)
    b = buf[p++]
    len += (b & 0x7F) * mul
    mul *= 128
    if (++n === 4 && (b & 0x80) !== 0) return fail(VarIntTooLong, 0, p - 1)
  } while ((b & 0x80) !== 0)
  if (n > 1 && b === 0) return fail(VarIntNotMinimal, 0, p - 1)
  if (len > end - p) return fail(Truncated, FIELD.Properties, vstart)
  const pend = p + len
  // every property takes at least as many bytes as tape words
  if (w + 1 + len + MARGIN > tlen) return -2
  const P = w++
  let seenLo = 0
  let seenHi = 0
  while (p < pend) {
    const id = buf[p]
    if (id === 0) return fail(PropertyIdZero, 0, p)
    const ty = PTYPE[id]
    if (ty === 0) return fail(UnknownProperty, id, p)
    const at = p
    p++
    T[w++] = id
    let v = 0
    // the value first (truncation, UTF-8, VBI form), then the context rules
    switch (ty) {
      case P_BYTE:
        if (p >= pend) return fail(Truncated, FIELD.PropertyValue, p)
        v = buf[p++]
        T[w++] = v
        break
      case P_U16:
        if (pend - p < 2) return fail(Truncated, FIELD.PropertyValue, p)
        v = (buf[p] << 8) | buf[p + 1]
        T[w++] = v
        p += 2
        break
      case P_U32:
        if (pend - p < 4) return fail(Truncated, FIELD.PropertyValue, p)
        v = ((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0
        T[w++] = v
        p += 4
        break
      case P_VBI: {
        const s = p
        let m = 1
        let k = 0
        let c = 0
        do {
          if (p >= pend) return fail(Truncated, FIELD.PropertyValue, s)
          c = buf[p++]
          v += (c & 0x7F) * m
          m *= 128
          if (++k === 4 && (c & 0x80) !== 0) return fail(VarIntTooLong, 0, p - 1)
        } while ((c & 0x80) !== 0)
        if (k > 1 && c === 0) return fail(VarIntNotMinimal, 0, p - 1)
        T[w++] = v
        break
      }
      case P_STR:
        w = str(buf, p, pend, T, w, FIELD.PropertyValue)
        if (w < 0) return w
        p = gp
        break
      case P_BIN:
        w = bin(buf, p, pend, T, w, FIELD.PropertyValue)
        if (w < 0) return w
        p = gp
        break
      default: // P_PAIR
        w = str(buf, p, pend, T, w, FIELD.PropertyValue)
        if (w < 0) return w
        w = str(buf, gp, pend, T, w, FIELD.PropertyValue)
        if (w < 0) return w
        p = gp
        break
    }
    if (gLenient) continue // mqtt-packet's leniency: no context rules
    if ((PALLOW[id] & (1 << pt)) === 0) return fail(PropertyNotAllowed, id | ((pt === WILL ? CONNECT : pt) << 8), at)
    if (id !== 38 && (id !== 11 || pt !== PUBLISH)) {
      if (id < 32) {
        const bit = 1 << id
        if ((seenLo & bit) !== 0) return fail(DuplicateProperty, id, at)
        seenLo |= bit
      } else {
        const bit = 1 << (id - 32)
        if ((seenHi & bit) !== 0) return fail(DuplicateProperty, id, at)
        seenHi |= bit
      }
    }
    const range = PRANGE[id]
    if (range !== 0 && (range === 1 ? v > 1 : v === 0)) return fail(InvalidPropertyValue, id, at)
  }
  T[P] = w - P - 1
  gSeenHi = seenHi
  gp = p
  return w
}

// Packet identifier at p (must be non-zero). Returns w + 1 or -1.
function msgId (buf, p, end, T, w) {
  if (end - p < 2) return fail(Truncated, FIELD.PacketId, p)
  const id = (buf[p] << 8) | buf[p + 1]
  if (id === 0 && !gLenient) return fail(ZeroPacketId, 0, p)
  T[w] = id
  gp = p + 2
  return w + 1
}

// The start of SUBSCRIBE, SUBACK and UNSUBSCRIBE: a payload at all, the
// packet identifier, the 5.0 properties. Returns w (or < 0); gp = after them.
function idAndProps (buf, p, end, T, w, tlen, version, type) {
  if (p === end) return fail(NoPayload, type, p)
  w = msgId(buf, p, end, T, w)
  if (w < 0 || version !== 5) return w
  return props(buf, gp, end, T, w, tlen, type)
}

// ---- per packet type body parsers: (buf, p = body start, end = packet end, T, w, tlen, version) ----
// Each returns the new w, -1 on error, -2 when the tape is full.

let gConnVersion = 0 // version | bridge << 8 set by a successful CONNECT

function connect (buf, p, end, T, w, tlen) {
  // protocol name
  if (end - p < 2) return fail(Truncated, FIELD.ProtocolName, p)
  const nlen = (buf[p] << 8) | buf[p + 1]
  if (p + 2 + nlen > end) return fail(Truncated, FIELD.ProtocolName, p)
  const nr = utf8(buf, p + 2, p + 2 + nlen)
  if (nr < 0) return fail(nr === -1 ? InvalidUtf8 : NullCharacter, FIELD.ProtocolName, gBad)
  let name = 0 // 3 = MQIsdp, 4 = MQTT
  if (nlen === 4 && buf[p + 2] === 0x4D && buf[p + 3] === 0x51 && buf[p + 4] === 0x54 && buf[p + 5] === 0x54) {
    name = 4
  } else if (nlen === 6 && buf[p + 2] === 0x4D && buf[p + 3] === 0x51 && buf[p + 4] === 0x49 &&
    buf[p + 5] === 0x73 && buf[p + 6] === 0x64 && buf[p + 7] === 0x70) {
    name = 3
  } else {
    return fail(InvalidProtocolName, 0, p)
  }
  if (!asciiWords(buf, p + 2, nlen, T, w)) return -2
  p += 2 + nlen
  // protocol level
  if (p >= end) return fail(Truncated, FIELD.ProtocolLevel, p)
  const level = buf[p]
  const v = level & 0x7F
  if (v !== 3 && v !== 4 && v !== 5) return fail(InvalidProtocolLevel, 0, p)
  if ((name === 3) !== (v === 3) && !gLenient) return fail(ProtocolNameMismatch, 0, p)
  T[w + 2] = level
  p++
  // connect flags
  if (p >= end) return fail(Truncated, FIELD.ConnectFlags, p)
  const f = buf[p]
  if ((f & 1) !== 0) return fail(ConnectReservedFlag, 0, p)
  const will = (f & 0x04) !== 0
  const wq = (f >> 3) & 3
  if (will) {
    if (wq === 3) return fail(WillQos3, 0, p)
  } else {
    if ((f & 0x20) !== 0) return fail(WillRetainWithoutWill, 0, p)
    if (wq !== 0) return fail(WillQosWithoutWill, 0, p)
  }
  if (v !== 5 && (f & 0x40) !== 0 && (f & 0x80) === 0 && !gLenient) return fail(PasswordWithoutUsername, 0, p)
  T[w + 3] = f
  p++
  // keep alive
  if (end - p < 2) return fail(Truncated, FIELD.KeepAlive, p)
  T[w + 4] = (buf[p] << 8) | buf[p + 1]
  p += 2
  w += 5
  if (v === 5) {
    w = props(buf, p, end, T, w, tlen, CONNECT)
    if (w < 0) return w
    p = gp
  }
  w = str(buf, p, end, T, w, FIELD.ClientId)
  if (w < 0) return w
  p = gp
  if (will) {
    if (v === 5) {
      w = props(buf, p, end, T, w, tlen, WILL)
      if (w < 0) return w
      p = gp
    }
    w = str(buf, p, end, T, w, FIELD.WillTopic)
    if (w < 0) return w
    if (!gLenient) {
      for (let i = p + 2; i < gp; i++) {
        if (buf[i] === 0x23 || buf[i] === 0x2B) return fail(TopicWildcard, 0, i)
      }
      // [MQTT-4.7.3-1]: at least one character
      if (gp === p + 2) return fail(EmptyTopic, 0, p)
    }
    w = bin(buf, gp, end, T, w, FIELD.WillPayload)
    if (w < 0) return w
    p = gp
  }
  if ((f & 0x80) !== 0) {
    w = str(buf, p, end, T, w, FIELD.Username)
    if (w < 0) return w
    p = gp
  }
  if ((f & 0x40) !== 0) {
    w = bin(buf, p, end, T, w, FIELD.Password)
    if (w < 0) return w
    p = gp
  }
  if (p !== end) return fail(TrailingBytes, CONNECT, p)
  gConnVersion = v | ((level >> 7) << 8)
  return w
}

function connack (buf, p, end, T, w, tlen, version) {
  if (p >= end) return fail(Truncated, FIELD.ConnackFlags, p)
  const flags = buf[p]
  if (flags > 1) return fail(ConnackReservedFlags, 0, p)
  p++
  if (gLenient && version === 5 && end - p < 2) {
    // mqtt-packet's compatibility: a 5.0 CONNACK without properties (a 3.1.1
    // server refusing a 5.0 client) or without a reason code
    T[w] = flags
    T[w + 1] = p < end ? buf[p] : 0
    T[w + 2] = 0
    return w + 3
  }
  if (p >= end) return fail(Truncated, FIELD.ReturnCode, p)
  const rc = buf[p]
  if (!gLenient && (version === 5 ? CONNACK5_CODES[rc] === 0 : rc > 5)) return fail(InvalidConnackCode, 0, p)
  // Session Present 0 with a non-zero code [MQTT-3.2.2-4] [MQTT-3.2.2-6] (3.1 has no such flag)
  if (!gLenient && flags === 1 && rc !== 0 && version !== 3) return fail(ConnackSessionPresent, 0, p - 1)
  p++
  T[w] = flags
  T[w + 1] = rc
  w += 2
  if (version === 5) {
    w = props(buf, p, end, T, w, tlen, CONNACK)
    if (w < 0) return w
    p = gp
  }
  if (p !== end) return fail(TrailingBytes, CONNACK, p)
  return w
}

// bytes that stop the ASCII fast loop over a PUBLISH topic
const TOPIC_SPECIAL = new Uint8Array(256)
TOPIC_SPECIAL[0] = 1
TOPIC_SPECIAL[0x23] = 1
TOPIC_SPECIAL[0x2B] = 1
for (let c = 0x80; c < 256; c++) TOPIC_SPECIAL[c] = 1

// A PUBLISH (or will) topic: UTF-8, then U+0000, then wildcards (the Rust order).
// Returns 1 (ASCII), 0 (valid non-ASCII) or -1 (error set).
function topicSlow (buf, i, e) {
  const r = utf8Field(buf, i, e)
  if (r < 0) return fail(r === -1 ? InvalidUtf8 : NullCharacter, FIELD.Topic, gBad)
  if (gLenient) return r
  for (; i < e; i++) {
    const c = buf[i]
    if (c === 0x23 || c === 0x2B) return fail(TopicWildcard, 0, i)
  }
  return r
}

function publish (buf, p, end, T, w, tlen, version, qos) {
  if (end - p < 2) return fail(Truncated, FIELD.Topic, p)
  const tstart = p
  const len = (buf[p] << 8) | buf[p + 1]
  const s = p + 2
  const e = s + len
  if (e > end) return fail(Truncated, FIELD.Topic, p)
  // ASCII fast loop; any of U+0000, '#', '+' or a byte >= 0x80 takes the slow path
  let i = s
  while (i < e && TOPIC_SPECIAL[buf[i]] === 0) i++
  let ascii = true
  if (i < e) {
    const r = topicSlow(buf, s, e)
    if (r < 0) return r
    ascii = r === 1
  }
  if (ascii) {
    if (!asciiWords(buf, s, len, T, w)) return -2
  } else {
    T[w] = s
    T[w + 1] = len
  }
  p = e
  if (qos !== 0) {
    if (end - p < 2) return fail(Truncated, FIELD.PacketId, p)
    const id = (buf[p] << 8) | buf[p + 1]
    if (id === 0 && !gLenient) return fail(ZeroPacketId, 0, p)
    T[w + 2] = id
    p += 2
  } else {
    T[w + 2] = 0
  }
  if (version === 5) {
    const w2 = props(buf, p, end, T, w + 5, tlen, PUBLISH)
    if (w2 < 0) return w2
    p = gp
    // topic alias is id 35 (bit 3 of the high mask)
    if (len === 0 && !gLenient && (gSeenHi & 8) === 0) return fail(EmptyTopic, 0, tstart)
    T[w + 3] = p
    T[w + 4] = end - p
    return w2
  }
  if (len === 0 && !gLenient) return fail(EmptyTopic, 0, tstart)
  T[w + 3] = p
  T[w + 4] = end - p
  return w + 5
}

function ack (buf, p, end, T, w, tlen, version, type) {
  w = msgId(buf, p, end, T, w)
  if (w < 0) return w
  p = gp
  if (version === 5) {
    if (p < end) {
      const rc = buf[p]
      if ((type <= PUBREC ? PUBACK_CODES[rc] : PUBREL_CODES[rc]) === 0) return fail(InvalidReasonCode, type, p)
      T[w++] = rc
      p++
    } else {
      T[w++] = 0
    }
    if (p < end) {
      w = props(buf, p, end, T, w, tlen, type)
      if (w < 0) return w
      p = gp
    } else {
      T[w++] = 0
    }
  } else {
    T[w++] = 0
  }
  if (p !== end) return fail(TrailingBytes, type, p)
  return w
}

function subscribe (buf, p, end, T, w, tlen, version) {
  w = idAndProps(buf, p, end, T, w, tlen, version, SUBSCRIBE)
  if (w < 0) return w
  p = gp
  const C = w++
  let n = 0
  while (p < end) {
    if (w + 3 + MARGIN > tlen) return -2
    const fstart = p
    w = str(buf, p, end, T, w, FIELD.TopicFilter)
    if (w < 0) return w
    p = gp
    const s = fstart + 2
    if (!gLenient && !validFilter(buf, s, p, version)) return fail(InvalidTopicFilter, 0, fstart)
    if (p >= end) return fail(MissingSubscriptionOptions, 0, p)
    const o = buf[p]
    if (version === 5) {
      if ((o & 0xC0) !== 0) return fail(SubscriptionOptionsReserved, 5, p)
    } else if ((o & 0xFC) !== 0) {
      return fail(SubscriptionOptionsReserved, version, p)
    }
    if ((o & 3) === 3) return fail(SubscribeQos3, 0, p)
    if ((o & 0x30) === 0x30) return fail(RetainHandling3, 0, p)
    if ((o & 4) !== 0 && !gLenient && isShared(buf, s, p)) return fail(SharedSubscriptionNoLocal, 0, fstart)
    T[w++] = o
    p++
    n++
  }
  if (n === 0 && !gLenient) return fail(NoTopicFilters, SUBSCRIBE, p)
  T[C] = n
  return w
}

function suback (buf, p, end, T, w, tlen, version) {
  w = idAndProps(buf, p, end, T, w, tlen, version, SUBACK)
  if (w < 0) return w
  p = gp
  if (p === end && !gLenient) return fail(NoReturnCodes, 0, p)
  for (let i = p; i < end; i++) {
    const c = buf[i]
    if (version === 5) {
      if (SUBACK5_CODES[c] === 0) return fail(InvalidSubackCode, 5, i)
    } else if (c > 2 && c !== 0x80) {
      return fail(InvalidSubackCode, version, i)
    }
  }
  T[w] = p
  T[w + 1] = end - p
  return w + 2
}

function unsubscribe (buf, p, end, T, w, tlen, version) {
  w = idAndProps(buf, p, end, T, w, tlen, version, UNSUBSCRIBE)
  if (w < 0) return w
  p = gp
  const C = w++
  let n = 0
  while (p < end) {
    if (w + 2 + MARGIN > tlen) return -2
    const fstart = p
    w = str(buf, p, end, T, w, FIELD.TopicFilter)
    if (w < 0) return w
    p = gp
    if (!gLenient && !validFilter(buf, fstart + 2, p, version)) return fail(InvalidTopicFilter, 0, fstart)
    n++
  }
  if (n === 0 && !gLenient) return fail(NoTopicFilters, UNSUBSCRIBE, p)
  T[C] = n
  return w
}

function unsuback (buf, p, end, T, w, tlen, version) {
  if (version !== 5 && end - p !== 2) return fail(UnsubackLength, 0, p)
  if (p === end) return fail(NoPayload, UNSUBACK, p)
  w = msgId(buf, p, end, T, w)
  if (w < 0) return w
  p = gp
  if (version === 5) {
    w = props(buf, p, end, T, w, tlen, UNSUBACK)
    if (w < 0) return w
    p = gp
    for (let i = p; i < end; i++) {
      if (UNSUBACK5_CODES[buf[i]] === 0) return fail(InvalidUnsubackCode, 0, i)
    }
  }
  T[w] = p
  T[w + 1] = end - p
  return w + 2
}

// DISCONNECT and AUTH (v5 shape: optional reason code, optional properties)
function reasonOnly (buf, p, end, T, w, tlen, version, type) {
  if (version !== 5) {
    if (p !== end) return fail(TrailingBytes, type, p)
    T[w] = 0
    return w + 1
  }
  if (p < end) {
    const rc = buf[p]
    if ((type === DISCONNECT ? DISCONNECT_CODES[rc] : AUTH_CODES[rc]) === 0) return fail(InvalidReasonCode, type, p)
    T[w++] = rc
    p++
  } else {
    T[w++] = 0
  }
  if (p < end) {
    w = props(buf, p, end, T, w, tlen, type)
    if (w < 0) return w
    p = gp
  } else {
    T[w++] = 0
  }
  if (p !== end) return fail(TrailingBytes, type, p)
  return w
}

/**
 * Frame and validate buf[start..end) into `T` (see docs/tape.md).
 * @param {Buffer|Uint8Array} buf
 * @param {number} start
 * @param {number} end
 * @param {number} config version | bridge << 8 | lenient << 9 (LENIENT)
 * @param {number} maxPacketSize 0 = no limit beyond the spec's
 * @param {Uint32Array} T the tape, length >= 64
 * @returns {number} the status (also T[0])
 */
function frame (buf, start, end, config, maxPacketSize, T) {
  let version = config & 0xFF
  let bridge = (config >> 8) & 1
  gLenient = (config & LENIENT) !== 0
  // Rust Limits::max_packet_size clamps to 5..=MAX_PACKET_SIZE
  if (maxPacketSize !== 0 && maxPacketSize < 5) maxPacketSize = 5
  let tlen = T.length
  gArena = (config & ARENA) !== 0
  if (gArena) {
    // Rust tape::arena_start: records before, the arena in the last quarter
    tlen = Math.max(HEADER, T.length - (T.length >>> 2))
    if (T !== gAT) {
      gAT = T
      gAB = new Uint8Array(T.buffer, T.byteOffset, T.byteLength)
    }
    gAStart = tlen * 4
    gACap = T.length * 4 - gAStart
    gAUsed = 0
  }
  let pos = start
  let w = HEADER
  let n = 0
  let status = DONE
  while (pos < end) {
    const b0 = buf[pos]
    const type = b0 >> 4
    const flags = b0 & 0xF
    // fixed header byte
    if (type === PUBLISH) {
      if ((flags & 6) === 6) { fail(PublishQos3, 0, pos); status = ERROR; break }
      // [MQTT-3.3.1-2] DUP 0 for QoS 0 (strict only)
      if ((flags & 0xE) === 8 && !gLenient) { fail(PublishDupQos0, 0, pos); status = ERROR; break }
    } else if (type === 0) {
      fail(ReservedPacketType, 0, pos); status = ERROR; break
    } else if (flags !== ((type === PUBREL || type === SUBSCRIBE || type === UNSUBSCRIBE) ? 2 : 0)) {
      fail(InvalidHeaderFlags, type, pos); status = ERROR; break
    }
    // remaining length
    let p = pos + 1
    if (p >= end) { T[2] = 0; status = PARTIAL; break }
    let b = buf[p++]
    let rl = b & 0x7F
    if (b >= 0x80) {
      if (p >= end) { T[2] = 0; status = PARTIAL; break }
      b = buf[p++]
      rl |= (b & 0x7F) << 7
      if (b >= 0x80) {
        if (p >= end) { T[2] = 0; status = PARTIAL; break }
        b = buf[p++]
        rl |= (b & 0x7F) << 14
        if (b >= 0x80) {
          if (p >= end) { T[2] = 0; status = PARTIAL; break }
          b = buf[p++]
          if (b >= 0x80) { fail(VarIntTooLong, 0, p - 1); status = ERROR; break }
          rl |= b << 21
        }
      }
      if (b === 0) { fail(VarIntNotMinimal, 0, p - 1); status = ERROR; break }
    }
    const total = p - pos + rl
    if (maxPacketSize !== 0 && total > maxPacketSize) { fail(PacketTooLarge, maxPacketSize, pos + 1); status = ERROR; break }
    if (end - pos < total) { T[2] = total; status = PARTIAL; break }
    if (w + MARGIN > tlen) { status = FULL; break }
    const pend = p + rl
    const aMark = gAUsed
    let w2
    switch (type) {
      case PUBLISH:
        w2 = publish(buf, p, pend, T, w + 4, tlen, version, (flags >> 1) & 3)
        break
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
        w2 = ack(buf, p, pend, T, w + 4, tlen, version, type)
        break
      case CONNECT:
        w2 = connect(buf, p, pend, T, w + 4, tlen)
        break
      case CONNACK:
        w2 = connack(buf, p, pend, T, w + 4, tlen, version)
        break
      case SUBSCRIBE:
        w2 = subscribe(buf, p, pend, T, w + 4, tlen, version)
        break
      case SUBACK:
        w2 = suback(buf, p, pend, T, w + 4, tlen, version)
        break
      case UNSUBSCRIBE:
        w2 = unsubscribe(buf, p, pend, T, w + 4, tlen, version)
        break
      case UNSUBACK:
        w2 = unsuback(buf, p, pend, T, w + 4, tlen, version)
        break
      case 12: // PINGREQ
      case 13: // PINGRESP
        w2 = rl === 0 ? w + 4 : fail(TrailingBytes, type, p)
        break
      case DISCONNECT:
        w2 = reasonOnly(buf, p, pend, T, w + 4, tlen, version, DISCONNECT)
        break
      default: // AUTH
        w2 = version === 5
          ? reasonOnly(buf, p, pend, T, w + 4, tlen, version, AUTH)
          : fail(AuthBeforeV5, 0, p)
        break
    }
    if (w2 < 0) {
      status = w2 === -1 ? ERROR : FULL
      gAUsed = aMark // what this packet put in the arena goes with it
      break
    }
    if (type === CONNECT) {
      version = gConnVersion & 0xFF
      bridge = gConnVersion >> 8
    }
    T[w] = type | (flags << 4) | (version << 8) | (bridge << 16)
    T[w + 1] = w2 - w
    T[w + 2] = pos
    T[w + 3] = rl
    w = w2
    n++
    pos = pend
  }
  T[0] = status
  T[1] = pos
  if (status === ERROR) {
    T[2] = eCode
    T[3] = eParam
    T[4] = eOff
  } else {
    if (status !== PARTIAL) T[2] = 0
    T[3] = 0
    T[4] = 0
  }
  T[5] = n
  T[6] = version | (bridge << 8)
  T[7] = w
  T[8] = gArena ? gAStart : 0
  T[9] = gArena ? gAUsed : 0
  return status
}

module.exports = { frame, DONE, PARTIAL, ERROR, FULL, ASCII, IN_ARENA, LENIENT, ARENA, HEADER, utf8, validFilter, PTYPE }
