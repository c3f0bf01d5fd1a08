'use strict'
// A short demo: one sample MQTT stream parsed by mqtt-packet and by mqttwire,
// the packets printed, then both timed on the same stream in this process.
//
//   npm run demo
const { performance } = require('node:perf_hooks')
const mqttPacket = require('mqtt-packet')
const mqttwire = require('..')

function sampleStream (n) {
  const parts = [mqttPacket.generate({
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'demo', keepalive: 30
  })]
  for (let i = 0; i < n; i++) {
    const qos = i % 2
    parts.push(mqttPacket.generate({
      cmd: 'publish',
      topic: `sensors/building-${i % 7}/floor-${i % 3}/temp`,
      payload: Buffer.alloc(64 + (i % 5) * 48, i & 0xff),
      qos,
      messageId: qos ? (i % 65535) + 1 : undefined
    }))
  }
  parts.push(mqttPacket.generate({ cmd: 'pingreq' }))
  return Buffer.concat(parts)
}

function chunks (buf, size) {
  const out = []
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size))
  return out
}

function run (lib, pieces) {
  const p = lib.parser()
  let n = 0
  let bytes = 0
  p.on('packet', (pkt) => { n++; if (pkt.payload) bytes += pkt.payload.length })
  p.on('error', (err) => { throw err })
  for (const c of pieces) p.parse(c)
  return { n, bytes }
}

function time (lib, pieces, rounds) {
  run(lib, pieces) // warm-up
  const times = []
  let n = 0
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now()
    n = run(lib, pieces).n
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  const ms = times[Math.floor(times.length / 2)]
  return { n, ms, pps: n / ms * 1000 }
}

const stream = sampleStream(20000)
const pieces = chunks(stream, 64 * 1024)

console.log(`mqttwire demo: ${stream.length} bytes, ${pieces.length} chunks of 64 KiB, native addon: ${mqttwire.hasNative}`)
console.log('\nThe first packets, as each library emits them:')
for (const [name, lib] of [['mqtt-packet', mqttPacket], ['mqttwire', mqttwire]]) {
  const p = lib.parser()
  const shown = []
  p.on('packet', (pkt) => { if (shown.length < 3) shown.push(pkt) })
  p.parse(stream.subarray(0, 400))
  console.log(`  ${name}:`)
  for (const pkt of shown) {
    console.log(`    ${pkt.cmd} ${pkt.topic ?? pkt.clientId ?? ''}${pkt.payload ? ` payload ${pkt.payload.length} B` : ''}${pkt.messageId ? ` id ${pkt.messageId}` : ''}`)
  }
}

const bad = Buffer.from([0x30, 0x05, 0x00, 0x03, 0x61, 0x2f, 0x23]) // PUBLISH to "a/#"
const p = mqttwire.parser()
p.on('error', (err) => console.log(`\nA malformed packet (wildcard in a PUBLISH topic) gives: "${err.message}"`))
p.parse(bad)

const a = time(mqttPacket, pieces, 7)
const b = time(mqttwire, pieces, 7)
console.log(`\nParsing ${a.n} packets (median of 7 rounds, this process):`)
console.log(`  mqtt-packet  ${(a.pps / 1e6).toFixed(2)} M packets/s`)
console.log(`  mqttwire     ${(b.pps / 1e6).toFixed(2)} M packets/s  (${(b.pps / a.pps).toFixed(1)}x)`)
console.log('\nFull benchmark: npm run bench')
