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
//
// It answers two questions: how much of mqttwire's w4s time could a better
// encoder still take away while writing one Buffer a packet, and why the w4s
// ratio differs so much from one process to the next.

const { PerformanceObserver, performance } = require('node:perf_hooks')
const W = require('./workloads')
const { newConsumer, exposeGc } = require('./drivers')
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

function corkTillNextTick (s) {
  s.cork()
  process.nextTick(() => s.uncork())
}

function writeFloor (s, n) {
  corkTillNextTick(s)
  const ab = all.buffer
  const base = all.byteOffset
  for (let i = 0; i < n; i++) s.write(new FastBuffer(ab, base + offsets[i], encoded[i].length))
}

const BLOCK = 64 * 1024
let block = null
let used = BLOCK
function take (n) {
  if (used + n > BLOCK) {
    block = Buffer.allocUnsafeSlow(BLOCK)
    used = 0
  }
  const v = new FastBuffer(block.buffer, block.byteOffset + used, n)
  used = (used + n + 7) & ~7
  return v
}
function copyFloor (s, n) {
  corkTillNextTick(s)
  for (let i = 0; i < n; i++) {
    const e = encoded[i]
    const v = take(e.length)
    v.set(e, 0)
    s.write(v)
  }
}

const LOOP = 'return function run (wts, packets, n, opts, s) { for (let i = 0; i < n; i++) wts(packets[i], s, opts) }'
const loopOf = (wts) => {
  const run = new Function(LOOP)() // eslint-disable-line no-new-func
  return (s, n) => run(wts, packets, n, opts, s)
}
const sides = [
  ['write floor', writeFloor],
  ['copy floor', copyFloor],
  ['mqttwire', loopOf(mqttwire.writeToStream)],
  ['mqtt-packet', loopOf(mqttPacket.writeToStream)]
].filter(([name]) => SIDES === null || SIDES.includes(name)).map(([name, fn]) => ({ name, fn, consumer: newConsumer(false), passes: 0, ns: [], scavenges: [], gcMs: [] }))

const gcs = []
const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push(e) })
obs.observe({ entryTypes: ['gc'] })
const MINOR = require('node:perf_hooks').constants.NODE_PERFORMANCE_GC_MINOR

const tick = () => new Promise((resolve) => setImmediate(resolve))
async function pass (side, n = packets.length) {
  const st = side.consumer.st
  side.consumer.reset()
  const s = side.consumer.writable()
  const t0 = performance.now()
  side.fn(s, n)
  await tick()
  const t1 = performance.now()
  const bytes = n === packets.length ? BYTES : encoded.slice(0, n).reduce((a, b) => a + b.length, 0)
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
    const before = gcs.length
    const h0 = process.memoryUsage().heapUsed
    const t = performance.now()
    await pass(side, HEAP_N)
    const h1 = process.memoryUsage().heapUsed
    await tick()
    if (!gcs.slice(before).some((e) => e.startTime >= t)) got.push((h1 - h0) / HEAP_N)
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
      await tick() // let the observer deliver the GCs so far
      // a sample: passes back to back until >= MIN_MS timed (bench/run.js's --min-ms)
      let ms = 0
      let n = 0
      let inPass = []
      do {
        const [t0, t1] = await pass(side)
        await tick()
        ms += t1 - t0
        n++
        inPass = inPass.concat(gcs.filter((e) => e.startTime >= t0 && e.startTime < t1))
      } while (ms < MIN_MS)
      side.ns.push(ms * 1e6 / (n * packets.length))
      side.passes += n
      side.scavenges.push(inPass.filter((e) => e.detail.kind === MINOR).length / n)
      side.gcMs.push(inPass.reduce((s, e) => s + e.duration, 0) / n)
    }
  }
  obs.disconnect()
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

const TITLE = `writeToStream into a stream.Writable (bench/run.js w4s): ${packets.length} 3.1.1 PUBLISH, ${(BYTES / 1e6).toFixed(1)} MB`
const RATIOS = [
  ['mqtt-packet', 'mqttwire', 'the w4s ratio'],
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
    (has('mqttwire') && has('mqtt-packet') ? '  w4s ratio' : ''))
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
  if (w4s.length > 0) console.log(`\nw4s ratio over the runs: median ${median(w4s).toFixed(2)}x, ${Math.min(...w4s).toFixed(2)}–${Math.max(...w4s).toFixed(2)}`)
}

if (RUNS > 0) {
  obs.disconnect()
  runs()
} else {
  main().catch((e) => { console.error(e); process.exit(1) })
}
