'use strict'
// What parse() takes besides a Buffer, as mqtt-packet (through its
// BufferList) does: ArrayBuffer views and ArrayBuffers parsed in place as
// bytes, strings as UTF-8, null / undefined as nothing; other values are a
// TypeError (mqtt-packet would parse the decimal digits of a number).

const { describe, it } = require('node:test')
const assert = require('node:assert')
const vm = require('node:vm')

const mqttwire = require('..')
const { referenceParser, generate } = require('./helpers/reference')

const PUB = generate({ cmd: 'publish', topic: 'a/b', qos: 1, messageId: 3, payload: Buffer.from('hello') })
const BYTES = Buffer.concat([PUB, generate({ cmd: 'pingreq' }), PUB])
const BIG = Buffer.concat(Array(400).fill(PUB)) // > 4 KiB: the arena path

/** The same bytes in another container, in the middle of a larger ArrayBuffer. */
function asView (bytes, Kind) {
  const ab = new ArrayBuffer(bytes.length + 16)
  new Uint8Array(ab, 8, bytes.length).set(bytes)
  if (Kind === ArrayBuffer) return ab.slice(8, 8 + bytes.length)
  if (Kind === DataView) return new DataView(ab, 8, bytes.length)
  if (Kind === Uint16Array) { // byteLength must be even
    const ab2 = new ArrayBuffer(bytes.length + (bytes.length & 1) + 16)
    new Uint8Array(ab2, 8, bytes.length).set(bytes)
    return { view: new Uint16Array(ab2, 8, (bytes.length + 1) >> 1), extra: bytes.length & 1 }
  }
  return new Kind(ab, 8, bytes.length)
}

function run (p, input) {
  const got = []
  p.on('packet', (x) => got.push(x))
  p.on('error', (e) => got.push(e))
  const ret = p.parse(input)
  return { ret, got }
}

const plain = (x) => x instanceof Error ? { error: x.message } : JSON.parse(JSON.stringify(x))

