'use strict'
// The mqtt-packet parser contract, framed by Rust at every read size.

const { describe, it } = require('node:test')
const assert = require('node:assert')
const { EventEmitter } = require('node:events')

const mqttwire = require('..')
const { Parser } = require('../lib/parser')
const { referenceParser, generate } = require('./helpers/reference')
const { plain, run, split } = require('./helpers/compare')
const { createRng } = require('./helpers/random-packets')

// One fixture per packet type and version: [name, packet, version, extra opts]
const FIXTURES = []
function fx (name, packet, versions, opts) {
  for (const v of versions) FIXTURES.push([name + ' v' + v, packet, v, opts || {}])
}
const V = [3, 4, 5]
const V34 = [3, 4]
fx('connect minimal', { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30, clientId: 'c1' }, [4])
fx('connect 3.1', { cmd: 'connect', protocolId: 'MQIsdp', protocolVersion: 3, clean: false, keepalive: 0, clientId: 'c1' }, [4])
fx('connect full', {
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 4,
  clean: true,
  keepalive: 65535,
  clientId: 'clïent',
  username: 'üser',
  password: Buffer.from([0, 1, 2, 255]),
  will: { topic: 'will/tøpic', payload: Buffer.from('bye'), qos: 2, retain: true }
}, [4])
fx('connect v5 props', {
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 5,
  clean: true,
  keepalive: 10,
  clientId: '',
  properties: {
    sessionExpiryInterval: 1234,
    receiveMaximum: 432,
    maximumPacketSize: 100,
    topicAliasMaximum: 456,
    requestResponseInformation: true,
    requestProblemInformation: false,
    userProperties: { a: 'b', c: ['d', 'e'], '': '' },
    authenticationMethod: 'SCRAM',
    authenticationData: Buffer.from([1, 2, 3])
  },
  will: {
    topic: 'w',
    payload: Buffer.alloc(0),
    qos: 1,
    retain: false,
    properties: {
      willDelayInterval: 5,
      payloadFormatIndicator: true,
      messageExpiryInterval: 60,
      contentType: 'text/plain',
      responseTopic: 'resp',
      correlationData: Buffer.from('cd'),
      userProperties: { x: 'y' }
    }
  },
  username: 'u',
  password: Buffer.from('p')
}, [4])
fx('connack', { cmd: 'connack', returnCode: 5, sessionPresent: false }, V34)
// Session Present only with code 0 [MQTT-3.2.2-4] [MQTT-3.2.2-6]
fx('connack session present', { cmd: 'connack', returnCode: 0, sessionPresent: true }, [4])
fx('connack', { cmd: 'connack', reasonCode: 0x87, sessionPresent: false }, [5])
fx('connack session present v5', { cmd: 'connack', reasonCode: 0, sessionPresent: true }, [5])
fx('connack v5 props', {
  cmd: 'connack',
  reasonCode: 0,
  sessionPresent: false,
  properties: {
    sessionExpiryInterval: 1,
    receiveMaximum: 2,
    maximumQoS: 1,
    retainAvailable: false,
    maximumPacketSize: 300,
    assignedClientIdentifier: 'gen-1',
    topicAliasMaximum: 10,
    reasonString: 'fine',
    userProperties: { k: 'v' },
    wildcardSubscriptionAvailable: true,
    subscriptionIdentifiersAvailable: false,
    sharedSubscriptionAvailable: true,
    serverKeepAlive: 20,
    responseInformation: 'ri',
    serverReference: 'elsewhere',
    authenticationMethod: 'm',
    authenticationData: Buffer.from([9])
  }
}, [5])
fx('publish qos0', { cmd: 'publish', topic: 'a/b', payload: Buffer.from('hi'), qos: 0, retain: true, dup: false }, V)
fx('publish qos1 dup', { cmd: 'publish', topic: 'a/ü/c', payload: Buffer.from('x'), qos: 1, messageId: 65535, retain: false, dup: true }, V)
fx('publish qos2 empty payload', { cmd: 'publish', topic: 't', payload: Buffer.alloc(0), qos: 2, messageId: 1 }, V)
fx('publish large', { cmd: 'publish', topic: 'big', payload: Buffer.alloc(200000, 7), qos: 0 }, V)
fx('publish v5 props', {
  cmd: 'publish',
  topic: 'x',
  payload: Buffer.from('p'),
  qos: 1,
  messageId: 10,
  properties: {
    payloadFormatIndicator: true,
    messageExpiryInterval: 4321,
    topicAlias: 100,
    responseTopic: 'topic',
    correlationData: Buffer.from([1, 2, 3, 4]),
    userProperties: { test: ['a', 'b', ''] },
    subscriptionIdentifier: [120, 268435455],
    contentType: 'test'
  }
}, [5])
fx('publish v5 empty topic with alias', { cmd: 'publish', topic: '', payload: Buffer.from('p'), qos: 0, properties: { topicAlias: 3 } }, [5])
for (const cmd of ['puback', 'pubrec', 'pubrel', 'pubcomp']) {
  fx(cmd, { cmd, messageId: 42 }, V)
  fx(cmd + ' reason', { cmd, messageId: 42, reasonCode: cmd === 'pubrel' || cmd === 'pubcomp' ? 0x92 : 0x10 }, [5])
  fx(cmd + ' props', { cmd, messageId: 2, reasonCode: 0, properties: { reasonString: 'r', userProperties: { a: 'b' } } }, [5])
}
fx('subscribe', { cmd: 'subscribe', messageId: 7, subscriptions: [{ topic: 'a/+/c', qos: 0 }, { topic: '#', qos: 2 }, { topic: 'ü/+', qos: 1 }] }, V34)
fx('subscribe v5', {
  cmd: 'subscribe',
  messageId: 7,
  subscriptions: [{ topic: 'a/#', qos: 1, nl: true, rap: false, rh: 2 }, { topic: '$share/g/x', qos: 0, nl: false, rap: true, rh: 0 }],
  properties: { subscriptionIdentifier: 9, userProperties: { u: 'v' } }
}, [5])
fx('suback', { cmd: 'suback', messageId: 3, granted: [0, 1, 2, 128] }, V34)
fx('suback v5', { cmd: 'suback', messageId: 3, granted: [0, 0x8F, 0xA2], properties: { reasonString: 'r' } }, [5])
fx('unsubscribe', { cmd: 'unsubscribe', messageId: 4, unsubscriptions: ['a/b', '#', '+/x/+'] }, V)
fx('unsubscribe v5 props', { cmd: 'unsubscribe', messageId: 4, unsubscriptions: ['a'], properties: { userProperties: { a: 'b' } } }, [5])
fx('unsuback', { cmd: 'unsuback', messageId: 4 }, V34)
fx('unsuback v5', { cmd: 'unsuback', messageId: 4, granted: [0, 0x11, 0x80], properties: { reasonString: 'r' } }, [5])
fx('pingreq', { cmd: 'pingreq' }, V)
fx('pingresp', { cmd: 'pingresp' }, V)
fx('disconnect', { cmd: 'disconnect' }, V)
fx('disconnect v5', { cmd: 'disconnect', reasonCode: 0x8E, properties: { sessionExpiryInterval: 1, reasonString: 'r', serverReference: 's', userProperties: { a: 'b' } } }, [5])
fx('auth', { cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'm', authenticationData: Buffer.from([1]), reasonString: 'r', userProperties: { a: 'b' } } }, [5])
fx('auth no props', { cmd: 'auth', reasonCode: 0x19 }, [5])

