'use strict'
// router(): PUBLISH as positional arguments, everything else as objects.

const { describe, it } = require('node:test')
const assert = require('node:assert')
const mqttwire = require('..')
const { FRAMERS } = require('./helpers/framers')
const { referenceParser, generate } = require('./helpers/reference')
const { run, split } = require('./helpers/compare')
const { createRng, randomPacket } = require('./helpers/random-packets')

for (const { name: framer, skip } of FRAMERS) {
  describe(`router [${framer} framer]`, { skip }, () => {
    it('delivers PUBLISH fields positionally and other packets as mqtt-packet objects', () => {
      const rng = createRng(99)
      for (const version of [3, 4, 5]) {
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
        const r = mqttwire.router(Object.assign({ framer }, opts), function (topic, payload, qos, messageId, retain, dup, properties) {
          assert.strictEqual(this, r)
          assert.strictEqual(arguments.length, 7)
          got.push({ topic, payload, qos, messageId, retain, dup, properties })
        }, (packet) => got.push(Object.assign({}, packet)))
        r.on('error', (e) => { throw e })
        for (const c of split(rng, buf, 512)) r.parse(c)
        assert.strictEqual(got.length, expected.length)
        for (let i = 0; i < got.length; i++) {
          const e = expected[i]
          if (e.cmd === 'publish') {
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
      const r = mqttwire.router({ framer }, (topic, payload, qos, id, retain, dup, props) => got.push([topic, props]), (p) => got.push(p.cmd))
      r.on('error', (e) => errors.push(e.message))
      const connect = generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'a', keepalive: 5, clean: true })
      const pub = generate({ cmd: 'publish', topic: 't', payload: Buffer.from('x'), properties: { contentType: 'c' } }, { protocolVersion: 5 })
      r.parse(Buffer.concat([connect, pub, Buffer.from([0x30, 0x03, 0x00, 0x01, 0x23]), pub]))
      r.parse(pub)
      assert.deepStrictEqual(got, ['connect', ['t', { contentType: 'c' }], ['t', { contentType: 'c' }]])
      assert.deepStrictEqual(errors, ['Invalid topic: wildcards are not allowed in a publish topic'])
      assert.strictEqual(r.settings.protocolVersion, 5)
      assert.throws(() => mqttwire.router({ framer }), TypeError)
    })
  })
}
