#!/usr/bin/env node
'use strict'
// Where writeToStream's time goes in bench/run.js's w4s row (100k 3.1.1
// PUBLISH packets written into one stream.Writable in one tick, the flush
// after the tick included), against two floors that encode nothing:
//
//   write floor  one write() a packet of a Buffer view over bytes encoded
//                before the clock (corked until the next tick, as
//                writeToStream corks): Node's stream machinery alone
//   copy floor   the same, but each packet's bytes are first copied into
//                fresh 64 KiB blocks, as lib/encode.js carves them: what any
//                encoder that writes one Buffer of new memory a packet pays
//   mqttwire     writeToStream()
//   mqtt-packet  writeToStream() (9.0.2: ~5.5 write() calls a packet, the
//                payload by reference)
//
// One process, rounds alternated in both orders; a sample is a forced gc(),
// an untimed pass, then passes back to back until >= 100 ms timed (as
// bench/run.js: a fast side pays the collections its own garbage starts).
// Each pass writes into a fresh stream (bench/drivers.js's discarding
// Writable, checked to get every byte). The garbage collections inside the
// timed passes are counted by a PerformanceObserver; V8 gives their reason
// only with --trace-gc. "heap B/pkt": V8 heap bytes a packet (the median of
// five passes of 2,000 packets, each after a forced gc(), none collected in).
//
//   node bench/stream-floor.js [--rounds 15] [--min-ms 100] [--sides mqttwire,mqtt-packet]
//   node bench/stream-floor.js --runs 6   six runs, each a process of its own,
//        then one line a run: the sides' ns a packet, mqttwire's GC ms a pass,
//        the w4s ratio (the GC state that decides it is per process)
//   node bench/stream-floor.js --fanout  the same packets as a gateway writes
//        them: 2,000 streams with a socket's 16 KiB highWaterMark, each tick
//        1-4 packets to each of 250 of them, then the tick ends (the streams
//        uncork and flush); write() results are not waited on
//
// It answers three questions: how much of mqttwire's w4s time could a better
// encoder still take away while writing one Buffer a packet, why the w4s
// ratio differs so much from one process to the next, and what ratio any
// encoder could reach where a gateway writes a few packets to many sockets.

const { performance } = require('node:perf_hooks')
const W = require('./workloads')
const { newConsumer, exposeGc, SOCKET_HWM, gcWatcher, blockCarver } = require('./drivers')
const mqttwire = require('..')
const mqttPacket = require('mqtt-packet')

const args = process.argv.slice(2)
const at = args.indexOf('--rounds')
const ROUNDS = at >= 0 ? Number(args[at + 1]) : 15
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`bench/stream-floor.js: --rounds takes a whole number >= 1, got ${args[at + 1]}`)
const mat = args.indexOf('--min-ms')
const MIN_MS = mat >= 0 ? Number(args[mat + 1]) : 100
if (!(MIN_MS >= 0)) throw new Error(`bench/stream-floor.js: --min-ms takes a number >= 0, got ${args[mat + 1]}`)
const sat = args.indexOf('--sides')
const SIDES = sat >= 0 ? args[sat + 1].split(',') : null
const SIDE_NAMES = ['write floor', 'copy floor', 'mqttwire', 'mqtt-packet']
if (SIDES !== null && (SIDES.length === 0 || SIDES.some((x) => !SIDE_NAMES.includes(x)))) throw new Error(`bench/stream-floor.js: --sides takes names from ${SIDE_NAMES.join(', ')} (comma-separated), got ${args[sat + 1]}`)
const rat = args.indexOf('--runs')
const RUNS = rat >= 0 ? Number(args[rat + 1]) : 0
if (rat >= 0 && (!Number.isInteger(RUNS) || RUNS < 1)) throw new Error(`bench/stream-floor.js: --runs takes a whole number >= 1, got ${args[rat + 1]}`)
const FANOUT = args.includes('--fanout')
const LINE = args.includes('--result-line') // internal: a child of --runs prints its result as one JSON line
const gc = exposeGc()
if (gc === null) throw new Error('bench/stream-floor.js: gc() is not available')

