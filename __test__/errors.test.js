'use strict'
// Every error code is produced by some input, with its message, err.code,
// err.rule and err.offset (from the generated table); and where mqttwire is
// not stricter than mqtt-packet, mqtt-packet gives the same message.

const { describe, it } = require('node:test')
const assert = require('node:assert')

const mqttwire = require('..')
const errors = require('../lib/errors')
const { referenceParser } = require('./helpers/reference')

const s = (str) => [...Buffer.from(str)]
const u16 = (n) => [n >> 8, n & 255]
const mqttStr = (str) => [...u16(Buffer.byteLength(str)), ...s(str)]
function connect (name, level, flags, rest = []) {
  const body = [...mqttStr(name), level, flags, 0, 60, ...rest]
  return [0x10, body.length, ...body]
}
const CID = mqttStr('c')

// [code, expected message, bytes, opts, expected offset]
const CASES = [
  [1, 'Not supported', [0x00, 0x00], {}, 0],
  [2, 'Invalid header flag bits, must be 0x2 for pubrel packet', [0x60, 0x02, 0x00, 0x01], {}, 0],
  [2, 'Invalid header flag bits, must be 0x0 for puback packet', [0x41, 0x02, 0x00, 0x01], {}, 0],
  [3, 'Packet must not have both QoS bits set to 1', [0x36, 0x00], {}, 0],
  [4, 'Invalid variable byte integer', [0x30, 0xff, 0xff, 0xff, 0xff], {}, 4],
  [5, 'Invalid variable byte integer: not encoded in the fewest bytes', [0x30, 0x80, 0x00], {}, 2],
  [6, 'Packet too large: exceeds the maximum packet size of 10 bytes', [0x30, 20], { maxPacketSize: 10 }, 1],
  [7, 'Cannot parse messageId', [0x40, 0x01, 0x00], {}, 2],
  [7, 'Cannot parse topic', [0x30, 0x03, 0x00, 0x05, 0x61], {}, 2],
  [7, 'Cannot parse protocolId', [0x10, 0x02, 0x00, 0x09], {}, 2],
  [7, 'Packet too short', [0x10, 0x06, ...mqttStr('MQTT')], {}, 8],
  [7, 'Cannot parse username', connect('MQTT', 4, 0x80, [...CID, 0, 9]), {}, 15],
  [7, 'Cannot parse property code type', [0x40, 0x05, 0, 1, 0, 0x09, 0x1f], { protocolVersion: 5 }, 5],
  [7, 'Malformed properties: truncated', [0x40, 0x06, 0, 1, 0, 0x02, 0x1f, 0x00], { protocolVersion: 5 }, 7],
  [8, 'Malformed pingreq packet: remaining length exceeds its fields', [0xC0, 0x01, 0x00], {}, 2],
  [8, 'Malformed puback packet: remaining length exceeds its fields', [0x40, 0x03, 0x00, 0x01, 0x00], {}, 4],
  [9, 'Invalid UTF-8 string in topic', [0x30, 0x03, 0x00, 0x01, 0xff], {}, 4],
  [9, 'Invalid UTF-8 string in client identifier', connect('MQTT', 4, 0, [0, 2, 0xc3, 0x28]), {}, 14],
  [10, 'Invalid string in topic: contains U+0000', [0x30, 0x04, 0x00, 0x02, 0x61, 0x00], {}, 5],
  [11, 'Invalid protocolId', connect('MQTX', 4, 0, CID), {}, 2],
  [12, 'Invalid protocol version', connect('MQTT', 6, 0, CID), {}, 8],
  [13, 'Protocol name does not match protocol version', connect('MQTT', 3, 0, CID), {}, 8],
  [13, 'Protocol name does not match protocol version', connect('MQIsdp', 4, 0, CID), {}, 10],
  [14, 'Connect flag bit 0 must be 0, but got 1', connect('MQTT', 4, 0x01, CID), {}, 9],
  [15, 'Will Retain Flag must be set to zero when Will Flag is set to 0', connect('MQTT', 4, 0x20, CID), {}, 9],
  [16, 'Will QoS must be set to zero when Will Flag is set to 0', connect('MQTT', 4, 0x08, CID), {}, 9],
  [17, 'Will QoS must be <= 2', connect('MQTT', 4, 0x1C, CID), {}, 9],
  [18, 'Password flag must be 0 when User Name flag is 0', connect('MQTT', 4, 0x40, CID), {}, 9],
  [19, 'Invalid connack flags, bits 7-1 must be set to 0', [0x20, 0x02, 0x02, 0x00], {}, 2],
  [20, 'Invalid connack return code', [0x20, 0x02, 0x00, 0x06], {}, 3],
  [20, 'Invalid connack return code', [0x20, 0x03, 0x00, 0x01, 0x00], { protocolVersion: 5 }, 3],
  [21, 'Invalid topic: wildcards are not allowed in a publish topic', [0x30, 0x05, 0x00, 0x03, 0x61, 0x2f, 0x23], {}, 6],
  [21, 'Invalid topic: wildcards are not allowed in a publish topic', [0x30, 0x03, 0x00, 0x01, 0x2b], {}, 4],
  [22, 'Invalid topic: empty topic name', [0x30, 0x02, 0x00, 0x00], {}, 2],
  [22, 'Invalid topic: empty topic name', [0x30, 0x03, 0x00, 0x00, 0x00], { protocolVersion: 5 }, 2],
  [23, 'Invalid messageId: 0', [0x40, 0x02, 0x00, 0x00], {}, 2],
  [23, 'Invalid messageId: 0', [0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00], {}, 5],
  [24, 'Malformed subscribe, no payload specified', [0x82, 0x00], {}, 2],
  [24, 'Malformed suback, no payload specified', [0x90, 0x00], {}, 2],
  [24, 'Malformed unsubscribe, no payload specified', [0xA2, 0x00], {}, 2],
  [24, 'Malformed unsuback, no payload specified', [0xB0, 0x00], { protocolVersion: 5 }, 2],
  [25, 'Malformed subscribe, no topic filters', [0x82, 0x02, 0x00, 0x01], {}, 4],
  [25, 'Malformed unsubscribe, no topic filters', [0xA2, 0x03, 0x00, 0x01, 0x00], { protocolVersion: 5 }, 5],
  [26, 'Invalid subscribe topic flag bits, bits 7-2 must be 0', [0x82, 0x06, 0, 1, 0, 1, 0x61, 0x04], {}, 7],
  [26, 'Invalid subscribe topic flag bits, bits 7-6 must be 0', [0x82, 0x07, 0, 1, 0, 0, 1, 0x61, 0x40], { protocolVersion: 5 }, 8],
  [27, 'Invalid subscribe QoS, must be <= 2', [0x82, 0x06, 0, 1, 0, 1, 0x61, 0x03], {}, 7],
  [28, 'Invalid retain handling, must be <= 2', [0x82, 0x07, 0, 1, 0, 0, 1, 0x61, 0x30], { protocolVersion: 5 }, 8],
  [29, 'Malformed Subscribe Payload', [0x82, 0x05, 0, 1, 0, 1, 0x61], {}, 7],
  [30, 'Invalid topic filter', [0x82, 0x07, 0, 1, 0, 2, 0x61, 0x23, 0x00], {}, 4],
  [30, 'Invalid topic filter', [0x82, 0x05, 0, 1, 0, 0, 0x00], {}, 4],
  [30, 'Invalid topic filter', [0xA2, 0x06, 0, 1, 0, 2, 0x2b, 0x61], {}, 4],
  [31, 'No Local must be 0 on a shared subscription', [0x82, 0x10, 0, 1, 0, ...mqttStr('$share/g/t'), 0x04], { protocolVersion: 5 }, 5],
  [32, 'Invalid suback QoS, must be 0, 1, 2 or 128', [0x90, 0x03, 0, 1, 0x03], {}, 4],
  [32, 'Invalid suback code', [0x90, 0x04, 0, 1, 0, 0x03], { protocolVersion: 5 }, 5],
  [33, 'Malformed suback, no return codes', [0x90, 0x02, 0, 1], {}, 4],
  [34, 'Malformed unsuback, payload length must be 2', [0xB0, 0x03, 0, 1, 0], { protocolVersion: 4 }, 2],
  [35, 'Invalid unsuback code', [0xB0, 0x04, 0, 1, 0, 0x01], { protocolVersion: 5 }, 5],
  [36, 'Invalid puback reason code', [0x40, 0x03, 0, 1, 0x01], { protocolVersion: 5 }, 4],
  [36, 'Invalid pubcomp reason code', [0x70, 0x03, 0, 1, 0x10], { protocolVersion: 5 }, 4],
  [36, 'Invalid disconnect reason code', [0xE0, 0x01, 0x05], { protocolVersion: 5 }, 2],
  [36, 'Invalid auth reason code', [0xF0, 0x01, 0x01], { protocolVersion: 5 }, 2],
  [37, 'Not supported auth packet for this version MQTT', [0xF0, 0x00], {}, 2],
  [38, 'Cannot parse property code type', [0x40, 0x05, 0, 1, 0, 0x01, 0x00], { protocolVersion: 5 }, 6],
  [39, 'Unknown property', [0x40, 0x05, 0, 1, 0, 0x01, 0x7f], { protocolVersion: 5 }, 6],
  [40, 'Property topicAlias is not allowed in puback packet', [0x40, 0x07, 0, 1, 0, 0x03, 35, 0, 1], { protocolVersion: 5 }, 6],
  [40, 'Property willDelayInterval is not allowed in connect packet', connect('MQTT', 5, 0, [5, 24, 0, 0, 0, 1, ...CID]), {}, 13],
  [41, 'Duplicate property reasonString', [0x40, 0x0c, 0, 1, 0, 0x08, 31, 0, 1, 97, 31, 0, 1, 98], { protocolVersion: 5 }, 10],
  [42, 'Invalid property value for maximumPacketSize', [0x20, 0x08, 0, 0, 5, 39, 0, 0, 0, 0], { protocolVersion: 5 }, 5],
  [42, 'Invalid property value for payloadFormatIndicator', [0x30, 0x06, 0, 1, 0x61, 2, 1, 2], { protocolVersion: 5 }, 6],
  [43, 'Invalid header flag bits: DUP must be 0 for QoS 0', [0x38, 0x04, 0, 1, 0x74, 0x78], {}, 0],
  [43, 'Invalid header flag bits: DUP must be 0 for QoS 0', [0x39, 0x03, 0, 1, 0x74], { protocolVersion: 5 }, 0],
  [44, 'Invalid connack flags: session present must be 0 when the return code is not 0', [0x20, 0x02, 0x01, 0x05], {}, 2],
  [44, 'Invalid connack flags: session present must be 0 when the return code is not 0', [0x20, 0x03, 0x01, 0x87, 0x00], { protocolVersion: 5 }, 2],
  [22, 'Invalid topic: empty topic name', connect('MQTT', 4, 0x06, [...CID, 0, 0, ...mqttStr('bye')]), {}, 15]
]

