#!/usr/bin/env node
'use strict'
// A/B: the same workload through two copies of the package (e.g. main and a
// change), in one process, rounds paired and alternated; reports each side's
// median ns/packet and the median of the per-pair ratios (robust to the slow
// drift of a noisy VM). A development tool for deciding a change; the
// figures for the README come from bench/run.js.
//
//   node bench/ab.js DIR_A DIR_B [--only w1|w2|w3|w5] [--paths parser|router] [--rounds 21] [--fresh]
//                    [--chunk BYTES (w1-w3: reads of this size, default 65536)]
//                    [--read-user-properties (the consumer also reads properties.userProperties)]
//   node bench/ab.js DIR_A DIR_B --paths generate|stream|drain [--only w1|w2]
//        generate(), or writeToStream() into a stream.Writable (drain: with a
//        socket's 16 KiB highWaterMark, waiting for 'drain' whenever
//        writeToStream returns false, as bench/run.js w4d; stream: flush after
//        the tick included, as bench/run.js w4s), of the w1 / w2 PUBLISH packets

const path = require('node:path')
const W = require('./workloads')
const { PARSE_DRIVERS, makeDriver, newConsumer, drained, SOCKET_HWM, exposeGc, batchEnds } = require('./drivers')

const args = process.argv.slice(2)
const flag = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d }
const dirs = args.filter((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--')))
if (dirs.length !== 2) { console.error('usage: node bench/ab.js DIR_A DIR_B [--only w1] [--paths parser] [--chunk 65536]'); process.exit(2) }
const only = flag('--only', 'w1')
const kind = flag('--paths', 'parser')
const ROUNDS = Number(flag('--rounds', 21))
const N = Number(flag('--n', 100000))
const fresh = args.includes('--fresh')
const readUp = args.includes('--read-user-properties')
const CHUNK = Number(flag('--chunk', 65536))
const gc = exposeGc()

// The same timed loops as bench/run.js (--fresh: reads copied into fresh
// Buffers outside the clock, in ~64 KiB batches); every workload is fed as
// (parser, read) pairs, w1-w3 with one parser.
const DRIVER = fresh ? PARSE_DRIVERS.freshGateway : PARSE_DRIVERS.gateway

const encoding = kind === 'generate' || kind === 'stream' || kind === 'drain'
let w
if (encoding) w = { packets: N, list: W.cycle(W.publishPackets(Math.min(N, 10000), only === 'w2' ? 5 : 4, only === 'w2' ? 12 : 11), N), version: only === 'w2' ? 5 : 4 } // 10,000 distinct, as bench/run.js
else if (only === 'w1') w = W.streamWorkload('w1', '', W.publishPackets(N, 4, 11), 4, 17)
else if (only === 'w2') w = W.streamWorkload('w2', '', W.publishPackets(N, 5, 12), 5, 18)
else if (only === 'w3') w = W.streamWorkload('w3', '', W.controlPackets(N / 5, 13), 4, 19)
let clients, who, bufs
if (encoding) {
  clients = 0; bufs = []; who = null
} else if (only === 'w5') {
  const g = W.gatewayWorkload(2000, Math.round(N / 2000), 23)
  clients = g.clients; who = g.schedClient; bufs = g.schedBuf; w = { packets: g.packets }
} else {
  clients = 1; bufs = W.chunk(w.stream, CHUNK); who = new Int32Array(bufs.length)
}
const batches = batchEnds(bufs, 65536)

// generate / writeToStream: the loops and the consumer compiled per side, as bench/run.js
function encodeSide (mod) {
  const cons = newConsumer(false)
  const gen = makeDriver('generate')
  const wts = makeDriver('wts')
  const wtsDrain = makeDriver('wtsDrain')
  const opts = { protocolVersion: w.version }
  return {
    async once () {
      gc()
      await pass() // untimed settle pass, as bench/run.js
      return pass()
    }
  }
  async function pass () {
    cons.reset()
    if (kind === 'generate') {
      const t0 = process.hrtime.bigint()
      gen(mod.generate, w.list, opts, cons.keep)
      return Number(process.hrtime.bigint() - t0) / w.packets
    }
    const s = cons.writable(kind === 'drain' ? SOCKET_HWM : undefined)
    const t0 = process.hrtime.bigint()
    if (kind === 'drain') await wtsDrain(mod.writeToStream, w.list, opts, s, drained)
    else wts(mod.writeToStream, w.list, opts, s)
    await new Promise((resolve) => setImmediate(resolve))
    const t = Number(process.hrtime.bigint() - t0) / w.packets
    if (cons.st.bytes === 0) throw new Error('writeToStream wrote nothing')
    return t
  }
}

function side (dir) {
  const mod = require(path.resolve(dir))
  if (encoding) return encodeSide(mod)
  const cons = newConsumer(readUp)
  const run = new Function(DRIVER)() // eslint-disable-line no-new-func
  const make = () => kind === 'router'
    ? mod.router(undefined, cons.onPublish, cons.onPacket)
    : (() => { const p = mod.parser(); p.on('packet', cons.onPacket); p.on('error', (e) => { throw e }); return p })()
  return {
    once () {
      const parsers = () => {
        cons.st.n = 0
        const ps = []
        for (let k = 0; k < clients; k++) ps.push(make())
        return ps
      }
      gc()
      run(parsers(), who, bufs, batches) // untimed settle pass, as bench/run.js
      const t = Number(run(parsers(), who, bufs, batches))
      if (cons.st.n !== w.packets) throw new Error(`${dir}: ${cons.st.n} packets, expected ${w.packets}`)
      return t / w.packets
    }
  }
}
const A = side(dirs[0])
const B = side(dirs[1])
async function main () {
  for (let i = 0; i < 3; i++) { await A.once(); await B.once() }
  const ta = []; const tb = []; const ratio = []
  for (let i = 0; i < ROUNDS; i++) {
    let a, b
    if (i & 1) { b = await B.once(); a = await A.once() } else { a = await A.once(); b = await B.once() }
    ta.push(a); tb.push(b); ratio.push(a / b)
  }
  const med = (x) => { const s = [...x].sort((p, q) => p - q); return s[s.length >> 1] }
  const min = (x) => Math.min(...x)
  const what = encoding ? `${only} ${kind}` : `${only} ${kind}${fresh ? ' fresh' : ''}${CHUNK !== 65536 ? ' chunk=' + CHUNK : ''}`
  console.log(`${what}: A ${med(ta).toFixed(0)} ns/pkt (min ${min(ta).toFixed(0)}), B ${med(tb).toFixed(0)} ns/pkt (min ${min(tb).toFixed(0)}); B is ${med(ratio).toFixed(3)}x A's speed (median of ${ROUNDS} paired rounds)`)
  if (process.env.AB_DUMP) console.log('A', ta.map((x) => x.toFixed(0)).join(' '), '\nB', tb.map((x) => x.toFixed(0)).join(' '))
}
main().catch((e) => { console.error(e); process.exit(1) })
