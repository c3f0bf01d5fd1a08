#!/usr/bin/env node
'use strict'
// Where does the drop-in parser's time go, per packet? Builds the w1 stream
// (3.1.1 PUBLISH, see bench/workloads.js), cuts it at packet boundaries into
// ~64 KiB chunks (no straddling, so no pending-packet logic) and times a
// ladder of loops over the native tape, each adding one step of what
// lib/core.js + lib/build.js + lib/parser.js do. The difference between two
// steps is that step's cost per packet. Alternatives for the expensive steps
// are timed too. Same process, rotated order, medians.
//
//   node bench/ablation.js [--n 100000] [--rounds 9]

const { EventEmitter } = require('node:events')
const W = require('./workloads')
const { exposeGc } = require('./drivers')
const native = require('../lib/native')
const { Packet } = require('../lib/build')
const { HEADER, ARENA, arenaOf } = require('../lib/core')
const { view } = require('../lib/view')
const mqttwire = require('..')

const args = process.argv.slice(2)
const arg = (k, d) => { const i = args.indexOf(k); return i >= 0 ? Number(args[i + 1]) : d }
const N = arg('--n', 100000)
const ROUNDS = arg('--rounds', 15)
const gc = exposeGc()

if (!native.hasNative) { console.error('native addon not built'); process.exit(1) }
const frame = native.nativeFrame
const jsFrame = native.jsFrame

const w = W.streamWorkload('w1', '', W.publishPackets(N, 4, 11), 4, 17)
// chunks at packet boundaries, each <= 64 KiB (except a lone larger packet)
const bounds = []
{
  let off = 0
  const s = w.stream
  while (off < s.length) {
    let len = 0
    let mul = 1
    let i = off + 1
    let b
    do { b = s[i++]; len += (b & 127) * mul; mul *= 128 } while (b >= 128)
    bounds.push(off)
    off = i + len
  }
  bounds.push(off)
}
const chunks = []
{
  let start = 0
  for (let k = 1; k < bounds.length; k++) {
    if (bounds[k] - start > 65536 && bounds[k - 1] > start) {
      chunks.push(w.stream.subarray(start, bounds[k - 1]))
      start = bounds[k - 1]
    }
  }
  chunks.push(w.stream.subarray(start))
}
const PACKETS = w.packets - 1 // the CONNECT is skipped by the ladder (type 1)

const T = new Uint32Array(1 << 16)
const RING = 1024
const ring = new Array(RING).fill(null)
const ring2 = new Array(RING).fill(null)
let at = 0
let acc = 0

class PacketId {
  constructor (cmd, retain, qos, dup, length, topic, payload, messageId) {
    this.cmd = cmd
    this.retain = retain
    this.qos = qos
    this.dup = dup
    this.length = length
    this.topic = topic
    this.payload = payload
    this.messageId = messageId
  }
}

