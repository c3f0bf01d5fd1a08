#!/usr/bin/env node
'use strict'
// Why bench/run.js runs one untimed "settle" pass after each forced gc():
// times the w1 parse pass (reads copied into fresh Buffers, as bench/run.js
// does) of mqtt-packet and of mqttwire's drop-in parser after three different
// preparations, interleaved round by round in one process:
//   gc      forced full gc(), then the timed pass (bench/run.js --no-settle)
//   settle  forced full gc(), one untimed pass, then the timed pass (the default)
//   none    nothing: the timed pass follows the previous pass directly
// A full GC gives free heap pages back to the OS; the first pass after it
// pays a page fault for each page it allocates into again.
//
//   node bench/settle.js [--rounds 9] [--n 100000]

const mqttPacket = require('mqtt-packet')
const W = require('./workloads')
const { PARSE_DRIVERS, exposeGc } = require('./drivers')
const mqttwire = require('..')

const args = process.argv.slice(2)
const arg = (k, d) => { const i = args.indexOf(k); return i >= 0 ? Number(args[i + 1]) : d }
const ROUNDS = arg('--rounds', 9)
const N = arg('--n', 100000)
const gc = exposeGc()

const w = W.streamWorkload('w1', '', W.publishPackets(N, 4, 11), 4, 17)
const chunks = W.chunk(w.stream, 65536)

function contender (lib) {
  // own copies of the consumer and the timed loop (own type feedback)
  const c = new Function(`
    const ring = new Array(1024).fill(null); let at = 0; const st = { n: 0, acc: 0 }
    function onPacket (p) {
      const pl = p.payload
      st.acc += p.cmd.length + p.qos + (pl ? pl.length : 0)
      ring[at] = p; at = (at + 1) & 1023; st.n++
    }
    return { onPacket, st }`)() // eslint-disable-line no-new-func
  const run = new Function(PARSE_DRIVERS.freshChunks)() // eslint-disable-line no-new-func
  return () => {
    c.st.n = 0
    const p = lib.parser()
    p.on('packet', c.onPacket)
    const t = Number(run(p, chunks))
    if (c.st.n !== w.packets) throw new Error(`${c.st.n} packets, expected ${w.packets}`)
    return t / w.packets
  }
}

const libs = { 'mqtt-packet': contender(mqttPacket), mqttwire: contender(mqttwire) }
const modes = ['gc', 'settle', 'none']
const res = {}
for (const name of Object.keys(libs)) {
  const pass = libs[name]
  for (let k = 0; k < 2; k++) pass()
  res[name] = { gc: [], settle: [], none: [] }
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < modes.length; j++) {
      const m = modes[(j + r) % modes.length]
      if (m !== 'none') gc()
      if (m === 'settle') pass()
      res[name][m].push(pass())
    }
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1] }
console.log(`w1 (${w.packets} packets, 64 KiB reads into fresh Buffers), ns/packet, median of ${ROUNDS} rounds; Node ${process.version}`)
console.log('    ' + 'path'.padEnd(13) + modes.map((m) => m.padStart(9)).join('') + '   gc - settle')
for (const name of Object.keys(res)) {
  const m = Object.fromEntries(modes.map((k) => [k, med(res[name][k])]))
  console.log('    ' + name.padEnd(13) + modes.map((k) => m[k].toFixed(0).padStart(9)).join('') + `   ${(m.gc - m.settle).toFixed(0).padStart(6)} ns`)
}