const packets = W.cycle(W.publishPackets(10000, 4, 11), 100000)
const opts = { protocolVersion: 4 }
const encoded = packets.map((p) => Buffer.from(mqttPacket.generate(p, opts)))
const BYTES = encoded.reduce((s, b) => s + b.length, 0)
const all = Buffer.concat(encoded)
const offsets = new Float64Array(encoded.length)
for (let i = 0, o = 0; i < encoded.length; o += encoded[i].length, i++) offsets[i] = o
const FastBuffer = Buffer[Symbol.species]

// Each stream is corked at its first write of a tick until the next tick, as
// writeToStream corks it (the floors do the same).
const kCorked = Symbol('corked')
function uncork (s) {
  s[kCorked] = false
  s.uncork()
}
function corkOnce (s) {
  if (s[kCorked] !== true) {
    s.cork()
    s[kCorked] = true
    process.nextTick(uncork, s)
  }
}

const ab = all.buffer
const base = all.byteOffset
function writeFloor (i, s) {
  corkOnce(s)
  s.write(new FastBuffer(ab, base + offsets[i], encoded[i].length))
}

const take = blockCarver(64 * 1024)
function copyFloor (i, s) {
  corkOnce(s)
  const e = encoded[i]
  const v = take(e.length)
  v.set(e, 0)
  s.write(v)
}

// A pass follows a plan: its ticks, each a run of (stream, packet count)
// pairs; packets are taken in order. w4s: one tick, every packet to one
// stream. --fanout: each tick writes 1-4 packets to each of TICK_STREAMS of
// STREAMS streams drawn at random (~625 packets a tick).
const STREAMS = FANOUT ? 2000 : 1
const TICK_STREAMS = 250
function makePlan (n) {
  const pairs = []
  const ends = []
  if (!FANOUT) {
    pairs.push(0, n)
    ends.push(pairs.length)
    return { pairs: Int32Array.from(pairs), ends, bytes: bytesOf(n) }
  }
  const rng = W.createRng(23)
  let left = n
  while (left > 0) {
    for (let k = 0; k < TICK_STREAMS && left > 0; k++) {
      const c = Math.min(left, rng.int(1, 4))
      pairs.push(rng.int(0, STREAMS - 1), c)
      left -= c
    }
    ends.push(pairs.length)
  }
  return { pairs: Int32Array.from(pairs), ends, bytes: bytesOf(n) }
}
/** The bytes of the first n packets. */
function bytesOf (n) {
  let b = 0
  for (let i = 0; i < n; i++) b += encoded[i].length
  return b
}
const plans = new Map()
const planOf = (n) => plans.get(n) || plans.set(n, makePlan(n)).get(n)

// each side its own compiled copy of the tick loop, so one side's type
// feedback does not slow another's
const TICK = 'return function run (write, pairs, from, to, streams, at) { for (let j = from; j < to; j += 2) { const s = streams[pairs[j]]; for (let k = pairs[j + 1]; k > 0; k--) write(at++, s) } return at }'
const sides = [
  ['write floor', writeFloor],
  ['copy floor', copyFloor],
  ['mqttwire', (i, s) => mqttwire.writeToStream(packets[i], s, opts)],
  ['mqtt-packet', (i, s) => mqttPacket.writeToStream(packets[i], s, opts)]
].filter(([name]) => SIDES === null || SIDES.includes(name)).map(([name, write]) => ({
  name, write, run: new Function(TICK)(), consumer: newConsumer(false), passes: 0, ns: [], scavenges: [], gcMs: [] // eslint-disable-line no-new-func
}))

const gcw = RUNS > 0 ? null : gcWatcher()

