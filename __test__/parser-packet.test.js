'use strict'
// parser.packet: mqtt-packet's packet under construction, which Aedes 2 reads
// after each parse() (lib/client.js nextBatch) to refuse an oversized packet
// from its announced Remaining Length before the body arrives.

const { describe, it } = require('node:test')
const assert = require('node:assert')

const mqttwire = require('..')
const { referenceParser, generate } = require('./helpers/reference')

// The fields mqtt-packet's Packet has before its body is parsed.
function head (p) {
  const { cmd, retain, qos, dup, length, topic, payload } = p.packet
  return { cmd, retain, qos, dup, length, topic, payload }
}

const PACKETS = [
  [{ cmd: 'publish', topic: 'a/b', payload: Buffer.alloc(300, 1), qos: 1, messageId: 7, retain: true, dup: true }, 4],
  [{ cmd: 'publish', topic: 't', payload: Buffer.alloc(20000, 2), qos: 0 }, 5],
  [{ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'x/#', qos: 1 }] }, 4],
  [{ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 10, clientId: 'c' }, 5],
  [{ cmd: 'pingreq' }, 4]
]

describe('parser.packet', () => {
  it('is an empty packet before any byte and after a complete packet', () => {
    const p = mqttwire.parser()
    const empty = { cmd: null, retain: false, qos: 0, dup: false, length: -1, topic: null, payload: null }
    assert.deepStrictEqual(head(p), empty)
    p.on('packet', () => {})
    p.parse(generate({ cmd: 'pingreq' }))
    assert.deepStrictEqual(head(p), empty)
  })

  for (const [packet, version] of PACKETS) {
    it(`matches mqtt-packet after every prefix of a ${packet.cmd} (v${version}) fed in two pieces`, () => {
      const bytes = generate(packet, { protocolVersion: version })
      for (const cut of [1, 2, 3, 4, 5, Math.floor(bytes.length / 2), bytes.length - 1]) {
        if (cut <= 0 || cut >= bytes.length) continue
        const ours = mqttwire.parser({ protocolVersion: version })
        const ref = referenceParser({ protocolVersion: version })
        let got = 0
        ours.on('packet', () => { got++ })
        ref.on('packet', () => {})
        ours.parse(bytes.subarray(0, cut))
        ref.parse(bytes.subarray(0, cut))
        assert.deepStrictEqual(head(ours), head(ref), `after ${cut} of ${bytes.length} bytes`)
        ours.parse(bytes.subarray(cut))
        ref.parse(bytes.subarray(cut))
        assert.strictEqual(got, 1)
        assert.deepStrictEqual(head(ours), head(ref), 'after the whole packet')
      }
    })
  }

  it('reports the announced Remaining Length of a pending packet after earlier complete ones in the same chunk', () => {
    const p = mqttwire.parser()
    const seen = []
    p.on('packet', (pk) => seen.push(pk.cmd))
    // PINGREQ, then a QoS 0 PUBLISH header announcing 200 bytes, then 2 of them
    p.parse(Buffer.from([0xC0, 0x00, 0x30, 0xC8, 0x01, 0x00, 0x03]))
    assert.deepStrictEqual(seen, ['pingreq'])
    assert.strictEqual(p.packet.cmd, 'publish')
    assert.strictEqual(p.packet.length, 200)
  })

  it('is the header of the packet an error is in, until the next parse()', () => {
    const p = mqttwire.parser({ maxPacketSize: 1024 })
    let err = null
    p.on('error', (e) => { err = e })
    // PUBLISH QoS 1 announcing 256 MiB - 1 (ff ff ff 7f): refused from the header
    p.parse(Buffer.from([0x32, 0xFF, 0xFF, 0xFF, 0x7F, 0x00]))
    assert.match(err.message, /Packet too large/)
    assert.strictEqual(p.packet.cmd, 'publish')
    assert.strictEqual(p.packet.qos, 1)
    assert.strictEqual(p.packet.length, 268435455)
    p.on('packet', () => {})
    p.parse(generate({ cmd: 'pingreq' }))
    assert.strictEqual(p.packet.length, -1)
  })

  it('is the header of a packet refused once its fixed header completes across chunks', () => {
    const p = mqttwire.parser({ maxPacketSize: 1024 })
    let err = null
    p.on('error', (e) => { err = e })
    p.parse(Buffer.from([0x30, 0x80]))
    assert.strictEqual(p.packet.cmd, 'publish')
    assert.strictEqual(p.packet.length, -1)
    p.parse(Buffer.from([0x80, 0x01])) // 80 80 01: 16 KiB
    assert.match(err.message, /Packet too large/)
    assert.strictEqual(p.packet.length, 16384)
  })
})
