#!/usr/bin/env node
// Reassembly of one large PUBLISH fed one byte per parse() call (what a gateway's
// parser sees from a client writing a byte at a time): the time per byte should
// not grow with the packet's size. mqttwire against stock mqtt-packet 9.0.2.
//
//   node bench-reassembly.js                 # 64 KiB, 256 KiB, 1 MiB
//   node bench-reassembly.js --sizes 1048576 --rounds 5
//   node bench-reassembly.js --stock-max 1048576   # mqtt-packet at 1 MiB too (over a minute a round)
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const require = createRequire(path.join(root, 'package.json'))
const parsers = { mqttwire: require(root), 'mqtt-packet': require('mqtt-packet') }

const args = process.argv.slice(2)
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt }
const sizes = opt('--sizes', '65536,262144,1048576').split(',').map(Number)
const rounds = Number(opt('--rounds', '3'))
// mqtt-packet's time per byte grows with the packet (it is quadratic): by default it
// runs only up to 256 KiB
const stockMax = Number(opt('--stock-max', '262144'))

function packet (size) {
  const payload = Buffer.alloc(size - 16, 0x61)
  return parsers.mqttwire.generate({ cmd: 'publish', topic: 'big/one', qos: 0, payload })
}

function feed (lib, bytes) {
  const p = lib.parser({ protocolVersion: 4 })
  let got = 0
  p.on('packet', () => { got++ })
  p.on('error', (e) => { throw e })
  const one = Buffer.from(bytes) // a copy: each call gets a 1-byte view of it
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < one.length; i++) p.parse(one.subarray(i, i + 1))
  const ns = Number(process.hrtime.bigint() - t0)
  if (got !== 1) throw new Error(`expected one packet, got ${got}`)
  return ns
}

console.log('# one PUBLISH fed a byte per parse() call; ns per byte (best of rounds), alternating parsers')
const rows = []
for (const size of sizes) {
  const bytes = packet(size)
  const best = {}
  for (let r = 0; r < rounds; r++) {
    for (const name of (r % 2 ? ['mqtt-packet', 'mqttwire'] : ['mqttwire', 'mqtt-packet'])) {
      if (name === 'mqtt-packet' && bytes.length > stockMax) continue
      const ns = feed(parsers[name], bytes) / bytes.length
      best[name] = Math.min(best[name] ?? Infinity, ns)
    }
  }
  rows.push({ bytes: bytes.length, ...Object.fromEntries(Object.entries(best).map(([k, v]) => [k, +v.toFixed(1)])) })
  const stock = best['mqtt-packet'] === undefined ? '- (over --stock-max)' : `${best['mqtt-packet'].toFixed(1)} ns/byte`
  console.log(`${String(bytes.length).padStart(8)} bytes: mqttwire ${best.mqttwire.toFixed(1)} ns/byte, mqtt-packet ${stock}`)
}
console.log(JSON.stringify({ reassembly_ns_per_byte: rows }))
