'use strict'
// Binary fields (PUBLISH payload, will payload, password, v5 binary
// properties) are zero-copy Buffer views of the caller's chunk: a real Buffer
// (prototype Buffer.prototype, as mqtt-packet's), at the exact place of those
// bytes in the chunk, also when the chunk starts deep inside its ArrayBuffer
// (lib/build.js makes views from buf.buffer and buf.byteOffset, read once per
// chunk). Every parse path: parser, router, parseAsync.

const { describe, it } = require('node:test')
const assert = require('node:assert')
const path = require('node:path')

const mqttwire = require('..')
const { generate } = require('./helpers/reference')

// Distinct byte patterns, so each field's place in the chunk is unambiguous.
const PAY = Buffer.from('payload-bytes-0123456789')
const CORR = Buffer.from([0xC0, 0xC1, 0xC2, 0xC3, 0xC4])
const WILL = Buffer.from('will-payload-xyz')
const PASS = Buffer.from([0xAA, 0xBB, 0xCC, 0x00, 0xDD])
const WCORR = Buffer.from([0xE0, 0xE1, 0xE2])
const AUTH = Buffer.from([0xF0, 0xF1, 0xF2, 0xF3])

const PACKETS = [
  {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 5,
    clean: true,
    keepalive: 10,
    clientId: 'views',
    password: PASS,
    username: 'u',
    will: { topic: 'w/t', payload: WILL, qos: 1, retain: false, properties: { correlationData: WCORR } }
  },
  { cmd: 'publish', topic: 'a/b', qos: 1, messageId: 7, payload: PAY, properties: { correlationData: CORR, contentType: 'c' } },
  { cmd: 'publish', topic: 'a/c', qos: 0, payload: Buffer.alloc(0) },
  { cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'M', authenticationData: AUTH } }
]

/** The packets' bytes placed `at` bytes into a larger ArrayBuffer. */
function chunkAt (at) {
  const bytes = Buffer.concat(PACKETS.map((p) => generate(p, { protocolVersion: 5 })))
  const ab = new ArrayBuffer(at + bytes.length + 9)
  const chunk = Buffer.from(ab, at, bytes.length)
  bytes.copy(chunk)
  return chunk
}

/** Assert `v` is a Buffer view of `chunk` over the (unique) occurrence of `want`. */
function assertView (v, chunk, want, what) {
  assert.strictEqual(Object.getPrototypeOf(v), Buffer.prototype, what + ': a Buffer')
  assert.ok(Buffer.isBuffer(v), what)
  assert.deepStrictEqual(v, want, what + ': bytes')
  if (want.length === 0) return
  const at = chunk.indexOf(want)
  assert.ok(at >= 0 && chunk.indexOf(want, at + 1) < 0, what + ': pattern unique in the chunk')
  assert.strictEqual(v.buffer, chunk.buffer, what + ': same memory as the chunk')
  assert.strictEqual(v.byteOffset, chunk.byteOffset + at, what + ': at its place in the chunk')
  assert.strictEqual(v.length, want.length, what + ': length')
}

function checkAll (got, chunk, via) {
  const [connect, pub, pub0, auth] = got
  assertView(connect.password, chunk, PASS, via + ' password')
  assertView(connect.will.payload, chunk, WILL, via + ' will payload')
  assertView(connect.will.properties.correlationData, chunk, WCORR, via + ' will correlationData')
  assertView(pub.payload, chunk, PAY, via + ' payload')
  assertView(pub.properties.correlationData, chunk, CORR, via + ' correlationData')
  assertView(pub0.payload, chunk, Buffer.alloc(0), via + ' empty payload')
  assertView(auth.properties.authenticationData, chunk, AUTH, via + ' authenticationData')
}

{
  describe(`payload views`, () => {
    for (const at of [0, 1, 13, 4096]) {
      it(`parser: views at their place, chunk ${at} B into its ArrayBuffer`, () => {
        const chunk = chunkAt(at)
        const p = mqttwire.parser({ protocolVersion: 5 })
        const got = []
        p.on('packet', (x) => got.push(x))
        p.on('error', (e) => { throw e })
        assert.strictEqual(p.parse(chunk), 0)
        assert.strictEqual(got.length, PACKETS.length)
        checkAll(got, chunk, 'parser')
      })

      it(`router: views at their place, chunk ${at} B into its ArrayBuffer`, () => {
        const chunk = chunkAt(at)
        const got = []
        const r = mqttwire.router({ protocolVersion: 5 },
          (topic, payload, qos, messageId, retain, dup, properties) => got.push({ payload, properties }),
          (x) => got.push(x))
        r.on('error', (e) => { throw e })
        r.parse(chunk)
        checkAll(got, chunk, 'router')
      })
    }

    it('parseAsync: views at their place', async () => {
      const chunk = chunkAt(29)
      checkAll(await mqttwire.parseAsync(chunk, { protocolVersion: 5 }), chunk, 'parseAsync')
    })

    it('a packet completed from two chunks: views of the parser\'s own copy, right bytes', () => {
      const chunk = chunkAt(5)
      const cut = chunk.indexOf(PAY) + 3 // inside the PUBLISH payload
      const p = mqttwire.parser({ protocolVersion: 5 })
      const got = []
      p.on('packet', (x) => got.push(x))
      p.parse(chunk.subarray(0, cut))
      p.parse(chunk.subarray(cut))
      assert.strictEqual(got.length, PACKETS.length)
      assert.deepStrictEqual(got[1].payload, PAY)
      assert.deepStrictEqual(got[1].properties.correlationData, CORR)
      assert.strictEqual(Object.getPrototypeOf(got[1].payload), Buffer.prototype)
      assert.notStrictEqual(got[1].payload.buffer, chunk.buffer)
      // the packets after it are views of the second chunk again
      assertView(got[3].properties.authenticationData, chunk, AUTH, 'after the straddling packet')
    })
  })
}

// Where Buffer[Symbol.species] is not Node's Buffer constructor (another
// runtime, or patched), views are made with Buffer.from(arrayBuffer, ...):
// same result. A fresh copy of lib/ is loaded with the species replaced.
describe('payload views without Buffer[Symbol.species]', () => {
  it('fall back to Buffer.from, same views', () => {
    const lib = path.join(__dirname, '..', 'lib') + path.sep
    const saved = {}
    for (const k of Object.keys(require.cache)) if (k.startsWith(lib)) { saved[k] = require.cache[k]; delete require.cache[k] }
    const desc = Object.getOwnPropertyDescriptor(Buffer, Symbol.species)
    Object.defineProperty(Buffer, Symbol.species, { configurable: true, get () { return Uint8Array } })
    let fresh
    try {
      fresh = require('../lib/parser')
    } finally {
      Object.defineProperty(Buffer, Symbol.species, desc)
      for (const k of Object.keys(require.cache)) if (k.startsWith(lib)) delete require.cache[k]
      Object.assign(require.cache, saved)
    }
    assert.notStrictEqual(fresh.parser, mqttwire.parser, 'a fresh copy of lib/ was loaded')
    for (const at of [0, 13]) {
      const chunk = chunkAt(at)
      const p = fresh.parser({ protocolVersion: 5 })
      const got = []
      p.on('packet', (x) => got.push(x))
      p.parse(chunk)
      checkAll(got, chunk, 'fallback parser')
    }
  })
})