{
  describe(`parse() inputs`, () => {
    for (const Kind of [Uint8Array, Uint8ClampedArray, Int8Array, DataView, ArrayBuffer]) {
      for (const [what, bytes] of [['3 packets', BYTES], ['400 packets', BIG]]) {
        it(`${Kind.name}: ${what}, parsed in place, as mqtt-packet parses them`, () => {
          const input = asView(bytes, Kind)
          const got = run(mqttwire.parser({}), input)
          const want = run(referenceParser(), asView(bytes, Kind))
          assert.strictEqual(got.ret, want.ret)
          assert.deepStrictEqual(got.got.map(plain), want.got.map(plain))
          const payload = got.got[0].payload
          assert.strictEqual(Object.getPrototypeOf(payload), Buffer.prototype)
          assert.deepStrictEqual(payload, Buffer.from('hello'))
          // zero-copy: the payload is in the input's memory
          const ab = Kind === ArrayBuffer ? input : input.buffer
          assert.strictEqual(payload.buffer, ab)
        })
      }
    }

    it('an ArrayBuffer or typed array of another realm, a SharedArrayBuffer, a String object: like mqtt-packet', () => {
      const other = vm.runInNewContext(`new ArrayBuffer(${BYTES.length})`)
      new Uint8Array(other).set(BYTES)
      const otherView = vm.runInNewContext('(ab) => new Uint8Array(ab)')(other)
      const sab = new SharedArrayBuffer(BYTES.length)
      new Uint8Array(sab).set(BYTES)
      for (const [what, input] of [['realm ArrayBuffer', other], ['realm Uint8Array', otherView], ['SharedArrayBuffer', sab], ['String', new String('\xc0\x00')]]) { // eslint-disable-line no-new-wrappers
        const got = run(mqttwire.parser({}), input)
        const want = run(referenceParser(), input)
        assert.strictEqual(got.ret, want.ret, what)
        assert.deepStrictEqual(got.got.map(plain), want.got.map(plain), what)
        assert.ok(got.got.length > 0, what)
      }
    })

    it('a Uint16Array is read as its bytes, like mqtt-packet', () => {
      const { view: input, extra } = asView(BYTES, Uint16Array)
      assert.strictEqual(extra, BYTES.length & 1)
      const got = run(mqttwire.parser({}), input)
      const want = run(referenceParser(), asView(BYTES, Uint16Array).view)
      assert.strictEqual(got.ret, want.ret)
      assert.deepStrictEqual(got.got.map(plain), want.got.map(plain))
    })

    it('a packet split across a Uint8Array and a Buffer', () => {
      const p = mqttwire.parser({})
      const got = []
      p.on('packet', (x) => got.push(x.cmd))
      assert.strictEqual(p.parse(new Uint8Array(BYTES.subarray(0, 5))), 3)
      p.parse(BYTES.subarray(5))
      assert.deepStrictEqual(got, ['publish', 'pingreq', 'publish'])
    })

    it('null and undefined parse nothing and keep what is buffered, like mqtt-packet', () => {
      for (const nothing of [null, undefined]) {
        const p = mqttwire.parser({})
        const ref = referenceParser()
        const got = []
        p.on('packet', (x) => got.push(x.cmd))
        assert.strictEqual(p.parse(nothing), ref.parse(nothing))
        assert.strictEqual(p.parse(PUB.subarray(0, 4)), ref.parse(PUB.subarray(0, 4)))
        assert.strictEqual(p.parse(nothing), ref.parse(nothing))
        p.parse(PUB.subarray(4))
        assert.deepStrictEqual(got, ['publish'])
      }
    })

    it('a string is parsed as its UTF-8 bytes, like mqtt-packet', () => {
      for (const s of ['\xc0\x00', 'x', '\u00d0\u0080']) {
        const got = run(mqttwire.parser({}), s)
        const want = run(referenceParser(), s)
        assert.strictEqual(got.ret, want.ret, JSON.stringify(s))
        assert.deepStrictEqual(got.got.map(plain), want.got.map(plain))
      }
    })

    it('numbers, arrays and objects are a TypeError naming what was given; the parser goes on', () => {
      const p = mqttwire.parser({})
      const got = []
      p.on('packet', (x) => got.push(x.cmd))
      for (const [bad, what] of [[42, 'number'], [[0xc0, 0], 'an array'], [{ length: 2 }, 'object'], [true, 'boolean']]) {
        assert.throws(() => p.parse(bad), (e) => e instanceof TypeError && e.message.endsWith('got ' + what) && e.message.includes('parse() takes a Buffer'))
      }
      p.parse(PUB)
      assert.deepStrictEqual(got, ['publish'])
    })

    it('the router takes the same inputs', () => {
      const topics = []
      const r = mqttwire.router({}, (topic, payload) => topics.push([topic, payload]))
      r.parse(asView(BYTES, DataView))
      r.parse(null)
      r.parse(asView(PUB, ArrayBuffer))
      assert.deepStrictEqual(topics.map((t) => t[0]), ['a/b', 'a/b', 'a/b'])
      assert.strictEqual(Object.getPrototypeOf(topics[2][1]), Buffer.prototype)
      assert.throws(() => r.parse(7), TypeError)
    })
  })

  describe(`parseAsync inputs`, () => {
    it('ArrayBuffer views and ArrayBuffers', async () => {
      for (const Kind of [Uint8Array, DataView, ArrayBuffer]) {
        const packets = await mqttwire.parseAsync(asView(BYTES, Kind), {})
        assert.deepStrictEqual(packets.map((x) => x.cmd), ['publish', 'pingreq', 'publish'], Kind.name)
      }
      const sab = new SharedArrayBuffer(BYTES.length)
      new Uint8Array(sab).set(BYTES)
      const other = vm.runInNewContext(`new ArrayBuffer(${BYTES.length})`)
      new Uint8Array(other).set(BYTES)
      for (const input of [sab, other]) {
        const packets = await mqttwire.parseAsync(input, {})
        assert.deepStrictEqual(packets.map((x) => x.cmd), ['publish', 'pingreq', 'publish'])
      }
    })
    it('anything else rejects with a TypeError', async () => {
      for (const bad of ['str', 42, null, [1]]) {
        await assert.rejects(mqttwire.parseAsync(bad, {}), (e) => e instanceof TypeError && /must be a Buffer/.test(e.message))
      }
    })
  })
}
