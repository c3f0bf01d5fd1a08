'use strict'
// Packets that only lenient mode (strict: false, tape config bit LENIENT)
// accepts: one builder per relaxed error kind (ErrorKind::relaxed_when_lenient),
// as raw bytes, with random variations. Used by the tape differential test and
// by lenient.test.js.

const { Buffer } = require('buffer')

const u16 = (n) => [(n >> 8) & 255, n & 255]
const str = (s) => { const b = [...Buffer.from(s)]; return [...u16(b.length), ...b] }
function vbi (n) {
  const out = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n > 0) b |= 128
    out.push(b)
  } while (n > 0)
  return out
}
/** A whole packet: first byte, then the body (remaining length computed). */
function pkt (b0, body) {
  return Buffer.from([b0, ...vbi(body.length), ...body])
}
/** A v5 property block from raw property bytes. */
const props = (bytes) => [...vbi(bytes.length), ...bytes]
function connect (name, level, flags, rest) {
  return pkt(0x10, [...str(name), level, flags, 0, 30, ...rest])
}

// Random pieces
const TOPICS_BAD = ['a/#', '#', '+', 'a/+/b', 'x+y', 'a\u0000b', '\u0000', 'é/#', '']
const FILTERS_BAD = ['a#', '#/a', '+a', 'a/b+', '', 'a\u0000', 'é+']

/**
 * [kind name, version, bytes] for every relaxed kind (one fixed example each;
 * `rng` varies the details when given).
 */
