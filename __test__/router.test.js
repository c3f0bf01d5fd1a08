'use strict'
// router(): PUBLISH as positional arguments, everything else as objects.

const { describe, it } = require('node:test')
const assert = require('node:assert')
const mqttwire = require('..')
const { referenceParser, generate } = require('./helpers/reference')
const { run, split } = require('./helpers/compare')
const { createRng, randomPacket } = require('./helpers/random-packets')

{
  describe(`router`, () => {
    it('delivers PUBLISH fields positionally and other packets as mqtt-packet objects', () => {
      const rng = createRng(99)
      // reads of up to 512 B (strings cut from the chunk) and reads of up to 64 KiB (ASCII
      // strings from the call's arena string)
      for (const [version, maxRead] of [[3, 512], [4, 512], [5, 512], [5, 65536]]) {
        const opts = { protocolVersion: version }
        const list = []
        for (let i = 0; i < 2000; i++) {
          const p = randomPacket(rng, version)
          if (Buffer.isBuffer(p.username)) p.username = p.username.toString('hex')
          list.push(generate(p, opts))
        }
        const buf = Buffer.concat(list)
        const expected = run(referenceParser(opts), [buf]).events.map((e) => e.packet)
        const got = []
        const r = mqttwire.router(Object.assign({}, opts), function (topic, payload, qos, messageId, retain, dup, properties) {
          assert.strictEqual(this, r)
          assert.strictEqual(arguments.length, 7)
          got.push({ topic, payload, qos, messageId, retain, dup, properties })
        }, (packet) => got.push(Object.assign({}, packet)))
        r.on('error', (e) => { throw e })
        for (const c of split(rng, buf, maxRead)) r.parse(c)
        assert.strictEqual(got.length, expected.length)
        for (let i = 0; i < got.length; i++) {
          const e = expected[i]
          if (e.cmd === 'publish') {
            // taken now, after the whole stream: user properties are built late
            const props = got[i].properties
            if (version === 5 && props !== undefined) {
              assert.ok(props instanceof mqttwire.PublishProperties)
              got[i].properties = props.toObject()
            }
            assert.deepStrictEqual(got[i], {
              topic: e.topic,
              payload: e.payload,
              qos: e.qos,
              messageId: e.qos > 0 ? e.messageId : 0,
              retain: e.retain,
              dup: e.dup,
              properties: e.properties
            })
          } else {
            assert.deepStrictEqual(got[i], e)
          }
        }
      }
    })

    it("learns the version from CONNECT, emits 'error', recovers on the next parse", () => {
      const got = []
      const errors = []
      const r = mqttwire.router({}, (topic, payload, qos, id, retain, dup, props) => got.push([topic, props.toObject()]), (p) => got.push(p.cmd))
      r.on('error', (e) => errors.push(e.message))
      const connect = generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'a', keepalive: 5, clean: true })
      const pub = generate({ cmd: 'publish', topic: 't', payload: Buffer.from('x'), properties: { contentType: 'c' } }, { protocolVersion: 5 })
      r.parse(Buffer.concat([connect, pub, Buffer.from([0x30, 0x03, 0x00, 0x01, 0x23]), pub]))
      r.parse(pub)
      assert.deepStrictEqual(got, ['connect', ['t', { contentType: 'c' }], ['t', { contentType: 'c' }]])
      assert.deepStrictEqual(errors, ['Invalid topic: wildcards are not allowed in a publish topic'])
      assert.strictEqual(r.settings.protocolVersion, 5)
      assert.throws(() => mqttwire.router({}), TypeError)
    })
  })
}

// A v5 PUBLISH as raw bytes: topic "t", QoS 1 (id 9), property block from raw property bytes.
function rawPublish (propBytes, payload = 'pl') {
  const body = Buffer.concat([Buffer.from([0, 1, 0x74, 0, 9, propBytes.length]), Buffer.from(propBytes), Buffer.from(payload)])
  return Buffer.concat([Buffer.from([0x32, body.length]), body])
}