const cfg = 4
// Every variant walks the same records; `step` selects what is built.
const variants = {
  'frame only (native)': (c) => { frame(c, 0, c.length, cfg, 0, T) },
  'frame only (js)': (c) => { jsFrame(c, 0, c.length, cfg, 0, T) },
  '+ walk tape (read fields)': (c) => {
    frame(c, 0, c.length, cfg, 0, T)
    const n = T[5]; let r = HEADER
    for (let k = 0; k < n; k++) {
      const h = T[r]
      if ((h & 15) === 3) acc += T[r + 4] + T[r + 5] + T[r + 6] + T[r + 7] + T[r + 8] + (h >> 4)
      r += T[r + 1]
    }
  },
  '  alt: topic by latin1Slice (small reads: no arena)': (c) => {
    frame(c, 0, c.length, cfg, 0, T)
    const n = T[5]; let r = HEADER
    for (let k = 0; k < n; k++) {
      const h = T[r]
      if ((h & 15) === 3) {
        const o = T[r + 4]
        const t = c.latin1Slice(o, o + (T[r + 5] & 0xFFFF))
        acc += t.length + T[r + 6] + T[r + 8]
        ring[at] = t; at = (at + 1) & (RING - 1)
      }
      r += T[r + 1]
    }
  },
  '+ topic: string arena (1 latin1Slice/call) + substring': (c) => {
    frame(c, 0, c.length, cfg | ARENA, 0, T)
    const n = T[5]; let r = HEADER
    const s = arenaOf(T)
    for (let k = 0; k < n; k++) {
      const h = T[r]
      if ((h & 15) === 3) {
        const o = T[r + 4]
        const t = s.substring(o, o + (T[r + 5] & 0xFFFF))
        acc += t.length + T[r + 6] + T[r + 8]
        ring[at] = t; at = (at + 1) & (RING - 1)
      }
      r += T[r + 1]
    }
  },
  '+ payload view (lib/view.js)': (c) => {
    frame(c, 0, c.length, cfg | ARENA, 0, T)
    const n = T[5]; let r = HEADER
    const s = arenaOf(T)
    const ab = c.buffer
    const bo = c.byteOffset
    for (let k = 0; k < n; k++) {
      const h = T[r]
      if ((h & 15) === 3) {
        const o = T[r + 4]
        const t = s.substring(o, o + (T[r + 5] & 0xFFFF))
        const po = T[r + 7]
        const p = view(ab, bo + po, T[r + 8])
        acc += t.length + T[r + 6] + p.length
        ring[at] = t; ring2[at] = p; at = (at + 1) & (RING - 1)
      }
      r += T[r + 1]
    }
  },
  '  alt: payload by buf.subarray': (c) => {
    frame(c, 0, c.length, cfg | ARENA, 0, T)
    const n = T[5]; let r = HEADER
    const s = arenaOf(T)
    for (let k = 0; k < n; k++) {
      const h = T[r]
      if ((h & 15) === 3) {
        const o = T[r + 4]
        const t = s.substring(o, o + (T[r + 5] & 0xFFFF))
        const po = T[r + 7]
        const p = c.subarray(po, po + T[r + 8])
        acc += t.length + T[r + 6] + p.length
        ring[at] = t; ring2[at] = p; at = (at + 1) & (RING - 1)
      }
      r += T[r + 1]
    }
  },
  '+ new Packet (+ messageId added)': (c) => {
    frame(c, 0, c.length, cfg | ARENA, 0, T)
    const n = T[5]; let r = HEADER
    const s = arenaOf(T)
    const ab = c.buffer
    const bo = c.byteOffset
    for (let k = 0; k < n; k++) {
      const h = T[r]
      if ((h & 15) === 3) {
        const flags = (h >> 4) & 15
        const o = T[r + 4]
        const po = T[r + 7]
        const pk = new Packet('publish', (flags & 1) !== 0, (flags >> 1) & 3, (flags & 8) !== 0, T[r + 3],
          s.substring(o, o + (T[r + 5] & 0xFFFF)), view(ab, bo + po, T[r + 8]))
        if ((flags & 6) !== 0) pk.messageId = T[r + 6]
        acc += pk.topic.length + pk.payload.length + pk.qos
        ring[at] = pk; at = (at + 1) & (RING - 1)
      }
      r += T[r + 1]
    }
  },
  '+ Packet / PacketId (2 classes, no transition)': (c) => {
    frame(c, 0, c.length, cfg | ARENA, 0, T)
    const n = T[5]; let r = HEADER
    const s = arenaOf(T)
    const ab = c.buffer
    const bo = c.byteOffset
    for (let k = 0; k < n; k++) {
      const h = T[r]
      if ((h & 15) === 3) {
        const flags = (h >> 4) & 15
        const o = T[r + 4]
        const po = T[r + 7]
        const t = s.substring(o, o + (T[r + 5] & 0xFFFF))
        const p = view(ab, bo + po, T[r + 8])
        const pk = (flags & 6) !== 0
          ? new PacketId('publish', (flags & 1) !== 0, (flags >> 1) & 3, (flags & 8) !== 0, T[r + 3], t, p, T[r + 6])
          : new Packet('publish', (flags & 1) !== 0, (flags >> 1) & 3, (flags & 8) !== 0, T[r + 3], t, p)
        acc += pk.topic.length + pk.payload.length + pk.qos
        ring[at] = pk; at = (at + 1) & (RING - 1)
      }
      r += T[r + 1]
    }
  }
}
// the same + emit, and the real thing
const ee = new EventEmitter()
ee.on('packet', (pk) => { acc += pk.topic.length + pk.payload.length + pk.qos; ring[at] = pk; at = (at + 1) & (RING - 1) })
variants['+ new Packet + emit(\'packet\')'] = (c) => {
  frame(c, 0, c.length, cfg | ARENA, 0, T)
  const n = T[5]; let r = HEADER
  const s = arenaOf(T)
  const ab = c.buffer
  const bo = c.byteOffset
  for (let k = 0; k < n; k++) {
    const h = T[r]
    if ((h & 15) === 3) {
      const flags = (h >> 4) & 15
      const o = T[r + 4]
      const po = T[r + 7]
      const pk = new Packet('publish', (flags & 1) !== 0, (flags >> 1) & 3, (flags & 8) !== 0, T[r + 3],
        s.substring(o, o + (T[r + 5] & 0xFFFF)), view(ab, bo + po, T[r + 8]))
      if ((flags & 6) !== 0) pk.messageId = T[r + 6]
      ee.emit('packet', pk)
    }
    r += T[r + 1]
  }
}
let lp = null
variants['lib: mqttwire.parser().parse (native)'] = (c) => { lp.parse(c) }
let lpj = null
variants['lib: mqttwire.parser({framer:js}).parse'] = (c) => { lpj.parse(c) }