function lenientCases (rng) {
  const pick = (list) => rng ? rng.pick(list) : list[0]
  const id = () => 0
  const c = []
  const v5 = 5
  // U+0000 in strings
  c.push(['NullCharacter', 4, pkt(0x30, [...str(pick(['a\u0000b', '\u0000', 'é\u0000']))])])
  c.push(['NullCharacter', 4, connect('MQTT', 4, 0x02, str('c\u0000'))])
  c.push(['NullCharacter', 4, connect('MQTT', 4, 0x86, [...str('c'), ...str('w\u0000'), ...str('x'), ...str('u\u0000')])])
  c.push(['NullCharacter', 4, pkt(0x82, [0, 1, ...str('a\u0000'), 1])])
  c.push(['NullCharacter', 4, pkt(0xA2, [0, 1, ...str('\u0000')])])
  c.push(['NullCharacter', v5, pkt(0x40, [0, 1, 0, ...props([31, ...str('r\u0000')])])])
  c.push(['NullCharacter', v5, pkt(0x30, [...str('t'), ...props([38, ...str('k\u0000'), ...str('\u0000v')])])])
  // protocol name / level mismatch
  c.push(['ProtocolNameMismatch', 4, connect('MQIsdp', pick([4, 5, 0x84]), 0x02, [...(pick([4, 5, 0x84]) === 5 ? [0] : []), ...str('c')])])
  c.push(['ProtocolNameMismatch', 4, connect('MQIsdp', 4, 0x02, str('c'))])
  c.push(['ProtocolNameMismatch', 4, connect('MQTT', 3, 0x02, str('c'))])
  c.push(['ProtocolNameMismatch', 4, connect('MQIsdp', 0x84, 0x00, str('bridge'))])
  // password without user name
  c.push(['PasswordWithoutUsername', 4, connect('MQTT', 4, 0x42, [...str('c'), ...str('pw')])])
  c.push(['PasswordWithoutUsername', 3, connect('MQIsdp', 3, 0x40, [...str('c'), 0, 0])])
  // CONNACK codes
  c.push(['InvalidConnackCode', 4, pkt(0x20, [0, pick([6, 9, 128, 255])])])
  c.push(['InvalidConnackCode', 3, pkt(0x20, [1, 7])])
  c.push(['InvalidConnackCode', v5, pkt(0x20, [0, pick([1, 5, 0x7f]), 0])])
  // wildcards
  c.push(['TopicWildcard', 4, pkt(0x30, [...str(pick(['a/#', '#', '+', 'a/+/b', 'x+y', 'é/#'])), 1, 2, 3])])
  c.push(['TopicWildcard', 4, pkt(0x32, [...str('+/x'), 0, 7, 9])])
  c.push(['TopicWildcard', v5, pkt(0x30, [...str('#'), 0, 0x61])])
  c.push(['TopicWildcard', 4, connect('MQTT', 4, 0x0e, [...str('c'), ...str('will/#'), ...str('bye')])])
  c.push(['TopicWildcard', v5, connect('MQTT', 5, 0x06, [0, ...str('c'), 0, ...str('+'), ...str('')])])
  // empty topic
  c.push(['EmptyTopic', 4, pkt(0x30, [...str(''), 0x61])])
  c.push(['EmptyTopic', 3, pkt(0x34, [...str(''), 0, 3])])
  c.push(['EmptyTopic', v5, pkt(0x30, [...str(''), 0])])
  c.push(['EmptyTopic', v5, pkt(0x32, [...str(''), 0, 9, ...props([1, 1])])])
  c.push(['EmptyTopic', 4, connect('MQTT', 4, 0x06, [...str('c'), ...str(''), ...str(pick(['bye', '', 'é']))])])
  c.push(['EmptyTopic', 3, connect('MQIsdp', 3, 0x2e, [...str('c'), ...str(''), ...str('')])])
  c.push(['EmptyTopic', v5, connect('MQTT', 5, 0x06, [0, ...str('c'), 0, ...str(''), ...str('')])])
  // PUBLISH DUP with QoS 0 (RETAIN either way)
  c.push(['PublishDupQos0', 4, pkt(0x38, [...str(pick(['t', 'a/b', 'é'])), 0x78])])
  c.push(['PublishDupQos0', 3, pkt(0x39, [...str('a/b')])])
  c.push(['PublishDupQos0', v5, pkt(0x38, [...str('t'), 0, 0x78])])
  // CONNACK Session Present with a non-zero code
  c.push(['ConnackSessionPresent', 4, pkt(0x20, [1, pick([5, 1, 2, 3, 4])])])
  c.push(['ConnackSessionPresent', v5, pkt(0x20, [1, pick([0x87, 0x80, 0x9f]), 0])])
  // packet identifier 0
  c.push(['ZeroPacketId', 4, pkt(0x32, [...str('a'), ...u16(id()), 0x78])])
  c.push(['ZeroPacketId', v5, pkt(0x34, [...str('a'), 0, 0, 0])])
  for (const b0 of [0x40, 0x50, 0x62, 0x70]) c.push(['ZeroPacketId', 4, pkt(b0, [0, 0])])
  c.push(['ZeroPacketId', v5, pkt(0x40, [0, 0, 0x10])])
  c.push(['ZeroPacketId', v5, pkt(0x50, [0, 0, 0, ...props([31, ...str('r')])])])
  c.push(['ZeroPacketId', 4, pkt(0x82, [0, 0, ...str('a/+'), 1])])
  c.push(['ZeroPacketId', 4, pkt(0x90, [0, 0, 0, 1, 2, 0x80])])
  c.push(['ZeroPacketId', 4, pkt(0xA2, [0, 0, ...str('a')])])
  c.push(['ZeroPacketId', 4, pkt(0xB0, [0, 0])])
  c.push(['ZeroPacketId', v5, pkt(0xB0, [0, 0, 0, 0x11])])
  // no topic filters
  c.push(['NoTopicFilters', 4, pkt(0x82, [0, 1])])
  c.push(['NoTopicFilters', v5, pkt(0x82, [0, 1, 0])])
  c.push(['NoTopicFilters', 4, pkt(0xA2, [0, 2])])
  c.push(['NoTopicFilters', v5, pkt(0xA2, [0, 2, ...props([38, ...str('a'), ...str('b')])])])
  // invalid filters
  c.push(['InvalidTopicFilter', 4, pkt(0x82, [0, 1, ...str(pick(['a#', '#/a', '+a', 'a/b+', '', 'é+'])), 1])])
  c.push(['InvalidTopicFilter', v5, pkt(0x82, [0, 1, 0, ...str('a/#/b'), 0x2a, ...str('ok'), 0])])
  c.push(['InvalidTopicFilter', 4, pkt(0xA2, [0, 1, ...str('a+'), ...str('')])])
  // No Local on a shared subscription
  c.push(['SharedSubscriptionNoLocal', v5, pkt(0x82, [0, 3, 0, ...str('$share/g/t'), 0x05])])
  // SUBACK without codes
  c.push(['NoReturnCodes', 4, pkt(0x90, [0, 1])])
  c.push(['NoReturnCodes', v5, pkt(0x90, [0, 1, ...props([31, ...str('why')])])])
  // v5 properties: not allowed, repeated, out of range
  c.push(['PropertyNotAllowed', v5, pkt(0x40, [0, 1, 0, ...props([35, 0, 1])])])
  c.push(['PropertyNotAllowed', v5, pkt(0x30, [...str('t'), ...props([17, 0, 0, 0, 9])])])
  c.push(['PropertyNotAllowed', v5, connect('MQTT', 5, 0x02, [...props([24, 0, 0, 0, 1]), ...str('c')])])
  c.push(['PropertyNotAllowed', v5, connect('MQTT', 5, 0x06, [0, ...str('c'), ...props([17, 0, 0, 0, 5]), ...str('w'), ...str('p')])])
  c.push(['PropertyNotAllowed', v5, pkt(0xE0, [0, ...props([11, 5])])])
  c.push(['DuplicateProperty', v5, pkt(0x40, [0, 1, 0, ...props([31, ...str('a'), 31, ...str('b')])])])
  c.push(['DuplicateProperty', v5, pkt(0x30, [...str('t'), ...props([35, 0, 1, 35, 0, 2, 1, 0, 1, 1])])])
  c.push(['DuplicateProperty', v5, pkt(0x82, [0, 1, ...props([11, 1, 11, 2]), ...str('a'), 0])])
  c.push(['DuplicateProperty', v5, pkt(0x20, [0, 0, ...props([33, 0, 5, 33, 0, 6, 36, 1])])])
  c.push(['InvalidPropertyValue', v5, pkt(0x20, [0, 0, ...props([36, pick([2, 3, 255])])])])
  c.push(['InvalidPropertyValue', v5, pkt(0x30, [...str('t'), ...props([1, 7])])])
  c.push(['InvalidPropertyValue', v5, connect('MQTT', 5, 0x02, [...props([33, 0, 0, 23, 2, 39, 0, 0, 0, 0]), ...str('c')])])
  c.push(['InvalidPropertyValue', v5, pkt(0x20, [0, 0, ...props([39, 0, 0, 0, 0])])])
  // lenient 5.0 CONNACK short forms
  c.push(['ConnackShortForm', v5, pkt(0x20, [pick([0, 1])])])
  c.push(['ConnackShortForm', v5, pkt(0x20, [0, pick([0, 1, 5, 0x87, 0xff])])])
  return c
}

/** A random lenient-only packet (bytes) for `version`, with random details. */
function randomLenientPacket (rng, version) {
  const all = lenientCases(rng).filter((x) => x[1] === version || (version !== 5 && x[1] !== 5))
  const [, , bytes] = rng.pick(all.length ? all : lenientCases(rng))
  return bytes
}

/** Targeted byte mutations: bytes that matter to the relaxed checks. */
function mutateLenient (rng, buf) {
  const i = rng.int(0, buf.length - 1)
  const r = rng.next()
  if (r < 0.25) buf[i] = 0
  else if (r < 0.4) buf[i] = 0x23
  else if (r < 0.55) buf[i] = 0x2B
  else if (r < 0.65) buf[i] = 0x2F
  else if (r < 0.8) buf[i] = rng.int(0, 255)
  else buf[i] ^= 1 << rng.int(0, 7)
}

module.exports = { lenientCases, randomLenientPacket, mutateLenient, pkt, str, props, connect, vbi, TOPICS_BAD, FILTERS_BAD }