const tick = () => new Promise((resolve) => setImmediate(resolve))
async function pass (side, n = packets.length) {
  const st = side.consumer.st
  side.consumer.reset()
  const streams = []
  for (let k = 0; k < STREAMS; k++) streams.push(side.consumer.writable(FANOUT ? SOCKET_HWM : undefined))
  const { pairs, ends, bytes } = planOf(n)
  const t0 = performance.now()
  let at = 0
  for (let t = 0, from = 0; t < ends.length; from = ends[t], t++) {
    at = side.run(side.write, pairs, from, ends[t], streams, at)
    await tick() // the streams uncork and flush
  }
  const t1 = performance.now()
  if (at !== n) throw new Error(`bench/stream-floor.js: ${side.name}: the plan wrote ${at} packets, not ${n}`)
  if (st.bytes !== bytes) throw new Error(`bench/stream-floor.js: ${side.name}: the stream got ${st.bytes} bytes, expected ${bytes}`)
  return [t0, t1]
}

// V8 heap bytes a packet: the median of five passes of 2,000 packets, each
// written after a forced gc() and taken only if no collection ran in between
// (the heap-used growth is then what the pass allocated); '-' if no pass of
// 40 got through without a collection
const HEAP_N = 2000
async function heapPerPacket (side) {
  const got = []
  for (let tries = 0; tries < 40 && got.length < 5; tries++) {
    gc()
    await tick()
    await gcw.stats() // drop what came before
    const h0 = process.memoryUsage().heapUsed
    const t = performance.now()
    await pass(side, HEAP_N)
    const h1 = process.memoryUsage().heapUsed
    gcw.window('heap', t)
    if ((await gcw.stats()).heap.collectionsPerPass === 0) got.push((h1 - h0) / HEAP_N)
  }
  return got.length > 0 ? median(got) : NaN
}

async function main () {
  // the same bytes from every side before any timing
  for (const side of sides) await pass(side)
  for (const side of sides) side.heap = await heapPerPacket(side)
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of (r & 1) ? [...sides].reverse() : sides) {
      gc()
      await pass(side) // settle
      await tick()
      // a sample: passes back to back until >= MIN_MS timed (bench/run.js's --min-ms)
      let ms = 0
      let n = 0
      do {
        const [t0, t1] = await pass(side)
        gcw.window(side.name, t0)
        await tick()
        ms += t1 - t0
        n++
      } while (ms < MIN_MS)
      const g = (await gcw.stats())[side.name]
      side.ns.push(ms * 1e6 / (n * packets.length))
      side.passes += n
      side.scavenges.push(g.scavengesPerPass)
      side.gcMs.push(g.gcMsPerPass)
    }
  }
  const by = Object.fromEntries(sides.map((x) => [x.name, x]))
  const ratio = (a, b) => median(by[a].ns.map((x, i) => x / by[b].ns[i]))
  const result = {
    sides: sides.map((x) => ({ name: x.name, ns: median(x.ns), min: Math.min(...x.ns), max: Math.max(...x.ns), passesPerSample: x.passes / ROUNDS, scavengesPerPass: median(x.scavenges), gcMsPerPass: median(x.gcMs), heapBytesPerPacket: x.heap })),
    ratios: RATIOS.filter(([a, b]) => by[a] && by[b]).map(([a, b, what]) => ({ a, b, what, ratio: ratio(a, b) }))
  }
  if (LINE) {
    console.log(JSON.stringify(result))
    return
  }
  console.log(`${TITLE}, ${ROUNDS} rounds, a sample >= ${MIN_MS} ms`)
  console.log(machine() + '\n')
  console.log('side'.padEnd(13) + 'ns/pkt'.padStart(8) + '   min–max'.padEnd(14) + 'passes/sample'.padStart(14) + 'scavenges/pass'.padStart(15) + 'GC ms/pass'.padStart(12) + 'heap B/pkt'.padStart(12))
  for (const x of result.sides) {
    console.log(x.name.padEnd(13) + x.ns.toFixed(0).padStart(8) + `   ${x.min.toFixed(0)}–${x.max.toFixed(0)}`.padEnd(14) +
      x.passesPerSample.toFixed(1).padStart(14) + x.scavengesPerPass.toFixed(1).padStart(15) + x.gcMsPerPass.toFixed(1).padStart(12) + (Number.isFinite(x.heapBytesPerPacket) ? x.heapBytesPerPacket.toFixed(0) : '-').padStart(12))
  }
  if (result.ratios.length > 0) console.log('\nper-round ratios, median:')
  for (const r of result.ratios) console.log(`  ${(r.a + ' / ' + r.b).padEnd(26)} ${r.ratio.toFixed(2)}x  (${r.what})`)
}

