'use strict'
// Per-operation costs on this machine, the building blocks of the Node path
// (what one packet costs at least, whoever frames it), and where a w5
// packet's time goes.
//
//   node bench/ops.js
const binding = require('../binding.js')
const N = 2e6
const buf = Buffer.alloc(65536, 97)

function time (name, f, n = N) {
  f() // warm-up
  let best = Infinity
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint()
    f()
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / n)
  }
  console.log(`${name.padEnd(46)} ${best.toFixed(1).padStart(7)} ns`)
}

console.log(`per-operation costs, best of 5 x ${N} (Node ${process.version}, ${require('os').cpus()[0].model}, ${require('os').cpus().length} cores)`)
time('buf.latin1Slice(o, o + 25)  (a topic)', () => { let s = 0; for (let i = 0; i < N; i++) { const o = (i * 37) & 32767; s += buf.latin1Slice(o, o + 25).length } return s })
time('buf.subarray(o, o + 100)    (a payload view)', () => { let s = 0; for (let i = 0; i < N; i++) { const o = (i * 37) & 32767; s += buf.subarray(o, o + 100).length } return s })
// What a Buffer view costs: Node's subarray (bounds, the buffer and
// byteOffset getters, which V8 11 does not inline, then its internal
// FastBuffer class) against that class called directly with buffer and
// byteOffset read once (what lib/build.js does: Node publishes the class as
// Buffer[Symbol.species]), and a derived Uint8Array class of our own (not a
// Buffer: the mqtt-packet contract rules it out).
const ab = buf.buffer
const bo = buf.byteOffset
time('buf.buffer                  (getter)', () => { let s = 0; for (let i = 0; i < N; i++) s += buf.buffer.byteLength & 1; return s })
time('buf.byteOffset              (getter)', () => { let s = 0; for (let i = 0; i < N; i++) s += buf.byteOffset; return s })
const FastBuffer = Buffer[Symbol.species]
time('new FastBuffer(ab, off, 100) (lib/build.js view)', () => { let s = 0; for (let i = 0; i < N; i++) { const o = (i * 37) & 32767; s += new FastBuffer(ab, bo + o, 100).length } return s })
class View extends Uint8Array {}
time('new View(ab, off, 100)  (derived Uint8Array)', () => { let s = 0; for (let i = 0; i < N; i++) { const o = (i * 37) & 32767; s += new View(ab, bo + o, 100).length } return s })
const big = buf.latin1Slice(0, 65536)
time('str.substring(o, o + 25)', () => { let s = 0; for (let i = 0; i < N; i++) { const o = (i * 37) & 32767; s += big.substring(o, o + 25).length } return s })
time('object with 8 fields', () => { let s = 0; for (let i = 0; i < N; i++) { const o = { a: 1, b: i, c: 2, d: 3, e: 4, f: 'x', g: null, h: i }; s += o.b } return s })
const T = new Uint32Array(64)
const ping = Buffer.from([0xc0, 0x00])
time('native frame() of one PINGREQ (one Node-API call)', () => { let s = 0; for (let i = 0; i < N; i++) { T[0] = 0; T[1] = 2; T[2] = 4; T[3] = 0; binding.frame(ping, T); s += T[5] } return s })
// The area path (lib/native.js): the addon's per-thread input area and tape,
// the read copied into the area at its own offsets, and a call with no
// argument to convert.
const input = binding.input
const RT = binding.tape
time('area frameInput() of one PINGREQ (+ set)', () => { let s = 0; for (let i = 0; i < N; i++) { input.set(ping, 0); RT[0] = 0; RT[1] = 2; RT[2] = 4; RT[3] = 0; binding.frameInput(); s += RT[5] } return s })
const pub = Buffer.from([0x30, 0x1b, 0x00, 0x19, ...Buffer.from('site/7/dev/sensor-temper'), 0x61, 0x7b, 0x7d])
time('native frame() of one 29 B PUBLISH', () => { let s = 0; for (let i = 0; i < N; i++) { T[0] = 0; T[1] = pub.length; T[2] = 4; T[3] = 0; binding.frame(pub, T); s += T[5] } return s })
time('area frameInput() of one 29 B PUBLISH (+ set)', () => { let s = 0; for (let i = 0; i < N; i++) { input.set(pub, 0); RT[0] = 0; RT[1] = pub.length; RT[2] = 4; RT[3] = 0; binding.frameInput(); s += RT[5] } return s })
time('input.set(29 B Buffer, 0)', () => { let s = 0; for (let i = 0; i < N; i++) { input.set(pub, 0); s += input[3] } return s })
time('input.set(buf.subarray(3, 29), 3)', () => { let s = 0; for (let i = 0; i < N; i++) { input.set(pub.subarray(3, 29), 3); s += input[3] } return s })
// The floor of writeToStream into a socket-like stream: one write() of a
// Buffer while the stream is corked (as writeToStream corks it until the next
// tick), the uncork's writev of the batch included (batches of 1000).
const { Writable } = require('node:stream')
const sinkStream = new Writable({ highWaterMark: 1 << 30, decodeStrings: false, write (c, e, cb) { cb() }, writev (cs, cb) { cb() } })
const out = Buffer.alloc(300)
time('Writable.write(buf), corked (+ uncork per 1000)', () => { let s = 0; for (let i = 0; i < N; i += 1000) { sinkStream.cork(); for (let j = 0; j < 1000; j++) s += sinkStream.write(out) ? 1 : 0; sinkStream.uncork() } return s })
// A new ArrayBuffer (what a block of lib/encode.js's pool costs) at two
// sizes: the cost is per block, not per byte.
const M = 2e4
const blocks = new Array(64)
time('Buffer.allocUnsafeSlow(8192)  (8 KiB block)', () => { for (let i = 0; i < M; i++) blocks[i & 63] = Buffer.allocUnsafeSlow(8192) }, M)
time('Buffer.allocUnsafeSlow(65536) (64 KiB block)', () => { for (let i = 0; i < M; i++) blocks[i & 63] = Buffer.allocUnsafeSlow(65536) }, M)
time('Buffer.allocUnsafe(290)', () => { let s = 0; for (let i = 0; i < N; i++) s += Buffer.allocUnsafe(290).length; return s })
// Writing a 25-character ASCII topic into an output buffer: in JS (what
// lib/encode.js copyChars does for short strings) or through Node's writer.
const topics = Array.from({ length: 4096 }, (_, i) => Buffer.from(('site/' + i.toString(36) + '/dev/sensor-temperature').slice(0, 25)).toString('latin1'))
const outBuf = Buffer.alloc(65536)
function copyTopic (str, off) { let bits = 0; for (let i = 0; i < str.length; i++) { const c = str.charCodeAt(i); bits |= c; outBuf[off + i] = c } return bits }
time('25 chars copied by charCodeAt (a topic, JS)', () => { let s = 0; for (let i = 0; i < N; i++) s += copyTopic(topics[i & 4095], (i * 32) & 32767); return s })
time('buf.latin1Write(topic, off) (25 chars)', () => { let s = 0; for (let i = 0; i < N; i++) s += outBuf.latin1Write(topics[i & 4095], (i * 32) & 32767); return s })