function mk (opts) {
  return mqttwire.parser(Object.assign({}, opts, {}))
}

{
  describe(`parser`, () => {
    it('every packet type and version: same objects as mqtt-packet (incl. key order)', () => {
      for (const [name, packet, version, o] of FIXTURES) {
        const opts = Object.assign({ protocolVersion: version }, o)
        const buf = generate(packet, opts)
        const a = run(referenceParser(opts), [buf])
        const b = run(mk(opts), [buf])
        assert.deepStrictEqual(b.events, a.events, name)
        assert.strictEqual(a.events.length, 1, name)
        assert.deepStrictEqual(Object.keys(b.events[0].packet), Object.keys(a.events[0].packet), name + ' key order')
        const bp = b.events[0].packet
        if (bp.properties) {
          assert.deepStrictEqual(Object.keys(bp.properties), Object.keys(a.events[0].packet.properties), name + ' property order')
        }
        assert.deepStrictEqual(b.returns, [0], name)
      }
    })

    it('chunk splitting: 1 byte at a time and random splits give the same packets', () => {
      const rng = createRng(7)
      for (const [name, packet, version, o] of FIXTURES) {
        if (packet.payload && packet.payload.length > 1000) continue
        const opts = Object.assign({ protocolVersion: version }, o)
        const one = generate(packet, opts)
        const buf = Buffer.concat([one, one, one])
        const expected = run(referenceParser(opts), [buf]).events
        const bytes = []
        for (let i = 0; i < buf.length; i++) bytes.push(buf.subarray(i, i + 1))
        assert.deepStrictEqual(run(mk(opts), bytes).events, expected, name + ' 1-byte chunks')
        for (let k = 0; k < 5; k++) {
          assert.deepStrictEqual(run(mk(opts), split(rng, buf, 1 + k * 7)).events, expected, name + ' random chunks')
        }
      }
    })

    it('parse() returns the bytes buffered, like mqtt-packet', () => {
      const buf = generate({ cmd: 'publish', topic: 'test', payload: Buffer.from('test') })
      const big = generate({ cmd: 'publish', topic: 'test', payload: Buffer.alloc(20000, 97) })
      const cases = [
        [buf, [8]], [buf, [1]], [buf, [2]], [buf, [1, 1]],
        [big, [2]], [big, [3]], [big, [4]], [big, [1, 1, 1, 1, 1]], [big, [9, 100, 5000]]
      ]
      for (const [b, cuts] of cases) {
        const chunks = []
        let at = 0
        for (const c of cuts) { chunks.push(b.subarray(at, at + c)); at += c }
        chunks.push(b.subarray(at))
        const want = run(referenceParser(), chunks)
        const got = run(mk(), chunks)
        assert.deepStrictEqual(got.returns, want.returns, 'cuts ' + cuts)
        assert.deepStrictEqual(got.events, want.events)
        assert.strictEqual(got.events.length, 1)
      }
    })

    it('a packet straddling chunks is assembled; the chunk is not copied otherwise', () => {
      const a = generate({ cmd: 'publish', topic: 'a', payload: Buffer.from('first') })
      const b = generate({ cmd: 'publish', topic: 'b', payload: Buffer.alloc(3000, 1) })
      const c = generate({ cmd: 'publish', topic: 'c', payload: Buffer.from('third') })
      const all = Buffer.concat([a, b, c])
      const p = mk()
      const got = []
      p.on('packet', (x) => got.push(x))
      const cut1 = a.length + 10
      const cut2 = a.length + 2000
      p.parse(all.subarray(0, cut1))
      p.parse(all.subarray(cut1, cut2))
      p.parse(all.subarray(cut2))
      assert.deepStrictEqual(got.map((x) => x.topic), ['a', 'b', 'c'])
      assert.deepStrictEqual(got[1].payload, Buffer.alloc(3000, 1))
      // zero-copy: the payloads of whole packets are views of the caller's chunk
      const inAll = (v) => v.buffer === all.buffer && v.byteOffset >= all.byteOffset && v.byteOffset + v.length <= all.byteOffset + all.length
      assert.ok(inAll(got[0].payload))
      assert.ok(inAll(got[2].payload))
      assert.ok(!inAll(got[1].payload))
    })

    it('the header itself split over several chunks', () => {
      const one = generate({ cmd: 'publish', topic: 'abc', payload: Buffer.alloc(20000, 3) }) // 3-byte remaining length
      const two = generate({ cmd: 'pingreq' })
      const all = Buffer.concat([two, one, two, one, two])
      for (let cut = 1; cut < 12; cut++) {
        const p = mk()
        const got = []
        p.on('packet', (x) => got.push(x.cmd))
        p.on('error', (e) => { throw e })
        p.parse(all.subarray(0, cut))
        p.parse(all.subarray(cut, cut + 1))
        p.parse(all.subarray(cut + 1, cut + 3))
        p.parse(all.subarray(cut + 3))
        assert.deepStrictEqual(got, ['pingreq', 'publish', 'pingreq', 'publish', 'pingreq'], 'cut ' + cut)
      }
    })

    it('packets before a malformed one in the same chunk are emitted first, then the error', () => {
      const good = generate({ cmd: 'publish', topic: 'ok', payload: Buffer.from('1') })
      const bad = Buffer.from([0x30, 0x03, 0x00, 0x01, 0x23]) // topic '#'
      const p = mk()
      const events = []
      p.on('packet', (x) => events.push('packet ' + x.topic))
      p.on('error', (e) => events.push('error ' + e.message))
      p.parse(Buffer.concat([good, good, bad, good]))
      assert.deepStrictEqual(events, ['packet ok', 'packet ok', 'error Invalid topic: wildcards are not allowed in a publish topic'])
    })

    it('recovery after an error is as in mqtt-packet: the next parse() starts afresh', () => {
      // mqtt-packet test.js 'stops parsing after first error'
      const connect = [16, 12, 0, 4, 77, 81, 84, 84, 4, 2, 0, 30, 0, 0]
      const badSub = [128, 9, 0, 6, 0, 4, 116, 101, 115, 116, 0]
      const disconnect = [224, 0]
      for (const make of [mk, referenceParser]) {
        const p = make()
        const events = []
        p.on('packet', (x) => events.push(x.cmd))
        p.on('error', (e) => events.push('error: ' + e.message))
        p.parse(Buffer.from([...connect, ...badSub, ...badSub, ...disconnect]))
        p.parse(Buffer.from([...connect, ...disconnect]))
        assert.deepStrictEqual(events, ['connect', 'error: Invalid header flag bits, must be 0x2 for subscribe packet', 'connect', 'disconnect'])
      }
      // an error in a straddling packet, then fresh data
      const p = mk()
      const events = []
      p.on('packet', (x) => events.push(x.cmd))
      p.on('error', (e) => events.push('error'))
      p.parse(Buffer.from([0x30, 0x05, 0x00, 0x01]))
      p.parse(Buffer.from([0x2B, 0x41, 0x42])) // topic '+'
      p.parse(Buffer.from(disconnect))
      assert.deepStrictEqual(events, ['error', 'disconnect'])
    })

    it("'this' is the parser in handlers; fields stored on the parser survive (Aedes)", () => {
      const p = mk()
      p.client = { name: 'aedes-client' }
      p._queue = []
      let self = null
      p.on('packet', function (packet) {
        self = this
        this._queue.push(packet.cmd)
      })
      p.parse(generate({ cmd: 'pingreq' }))
      assert.strictEqual(self, p)
      assert.deepStrictEqual(p._queue, ['pingreq'])
      assert.strictEqual(p.client.name, 'aedes-client')
      assert.ok(p instanceof EventEmitter)
      assert.ok(p instanceof Parser)
    })

    it('removeAllListeners inside a handler stops delivery of later packets in the chunk', () => {
      const p = mk()
      const got = []
      p.on('packet', function (x) {
        got.push(x.cmd)
        this.removeAllListeners('packet')
      })
      const ping = generate({ cmd: 'pingreq' })
      assert.strictEqual(p.parse(Buffer.concat([ping, ping, ping])), 0)
      assert.deepStrictEqual(got, ['pingreq'])
    })

    it('learns the protocol version from CONNECT (settings = the connect packet)', () => {
      const p = mk()
      const connect = generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'x', keepalive: 1, clean: true })
      const puback = generate({ cmd: 'puback', messageId: 3, reasonCode: 0x10, properties: { reasonString: 'r' } }, { protocolVersion: 5 })
      const got = []
      p.on('packet', (x) => got.push(x))
      p.parse(Buffer.concat([connect, puback]))
      assert.strictEqual(p.settings, got[0])
      assert.strictEqual(p.settings.protocolVersion, 5)
      assert.deepStrictEqual(plain(got[1]), { cmd: 'puback', retain: false, qos: 0, dup: false, length: puback.length - 2, topic: null, payload: null, messageId: 3, reasonCode: 0x10, properties: { reasonString: 'r' } })
      // and across chunks, with the CONNECT straddling
      const q = mk()
      const got2 = []
      q.on('packet', (x) => got2.push(x))
      const all = Buffer.concat([connect, puback])
      q.parse(all.subarray(0, 5))
      q.parse(all.subarray(5))
      assert.deepStrictEqual(got2.map(plain), got.map(plain))
    })

    it('opts.protocolVersion up front; settings is the opts object; read dynamically', () => {
      const opts = { protocolVersion: 5, huge: {} }
      opts.huge.self = opts // circular, like MQTT.js client options
      const p = mk(opts)
      assert.strictEqual(p.settings.protocolVersion, 5)
      const pkt = generate({ cmd: 'disconnect', reasonCode: 4 }, { protocolVersion: 5 })
      let got
      p.on('packet', (x) => { got = x })
      p.parse(pkt)
      assert.strictEqual(got.reasonCode, 4)
      const mqttjsLike = mqttwire.parser(opts)
      assert.strictEqual(mqttjsLike.settings, opts)
    })

    it('bridge mode: CONNECT level | 0x80 and opts.bridgeMode', () => {
      const connect = generate({ cmd: 'connect', protocolId: 'MQIsdp', protocolVersion: 3, bridgeMode: true, clientId: 'b', keepalive: 1, clean: true })
      const sub = generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 1 }] })
      const a = run(referenceParser(), [connect, sub])
      const b = run(mk(), [connect, sub])
      assert.deepStrictEqual(b.events, a.events)
      assert.strictEqual(b.events[0].packet.bridgeMode, true)
      assert.deepStrictEqual(b.events[1].packet.subscriptions, [{ topic: 't', qos: 1, rh: 0, rap: true, nl: true }])
      const c = run(mk({ bridgeMode: true }), [sub])
      assert.deepStrictEqual(c.events, run(referenceParser({ bridgeMode: true }), [sub]).events)
    })

    it('opts.maxPacketSize rejects a bigger packet from its fixed header alone', () => {
      const p = mk({ maxPacketSize: 100 })
      const errors = []
      const got = []
      p.on('packet', (x) => got.push(x.payload.length))
      p.on('error', (e) => errors.push(e))
      p.parse(generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(95) })) // 2 + 2 + 1 + 95 = 100: ok
      const big = generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(1000) })
      p.parse(big.subarray(0, 3)) // header only
      assert.deepStrictEqual(got, [95])
      assert.strictEqual(errors.length, 1)
      assert.strictEqual(errors[0].message, 'Packet too large: exceeds the maximum packet size of 100 bytes')
      assert.strictEqual(errors[0].code, 'MQTTWIRE_PACKET_TOO_LARGE')
      assert.throws(() => mk({ maxPacketSize: -1 }), RangeError)
    })

    it('Parser class: new Parser(opts), Parser.parser(opts), instance.parser(opts)', () => {
      const a = new Parser({ protocolVersion: 5 })
      assert.strictEqual(a.settings.protocolVersion, 5)
      const b = Parser.parser({})
      assert.ok(b instanceof Parser)
      assert.strictEqual(b.parser({ protocolVersion: 3 }), b)
      assert.strictEqual(b.settings.protocolVersion, 3)
    })

    it('a handler that parses with another parser (nested parse) does not corrupt the outer chunk', () => {
      const inner = mk()
      const innerGot = []
      inner.on('packet', (x) => innerGot.push(x.topic))
      const outer = mk()
      const outerGot = []
      const pk = (t) => generate({ cmd: 'publish', topic: t, payload: Buffer.from(t) })
      outer.on('packet', (x) => {
        outerGot.push(x.topic)
        inner.parse(Buffer.concat([pk('i1'), pk('i2')]))
      })
      outer.parse(Buffer.concat([pk('o1'), pk('o2'), pk('o3')]))
      assert.deepStrictEqual(outerGot, ['o1', 'o2', 'o3'])
      assert.deepStrictEqual(innerGot, ['i1', 'i2', 'i1', 'i2', 'i1', 'i2'])
    })

    it('a nested parse in the handler of a packet that straddled reads does not disturb the rest of that read', () => {
      // the read that completes 'o1' is framed with it in one call; o1's handler
      // parses with other parsers, whose small reads and straddling packets
      // must not touch the input area or tape that o2 and o3 are read from
      const pk = (t) => generate({ cmd: 'publish', topic: t, payload: Buffer.from(t.repeat(20)) })
      const o1 = pk('o1')
      const outer = mk()
      const got = []
      outer.on('packet', (x) => {
        got.push([x.topic, x.payload.toString()])
        if (x.topic !== 'o1') return
        const inner = mk()
        const innerGot = []
        inner.on('packet', (y) => innerGot.push(y.topic))
        const both = Buffer.concat([pk('i1'), pk('i2')])
        inner.parse(both.subarray(0, 30))
        inner.parse(both.subarray(30))
        assert.deepStrictEqual(innerGot, ['i1', 'i2'])
      })
      outer.on('error', (e) => { throw e })
      assert.strictEqual(outer.parse(o1.subarray(0, 10)), 10 - 2)
      assert.strictEqual(outer.parse(Buffer.concat([o1.subarray(10), pk('o2'), pk('o3')])), 0)
      assert.deepStrictEqual(got, [['o1', 'o1'.repeat(20)], ['o2', 'o2'.repeat(20)], ['o3', 'o3'.repeat(20)]])
    })

    it('a nested parse in a handler does not disturb the outer read when the outer tape fills up and the read is framed again', () => {
      // 6,000 PINGREQs fill the shared tape (FULL) within one read of 12 KiB, so the
      // outer parse frames the rest of its read again after the handler ran; the
      // handler parses with other parsers (their own tapes) each time.
      const pk = (t) => generate({ cmd: 'publish', topic: t, payload: Buffer.from(t) })
      const ping = generate({ cmd: 'pingreq' })
      const outerChunk = Buffer.concat([...Array(6000).fill(ping), pk('outer-last')])
      const innerChunk = Buffer.concat([pk('i1'), ping, pk('i2')])
      const outer = mk()
      const got = []
      let nested = 0
      outer.on('packet', (x) => {
        got.push(x.cmd === 'publish' ? x.topic : x.cmd)
        if (got.length % 1000 === 1) {
          const inner = mk()
          const innerGot = []
          inner.on('packet', (y) => innerGot.push(y.cmd === 'publish' ? y.topic : y.cmd))
          assert.strictEqual(inner.parse(innerChunk), 0)
          assert.deepStrictEqual(innerGot, ['i1', 'pingreq', 'i2'])
          nested++
        }
      })
      outer.on('error', (e) => { throw e })
      assert.strictEqual(outer.parse(outerChunk), 0)
      assert.strictEqual(got.length, 6001)
      assert.ok(got.slice(0, 6000).every((c) => c === 'pingreq'))
      assert.strictEqual(got[6000], 'outer-last')
      assert.strictEqual(nested, 7)
      // and the next read of the outer parser still frames correctly
      const again = []
      outer.removeAllListeners('packet')
      outer.on('packet', (x) => again.push(x.topic))
      outer.parse(pk('after'))
      assert.deepStrictEqual(again, ['after'])
    })

    it('a chunk with more records than the tape holds (tape growth)', () => {
      const ping = generate({ cmd: 'pingreq' })
      const sub = generate({ cmd: 'subscribe', messageId: 1, subscriptions: Array.from({ length: 30000 }, (_, i) => ({ topic: 'a' + (i % 10), qos: 0 })) })
      const buf = Buffer.concat([Buffer.concat(Array(40000).fill(ping)), sub, ping])
      const p = mk()
      let n = 0
      let subs = 0
      p.on('packet', (x) => { n++; if (x.cmd === 'subscribe') subs = x.subscriptions.length })
      p.on('error', (e) => { throw e })
      assert.strictEqual(p.parse(buf), 0)
      assert.strictEqual(n, 40002)
      assert.strictEqual(subs, 30000)
    })

    it('Uint8Array views at an offset into a larger ArrayBuffer', () => {
      const pk = generate({ cmd: 'publish', topic: 'off', payload: Buffer.from('set') })
      const big = Buffer.alloc(pk.length + 20)
      pk.copy(big, 10)
      const p = mk()
      let got
      p.on('packet', (x) => { got = x })
      p.parse(big.subarray(10, 10 + pk.length))
      assert.strictEqual(got.topic, 'off')
      assert.deepStrictEqual(got.payload, Buffer.from('set'))
    })
  })
}