const TITLE = FANOUT
  ? `writeToStream as a gateway fans out: ${packets.length} 3.1.1 PUBLISH, ${(BYTES / 1e6).toFixed(1)} MB, in ${planOf(packets.length).ends.length} ticks over ${STREAMS} stream.Writables (highWaterMark ${SOCKET_HWM}), 1-4 packets to each of ${TICK_STREAMS} streams a tick`
  : `writeToStream into a stream.Writable (bench/run.js w4s): ${packets.length} 3.1.1 PUBLISH, ${(BYTES / 1e6).toFixed(1)} MB`
const RATIO_NAME = FANOUT ? 'fan-out ratio' : 'w4s ratio'
const RATIOS = [
  ['mqtt-packet', 'mqttwire', `the ${RATIO_NAME}`],
  ['mqtt-packet', 'copy floor', 'the most an encoder writing one new Buffer a packet could show'],
  ['mqtt-packet', 'write floor', 'with no new memory at all'],
  ['mqttwire', 'copy floor', "mqttwire's time over the copy floor's"]
]
const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2 }
function machine () {
  const os = require('node:os')
  return `Node ${process.version}, ${os.cpus()[0].model}, ${os.cpus().length} cores`
}

/** --runs K: K runs, each a process of its own; one line a run. */
function runs () {
  const { spawnSync } = require('node:child_process')
  const childArgs = args.filter((a, i) => a !== '--runs' && args[i - 1] !== '--runs').concat('--result-line')
  console.log(`${TITLE}, ${RUNS} runs of ${ROUNDS} rounds, each its own process`)
  console.log(machine() + '\n')
  const names = sides.map((x) => x.name)
  const has = (n) => names.includes(n)
  console.log('run  ' + names.map((n) => (n + ' ns').padStart(16)).join('') + (has('mqttwire') ? '  mqttwire GC ms/pass' : '') +
    (has('mqttwire') && has('mqtt-packet') ? `  ${RATIO_NAME}` : ''))
  const results = []
  for (let k = 1; k <= RUNS; k++) {
    const r = spawnSync(process.execPath, [__filename, ...childArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 })
    if (r.status !== 0) throw new Error(`bench/stream-floor.js: run ${k} exited with ${r.status}`)
    const res = JSON.parse(r.stdout.trim().split('\n').pop())
    results.push(res)
    const side = (n) => res.sides.find((x) => x.name === n)
    const w4s = res.ratios.find((x) => x.a === 'mqtt-packet' && x.b === 'mqttwire')
    console.log(String(k).padEnd(5) + names.map((n) => side(n).ns.toFixed(0).padStart(16)).join('') +
      (has('mqttwire') ? side('mqttwire').gcMsPerPass.toFixed(1).padStart(22) : '') + (w4s ? (w4s.ratio.toFixed(2) + 'x').padStart(11) : ''))
  }
  const w4s = results.map((res) => res.ratios.find((x) => x.a === 'mqtt-packet' && x.b === 'mqttwire')).filter(Boolean).map((x) => x.ratio)
  if (w4s.length > 0) console.log(`\n${RATIO_NAME} over the runs: median ${median(w4s).toFixed(2)}x, ${Math.min(...w4s).toFixed(2)}–${Math.max(...w4s).toFixed(2)}`)
}

if (RUNS > 0) {
  runs()
} else {
  main().catch((e) => { console.error(e); process.exit(1) })
}