// Where a w5 packet's time goes (bench/workloads.js: 2,000 parsers, 1-4
// packets a read), each part timed over the same reads in fresh buffers:
// copying the reads into the input area alone; framing them alone (copy,
// call and Rust's validation); parse() with a _mwDeliver that does nothing
// (adds the per-read JS: entry, loop, packets split across reads); building
// each packet object without emitting it; the whole drop-in parser.
{
  const W = require('./workloads')
  const native = require('../lib/native')
  const mqttwire = require('..')
  const { Parser } = require('../lib/parser')
  const { buildPacket } = require('../lib/build')
  const g = W.gatewayWorkload(2000, 50, 23)
  const reads = g.schedBuf.map((b) => { const x = Buffer.allocUnsafeSlow(b.length); b.copy(x); return x })
  class Undelivered extends Parser { _mwDeliver () {} }
  class Unemitted extends Parser { _mwDeliver (buf, T, r, A, ab, bo) { buildPacket(buf, T, r, A, ab, bo) } }
  const parseWith = (make) => () => {
    const ps = []
    for (let k = 0; k < g.clients; k++) ps.push(make())
    for (let i = 0; i < reads.length; i++) ps[g.schedClient[i]].parse(reads[i])
  }
  const parts = [
    ['copy into the input area', () => { for (let i = 0; i < reads.length; i++) native.binding.input.set(reads[i]) }],
    ['frame (copy + call + validation)', () => { for (let i = 0; i < reads.length; i++) native.nativeFrame(reads[i], 0, reads[i].length, 4, 0, native.tape) }],
    ['parse(), nothing delivered', parseWith(() => new Undelivered())],
    ['parse(), objects built, not emitted', parseWith(() => new Unemitted())],
    ['parse(), the drop-in parser', parseWith(() => { const p = mqttwire.parser(); p.on('packet', () => {}); return p })]
  ]
  console.log(`w5, ns a packet (${reads.length} reads, ${g.packets} packets; median of 15 passes):`)
  for (const [, f] of parts) f() // warm-up
  for (const [name, f] of parts) {
    const t = []
    for (let r = 0; r < 15; r++) {
      const t0 = process.hrtime.bigint()
      f()
      t.push(Number(process.hrtime.bigint() - t0) / g.packets)
    }
    t.sort((a, b) => a - b)
    console.log(`  ${name.padEnd(44)} ${t[7].toFixed(0).padStart(7)} ns`)
  }
}