// mqtt-packet's verdict on the same input alone, where it differs from ours
// although the kind is not "stricter" (docs/strictness.md explains each).
const MQTT_PACKET_DIFFERS = {
  'Malformed properties: truncated': 'mqtt-packet reads the next bytes as properties',
  'Not supported': 'mqtt-packet waits for the body of a type-0 packet',
  'Cannot parse messageId': 'mqtt-packet emits messageId -1 / reads past the packet',
  'Packet too short': 'message order',
  'Invalid variable byte integer': 'same',
  'Malformed unsuback, no payload specified': 'same',
  'Malformed suback, no payload specified': 'same'
}

function firstError (parser, bytes) {
  let error = null
  let packets = 0
  parser.on('error', (e) => { if (!error) error = e })
  parser.on('packet', () => { packets++ })
  parser.parse(Buffer.from(bytes))
  return { error, packets }
}

describe('lib/errors.js', () => {
  it('makeError: message, code, rule, offset', () => {
    const e = errors.makeError(errors.E.ZeroPacketId, 0, 12)
    assert.ok(e instanceof Error)
    assert.strictEqual(e.message, 'Invalid messageId: 0')
    assert.strictEqual(e.code, 'MQTTWIRE_ZERO_PACKET_ID')
    assert.strictEqual(e.rule, 'MQTT-2.2.1-3')
    assert.strictEqual(e.offset, 12)
    assert.strictEqual(errors.makeError(errors.E.Truncated, 9, 0).code, 'MQTTWIRE_TRUNCATED')
  })

  it('every code 1..44 has a test case', () => {
    const covered = new Set(CASES.map((c) => c[0]))
    for (let code = 1; code <= 44; code++) assert.ok(covered.has(code), 'code ' + code)
    assert.strictEqual(errors.KIND_NAMES.length, 45, 'no code beyond 44')
  })

  it('fills every hole of every message template (lib/generated/protocol.js)', () => {
    const params = [0, 1, 3, 4, 5, 8, 9, 10, 14, 15, 16, 18, 38, 38 | (3 << 8), 35 | (8 << 8), 65536]
    for (let code = 1; code <= 44; code++) {
      for (const p of params) {
        const m = errors.errorMessage(code, p)
        assert.ok(m.length > 0 && !/[{}]/.test(m), `code ${code} param ${p}: ${m}`)
      }
    }
    // the parameter goes where the template says
    assert.strictEqual(errors.errorMessage(errors.E.InvalidHeaderFlags, 6), 'Invalid header flag bits, must be 0x2 for pubrel packet')
    assert.strictEqual(errors.errorMessage(errors.E.PropertyNotAllowed, 35 | (8 << 8)), 'Property topicAlias is not allowed in subscribe packet')
    assert.strictEqual(errors.errorMessage(errors.E.SubscriptionOptionsReserved, 5), 'Invalid subscribe topic flag bits, bits 7-6 must be 0')
    assert.strictEqual(errors.errorMessage(errors.E.SubscriptionOptionsReserved, 4), 'Invalid subscribe topic flag bits, bits 7-2 must be 0')
    assert.strictEqual(errors.errorMessage(errors.E.PacketTooLarge, 65536), 'Packet too large: exceeds the maximum packet size of 65536 bytes')
    assert.strictEqual(errors.errorMessage(errors.E.Truncated, 10), 'Cannot parse messageId')
  })
})