{
  describe(`router: PublishProperties`, () => {
    const opts = { protocolVersion: 5 }
    const route = (o, chunks) => {
      const got = []
      const r = mqttwire.router(o, (topic, payload, qos, id, retain, dup, props) => got.push(props))
      r.on('error', (e) => { throw e })
      for (const c of chunks) r.parse(c)
      return got
    }
    const full = {
      payloadFormatIndicator: true,
      messageExpiryInterval: 3600,
      contentType: 'application/json',
      responseTopic: 'reply/to/ü',
      correlationData: Buffer.from([1, 2, 3]),
      subscriptionIdentifier: [5, 700],
      topicAlias: 4,
      userProperties: { trace: 'x-1', dup: ['a', 'b', ''], 'ключ': 'значение' }
    }
    const pub = (properties) => generate({ cmd: 'publish', topic: 'a/b', payload: Buffer.from('p'), qos: 1, messageId: 3, properties }, { protocolVersion: 5 })
    const reference = (buf) => run(referenceParser({ protocolVersion: 5 }), [buf]).events[0].packet.properties

    it('has every PUBLISH property as a field (undefined when absent) and equals mqtt-packet via toObject()', () => {
      const buf = pub(full)
      const [p] = route(opts, [buf])
      assert.ok(p instanceof mqttwire.PublishProperties)
      assert.strictEqual(p.contentType, 'application/json')
      assert.strictEqual(p.messageExpiryInterval, 3600)
      assert.strictEqual(p.responseTopic, 'reply/to/ü')
      assert.deepStrictEqual(p.subscriptionIdentifier, [5, 700])
      assert.deepStrictEqual(p.toObject(), reference(buf))
      const [q] = route(opts, [pub({ contentType: 'c' })])
      assert.deepStrictEqual(Object.keys(q), ['payloadFormatIndicator', 'messageExpiryInterval', 'contentType',
        'responseTopic', 'correlationData', 'subscriptionIdentifier', 'topicAlias'])
      assert.strictEqual(q.topicAlias, undefined)
      assert.strictEqual(q.userProperties, undefined)
      assert.deepStrictEqual(q.toObject(), { contentType: 'c' })
      assert.deepStrictEqual(route(opts, [pub(undefined)]), [undefined])
    })

    it('builds userProperties on first access, right after later parse() calls reused the tape', () => {
      const ups = [
        { k: 'first' },
        { k: 'a', k2: 'b' },
        { same: ['x', 'y'] },
        { three: '1', of: '2', them: '3' },
        { k: ['1', '2', '3'], z: 'ü-non-ascii', 'ключ': 'значение' },
        { '': '' }
      ]
      const packets = ups.map((userProperties, i) => pub({ userProperties, contentType: 'ct' + i }))
      const refs = packets.map(reference)
      // small reads (strings cut from the chunk), the first packet split across two reads
      // (its strings in the router's own copy), and one read of more than 4 KiB (strings
      // in the arena string of that parse() call)
      const all = Buffer.concat(packets)
      const big = Buffer.concat(Array.from({ length: 40 }, () => all))
      assert.ok(big.length > 4096)
      const got = route(opts, [packets[0].subarray(0, 7), Buffer.concat([packets[0].subarray(7), ...packets.slice(1)]), big, all])
      assert.strictEqual(got.length, packets.length * 42)
      for (let i = got.length - 1; i >= 0; i--) {
        const k = i % packets.length
        assert.deepStrictEqual(got[i].userProperties, refs[k].userProperties, `packet ${i}`)
        assert.strictEqual(Object.getPrototypeOf(got[i].userProperties), null)
        assert.strictEqual(got[i].userProperties, got[i].userProperties, 'built once, then kept')
        assert.deepStrictEqual(got[i].toObject(), refs[k])
      }
      assert.deepStrictEqual(route(opts, [pub(full)])[0].toObject(), reference(pub(full)))
    })

    it('userProperties can be replaced; JSON and inspect show the mqtt-packet object', () => {
      const [p] = route(opts, [pub({ messageExpiryInterval: 9, userProperties: { a: 'b' } })])
      assert.strictEqual(JSON.stringify(p), JSON.stringify({ messageExpiryInterval: 9, userProperties: { a: 'b' } }))
      assert.match(require('node:util').inspect(p), /^PublishProperties \{\s+messageExpiryInterval: 9,\s+userProperties: .*a: 'b'/)
      assert.ok(Object.keys({ ...p }).every((k) => k !== 'userProperties'), 'spreading copies own fields only: use toObject()')
      // another encoder given it (mqtt-packet walks with for-in, writes own properties only):
      // a well-formed packet without the user properties, not a corrupt one; toObject() keeps them
      const packet = { cmd: 'publish', topic: 't', payload: Buffer.from('x'), properties: p }
      assert.deepStrictEqual(reference(generate(packet, { protocolVersion: 5 })), { messageExpiryInterval: 9 })
      packet.properties = p.toObject()
      assert.deepStrictEqual(reference(generate(packet, { protocolVersion: 5 })), { messageExpiryInterval: 9, userProperties: { __proto__: null, a: 'b' } })
      p.userProperties = { c: 'd' }
      assert.deepStrictEqual(p.toObject(), { messageExpiryInterval: 9, userProperties: { c: 'd' } })
      p.userProperties = undefined
      assert.deepStrictEqual(p.toObject(), { messageExpiryInterval: 9 })
    })

    it('generate() and writeToStream() forward a PublishProperties, user properties included', () => {
      const buf = pub(full)
      const [p] = route(opts, [buf])
      const packet = { cmd: 'publish', topic: 'a/b', payload: Buffer.from('p'), qos: 1, messageId: 3, properties: p }
      const out = mqttwire.generate(packet, { protocolVersion: 5 })
      assert.strictEqual(out.length, buf.length)
      assert.deepStrictEqual(reference(out), reference(buf))
      const chunks = []
      const stream = { write (c) { chunks.push(Buffer.from(c)); return true } }
      assert.strictEqual(mqttwire.writeToStream(packet, stream, { protocolVersion: 5 }), true)
      assert.deepStrictEqual(reference(Buffer.concat(chunks)), reference(buf))
      // user properties removed: not written
      p.userProperties = undefined
      const fewer = mqttwire.generate(packet, { protocolVersion: 5 })
      assert.strictEqual(reference(fewer).userProperties, undefined)
      const want = reference(buf)
      delete want.userProperties
      assert.deepStrictEqual(reference(fewer), want)
    })

    it('strict: false: a repeated property or one PUBLISH may not carry is delivered as mqtt-packet has it', () => {
      // sessionExpiryInterval (not allowed in PUBLISH), contentType twice, a user property, payloadFormatIndicator 0 then 1
      const bytes = rawPublish([0x11, 0, 0, 0, 9, 0x03, 0, 1, 0x61, 0x03, 0, 1, 0x62, 0x26, 0, 1, 0x6b, 0, 1, 0x76, 0x01, 0, 0x01, 1])
      assert.throws(() => route(opts, [bytes]), /Property sessionExpiryInterval is not allowed in publish packet/)
      const [p] = route({ ...opts, strict: false }, [bytes])
      assert.ok(p instanceof mqttwire.PublishProperties)
      assert.strictEqual(p.sessionExpiryInterval, 9)
      assert.deepStrictEqual(p.contentType, ['a', 'b'])
      assert.deepStrictEqual(p.toObject(), reference(bytes))
    })
  })
}
