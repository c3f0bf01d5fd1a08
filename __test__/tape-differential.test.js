'use strict'
// The pure-JS framer (lib/js-framer.js) writes the IDENTICAL tape as the
// native one (src/tape.rs): header words (status, stop offset, need / error
// code, parameter, offset, count, version, words used) and every record word,
// in strict mode and in lenient mode (config bit LENIENT), on random valid
// streams, mutated streams, random bytes and streams of lenient-only packets
// (packet id 0, wildcard topics, U+0000, bad properties, CONNACK short forms);
// each case with and without the string arena (config bit ARENA), whose used
// bytes must be identical too.

const { describe, it } = require('node:test')
const assert = require('node:assert')

const { native } = require('./helpers/framers')
const { generate } = require('./helpers/reference')
const { createRng, randomPacket } = require('./helpers/random-packets')
const { randomLenientPacket, mutateLenient, lenientCases } = require('./helpers/lenient-packets')
const jsFramer = require('../lib/js-framer')

const LENIENT = 0x200
const ARENA = 0x400
const HEADER = 10
const STREAMS = Number(process.env.MQTTWIRE_TAPE_STREAMS) || 6000

const skip = native.hasNative ? false : 'native binding not built'

const TA = new Uint32Array(1 << 16)
const TB = new Uint32Array(1 << 16)

// The header and records, then (with the arena) the arena's used words.
function tapeOf (frame, T, buf, start, end, config, max) {
  frame(buf, start, end, config, max, T)
  const head = T.slice(0, Math.max(HEADER, T[7]))
  if ((config & ARENA) === 0) return head
  const a = T[8] / 4
  const arena = T.slice(a, a + T[9] / 4)
  const out = new Uint32Array(head.length + arena.length)
  out.set(head)
  out.set(arena, head.length)
  return out
}

function hex (a) {
  return Array.from(a, (x) => x.toString(16)).join(',')
}

const stats = { done: 0, partial: 0, error: 0, records: 0 }

// Compare both framers on buf[start..end] with `config`, with and without
// the arena.
function same (buf, config, start = 0, end = buf.length, max = 0) {
  sameWith(buf, config, start, end, max)
  sameWith(buf, config | ARENA, start, end, max)
}

function sameWith (buf, config, start, end, max) {
  const a = tapeOf(jsFramer.frame, TA, buf, start, end, config, max)
  const b = tapeOf(native.nativeFrame, TB, buf, start, end, config, max)
  if (a.length !== b.length || a.some((w, i) => w !== b[i])) {
    assert.fail(`tapes differ for ${buf.subarray(start, end).toString('hex')} (config 0x${config.toString(16)}, maxPacketSize ${max})\n` +
      `js:     ${hex(a)}\nnative: ${hex(b)}`)
  }
  stats[['done', 'partial', 'error', 'full'][a[0]]]++
  stats.records += a[5]
}

function randomStream (rng, version, lenientShare) {
  const list = []
  const n = rng.int(1, 6)
  for (let k = 0; k < n; k++) {
    if (rng.bool(lenientShare)) {
      list.push(randomLenientPacket(rng, version))
    } else {
      const p = randomPacket(rng, version)
      if (Buffer.isBuffer(p.username)) p.username = p.username.toString('hex')
      list.push(generate(p, { protocolVersion: version }))
    }
  }
  return Buffer.concat(list)
}

describe('JS framer tape === native tape', { skip }, () => {
  for (const mode of ['strict', 'lenient']) {
    const bit = mode === 'lenient' ? LENIENT : 0

    it(`${mode}: every lenient-only case, whole and cut at every byte`, () => {
      for (const [, version, bytes] of lenientCases()) {
        for (let cut = 1; cut <= bytes.length; cut++) same(bytes, version | bit, 0, cut)
        same(bytes, (version === 5 ? 4 : 5) | bit)
      }
    })

    it(`${mode}: ${STREAMS} random valid + lenient-only streams, with start/end offsets`, () => {
      const rng = createRng(mode === 'lenient' ? 0x1e41e47 : 0x57c1c7)
      for (let s = 0; s < STREAMS; s++) {
        const version = [3, 4, 5][s % 3]
        const buf = randomStream(rng, version, 0.4)
        const start = rng.bool(0.2) ? rng.int(0, buf.length - 1) : 0
        const end = rng.bool(0.2) ? rng.int(start, buf.length) : buf.length
        const max = rng.bool(0.1) ? rng.int(1, 300) : 0
        same(buf, version | bit | (rng.bool(0.05) ? 0x100 : 0), start, end, max)
      }
    })

    it(`${mode}: ${STREAMS} mutated streams (bytes relevant to the relaxed checks)`, () => {
      const rng = createRng(mode === 'lenient' ? 0xbad1e47 : 0xbad57c)
      for (let s = 0; s < STREAMS; s++) {
        const version = [3, 4, 5][s % 3]
        const buf = Buffer.from(randomStream(rng, version, 0.3))
        const m = rng.int(1, 3)
        for (let j = 0; j < m; j++) mutateLenient(rng, buf)
        same(buf, version | bit)
      }
    })

    it(`${mode}: ${STREAMS} random byte streams`, () => {
      const rng = createRng(mode === 'lenient' ? 4242 : 42)
      for (let s = 0; s < STREAMS; s++) {
        const version = [3, 4, 5][s % 3]
        const len = rng.int(1, 64)
        const buf = Buffer.alloc(len)
        for (let i = 0; i < len; i++) buf[i] = rng.int(0, 255)
        if (rng.bool(0.5)) {
          buf[0] = (rng.int(1, 15) << 4) | (rng.bool(0.7) ? [0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0][buf[0] >> 4] : buf[0] & 15)
          if (len > 1) buf[1] = rng.int(0, len - 2)
        }
        same(buf, version | bit)
      }
    })
  }

  it('every outcome was exercised', () => {
    assert.ok(stats.done > 1000 && stats.partial > 100 && stats.error > 1000 && stats.records > 10000, JSON.stringify(stats))
  })
})