{
  describe(`errors`, () => {
    for (const [code, message, bytes, opts, offset] of CASES) {
      it(`${code} ${errors.KIND_NAMES[code]}: ${message}`, () => {
        const p = mqttwire.parser(Object.assign({}, opts))
        const { error, packets } = firstError(p, bytes)
        assert.ok(error, 'an error is emitted')
        assert.strictEqual(packets, 0)
        assert.strictEqual(error.message, message)
        assert.strictEqual(error.code, errors.CODE_STRINGS[code])
        assert.strictEqual(error.rule, errors.errorRule(code))
        // offsets are mqttwire's own (not in mqtt-packet)
        assert.strictEqual(error.offset, offset, 'offset')
        // fed one byte at a time: same error
        const q = mqttwire.parser(Object.assign({}, opts))
        let err2 = null
        q.on('error', (e) => { if (!err2) err2 = e })
        for (let i = 0; i < bytes.length && !err2; i++) q.parse(Buffer.from([bytes[i]]))
        assert.ok(err2)
        assert.strictEqual(err2.message, message)
        // mqtt-packet on the same input
        const ref = firstError(referenceParser(opts), bytes)
        if (errors.isStricter(code)) {
          assert.ok(ref.error === null || ref.error.message !== message || code === errors.E.InvalidTopicFilter,
            'stricter: mqtt-packet accepts or errs differently')
        } else if (!(message in MQTT_PACKET_DIFFERS)) {
          assert.ok(ref.error, 'mqtt-packet rejects it too')
          assert.strictEqual(ref.error.message, message, 'same message as mqtt-packet')
        }
      })
    }
  })
}

