#!/usr/bin/env node
'use strict'
// How far mqttwire's generate() is from the cheapest JS encoding of the same
// 3.1.1 PUBLISH packets: a "floor" encoder that does only what the bytes need
// (carve a view from a 64 KiB block as lib/encode.js does, header, length,
// topic copied by charCodeAt, message id, payload by set()) and checks
// nothing an application could get wrong (qos, message id, topic type,
// payload type, sizes, options). Its bytes are checked equal to generate()'s
// first. Both run in one process over the packets of bench/run.js's w4 (the
// first 10,000 w1 packets cycled to 100k; those under 400 bytes of payload,
// which the floor encoder handles), each with its own compiled loop and
// consumer, rounds alternated; a forced gc() and one untimed pass before each
// timed one, as bench/run.js.
//
//   node bench/encode-floor.js [--rounds 21]
//
// It answers one question: how much could the encoder's own JS still give?
// (Session 8, two runs: generate() 1.13x and 1.12x the floor's time, paired by round.)

const W = require('./workloads')
const { newConsumer, exposeGc, blockCarver } = require('./drivers')
const mqttwire = require('..')

const args = process.argv.slice(2)
const at = args.indexOf('--rounds')
const ROUNDS = at >= 0 ? Number(args[at + 1]) : 21
const gc = exposeGc()
if (gc === null) throw new Error('bench/encode-floor.js: gc() is not available')

const take = blockCarver(64 * 1024)

/** The floor: a 3.1.1 PUBLISH with an ASCII topic and a payload Buffer, remaining length < 16384. */
function floor (p) {
  const topic = p.topic
  const payload = p.payload
  const qos = p.qos
  const tl = topic.length
  const len = 2 + tl + payload.length + (qos ? 2 : 0)
  const buf = take(1 + (len < 128 ? 1 : 2) + len)
  buf[0] = 0x30 | (qos << 1) | (p.dup ? 8 : 0) | (p.retain ? 1 : 0)
  let o = 1
  if (len < 128) buf[o++] = len
  else { buf[o++] = (len & 0x7f) | 0x80; buf[o++] = len >>> 7 }
  buf[o++] = tl >>> 8
  buf[o++] = tl & 0xff
  for (let i = 0; i < tl; i++) buf[o + i] = topic.charCodeAt(i)
  o += tl
  if (qos) {
    const id = p.messageId
    buf[o++] = id >>> 8
    buf[o++] = id & 0xff
  }
  buf.set(payload, o)
  return buf
}

const packets = W.cycle(W.publishPackets(10000, 4, 11), 100000).filter((p) => p.payload.length < 400)
const opts = { protocolVersion: 4 }
for (let i = 0; i < 10000; i++) {
  if (!floor(packets[i]).equals(mqttwire.generate(packets[i], opts))) throw new Error(`bench/encode-floor.js: packet ${i} encodes differently`)
}

const LOOP = 'return function run (gen, packets, opts, keep) { for (let i = 0; i < packets.length; i++) keep(gen(packets[i], opts)) }'
const sides = [['generate()', mqttwire.generate], ['floor', floor]].map(([name, fn]) => ({
  name, fn, run: new Function(LOOP)(), consumer: newConsumer(false), ns: [] // eslint-disable-line no-new-func
}))
for (let r = 0; r < ROUNDS + 2; r++) {
  for (const s of (r % 2 ? sides.slice().reverse() : sides)) {
    gc()
    s.run(s.fn, packets, opts, s.consumer.keep) // settle pass
    const t0 = process.hrtime.bigint()
    s.run(s.fn, packets, opts, s.consumer.keep)
    if (r >= 2) s.ns.push(Number(process.hrtime.bigint() - t0) / packets.length)
  }
}
const median = (xs) => { const q = xs.slice().sort((a, b) => a - b); return q[q.length >> 1] }
console.log(`${packets.length} 3.1.1 PUBLISH packets (w4's, payload < 400 B), ${ROUNDS} rounds, Node ${process.version}`)
for (const s of sides) console.log(`  ${s.name.padEnd(11)} ${median(s.ns).toFixed(1)} ns a packet (median)`)
const ratios = sides[0].ns.map((t, i) => t / sides[1].ns[i])
console.log(`  generate() / floor, paired by round: ${median(ratios).toFixed(2)}x`)
