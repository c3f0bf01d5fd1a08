'use strict'
// parseAsync(buffer, opts): frames on the libuv pool (native) and builds packets.

const { describe, it } = require('node:test')
const assert = require('node:assert')
const mqttwire = require('..')
const { referenceParser, generate } = require('./helpers/reference')
const { run, plain } = require('./helpers/compare')
const { createRng, randomPacket } = require('./helpers/random-packets')

{
  describe(`parseAsync`, () => {
    it('resolves with the same packets as mqtt-packet', async () => {
      const rng = createRng(5)
      for (const version of [3, 4, 5]) {
        const list = []
        for (let i = 0; i < 3000; i++) {
          const p = randomPacket(rng, version)
          if (Buffer.isBuffer(p.username)) p.username = p.username.toString('hex')
          list.push(generate(p, { protocolVersion: version }))
        }
        const buf = Buffer.concat(list)
        const want = run(referenceParser({ protocolVersion: version }), [buf]).events
        const got = await mqttwire.parseAsync(buf, { protocolVersion: version })
        assert.deepStrictEqual(got.map((p) => ({ packet: plain(p) })), want)
      }
    })

    it('accepts a Uint8Array and many concurrent calls', async () => {
      const pk = generate({ cmd: 'publish', topic: 'u8', payload: Buffer.from('x'), qos: 1, messageId: 9 })
      const u8 = new Uint8Array(pk)
      const all = await Promise.all(Array.from({ length: 50 }, () => mqttwire.parseAsync(u8, {})))
      for (const r of all) assert.strictEqual(r[0].topic, 'u8')
    })

    it('rejects with the parse error, carrying the packets before it', async () => {
      const ok = generate({ cmd: 'pingreq' })
      const bad = Buffer.from([0x30, 0x03, 0x00, 0x01, 0x23])
      await assert.rejects(mqttwire.parseAsync(Buffer.concat([ok, ok, bad]), {}), (err) => {
        assert.strictEqual(err.message, 'Invalid topic: wildcards are not allowed in a publish topic')
        assert.strictEqual(err.code, 'MQTTWIRE_TOPIC_WILDCARD')
        assert.strictEqual(err.packets.length, 2)
        return true
      })
      await assert.rejects(mqttwire.parseAsync(Buffer.concat([ok, ok.subarray(0, 1)]), {}), (err) => {
        assert.strictEqual(err.code, 'MQTTWIRE_INCOMPLETE')
        assert.strictEqual(err.packets.length, 1)
        return true
      })
      await assert.rejects(mqttwire.parseAsync('nope', {}), TypeError)
    })
  })
}