// The zero values the spec calls a Protocol Error for the receiver to answer
// with its own reason code reach the application in strict mode too, so that
// a broker can answer them (Aedes 2: CONNACK 0x82 for Receive Maximum 0,
// DISCONNECT 0x94 for Topic Alias 0, DISCONNECT 0x82 for Subscription
// Identifier 0). docs/strictness.md.
describe('Protocol Error zeros are delivered, not refused', () => {
  const ZEROS = [
    ['topicAlias', [0x30, 0x07, 0, 1, 0x61, 3, 35, 0, 0], 'publish'],
    ['subscriptionIdentifier', [0x82, 0x09, 0, 1, 2, 11, 0, 0, 1, 0x61, 0], 'subscribe'],
    ['receiveMaximum', connect('MQTT', 5, 0x02, [3, 33, 0, 0, ...CID]), 'connect']
  ]
  for (const [name, bytes, cmd] of ZEROS) {
    it(`${name} 0 in ${cmd} (strict)`, () => {
      const p = mqttwire.parser({ protocolVersion: 5, strict: true })
      const got = []
      p.on('packet', (pk) => got.push(pk))
      p.on('error', (err) => assert.fail(err))
      p.parse(Buffer.from(bytes))
      assert.strictEqual(got.length, 1)
      assert.strictEqual(got[0].cmd, cmd)
      assert.strictEqual(got[0].properties[name], 0)
    })
  }
  it('generate still writes them (byte-identical to mqtt-packet); the Rust encoder refuses them (tests/errors.rs)', () => {
    const b = mqttwire.generate({ cmd: 'publish', topic: 't', properties: { topicAlias: 0 } }, { protocolVersion: 5 })
    assert.deepStrictEqual([...b.subarray(-3)], [35, 0, 0])
  })
})