const names = Object.keys(variants)
// each variant its own compiled copy of the driver loop
const drivers = Object.fromEntries(names.map((n) => [n, new Function('f', 'chunks', 'for (let i = 0; i < chunks.length; i++) f(chunks[i])')])) // eslint-disable-line no-new-func
function once (name) {
  at = 0; ring.fill(null); ring2.fill(null)
  if (name.startsWith('lib:')) {
    const mk = () => {
      const p = mqttwire.parser(name.includes('js') ? { framer: 'js' } : undefined)
      p.on('packet', (pk) => { acc += pk.cmd.length + pk.qos; ring[at] = pk; at = (at + 1) & (RING - 1) })
      return p
    }
    if (name.includes('js')) lpj = mk(); else lp = mk()
  }
  gc()
  const t0 = process.hrtime.bigint()
  drivers[name](variants[name], chunks)
  return Number(process.hrtime.bigint() - t0)
}
for (const n of names) { once(n); once(n) }
const times = Object.fromEntries(names.map((n) => [n, []]))
for (let r = 0; r < ROUNDS; r++) for (let j = 0; j < names.length; j++) { const n = names[(j + r) % names.length]; times[n].push(once(n)) }
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1] }
console.log(`w1: ${PACKETS} PUBLISH in ${chunks.length} packet-aligned chunks (~64 KiB), ${ROUNDS} rounds, ns per packet (median, min across rounds; on a loaded machine trust min)`)
let prev = null
for (const n of names) {
  const s = [...times[n]].sort((x, y) => x - y)
  const ns = med(s) / PACKETS
  const lo = s[Math.floor((s.length - 1) * 0.1)] / PACKETS
  const hi = s[Math.ceil((s.length - 1) * 0.9)] / PACKETS
  const mn = s[0] / PACKETS
  const step = prev !== null && !n.startsWith('lib:') && !n.includes('(js)') ? `  step: median ${(ns - prev[0]).toFixed(0).padStart(4)}, min ${(mn - prev[1]).toFixed(0).padStart(4)}` : ''
  console.log(`  ${n.padEnd(48)} ${ns.toFixed(0).padStart(6)} ns  min ${mn.toFixed(0).padStart(5)}  [p10-p90 ${lo.toFixed(0)}-${hi.toFixed(0)}]${step}`)
  if (!n.includes('(js)') && !n.includes('alt:')) prev = [ns, mn]
}
if (acc === 0.5) console.log(acc)
