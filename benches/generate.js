'use strict'

// Encoding throughput of mqttwire vs mqtt-packet 9.0.2 on a PUBLISH-heavy
// stream.  Usage: node benches/generate.js [iterations]

const { Writable } = require('stream')
const mp = require('mqtt-packet')
const generate = require('../lib/generate')
const writeToStream = require('../lib/writeToStream')

const iterations = Number(process.argv[2]) || 300000

function makePackets () {
  const packets = []
  const sizes = [64, 256, 1024, 4096]
  for (let i = 0; i < 64; i++) {
    const size = sizes[i % sizes.length]
    const qos = i % 3 === 0 ? 0 : 1
    const packet = {
      cmd: 'publish',
      topic: `devices/sensor-${String(i).padStart(4, '0')}/telemetry`,
      payload: Buffer.alloc(size, i),
      qos,
      retain: false,
      dup: false
    }
    if (qos) packet.messageId = 1 + i
    packets.push({ packet, opts: { protocolVersion: 4 } })

    const v5 = Object.assign({}, packet, {
      properties: {
        messageExpiryInterval: 3600,
        contentType: 'application/json',
        userProperties: { trace: 'abc123' }
      }
    })
    packets.push({ packet: v5, opts: { protocolVersion: 5 } })
    packets.push({ packet: { cmd: 'puback', messageId: 1 + i }, opts: { protocolVersion: 4 } })
  }
  return packets
}

const packets = makePackets()

function bench (name, fn) {
  for (let i = 0; i < 20000; i++) fn(i)
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) fn(i)
  const ns = Number(process.hrtime.bigint() - start)
  const perSec = iterations / (ns / 1e9)
  console.log(`${name.padEnd(44)} ${(ns / iterations).toFixed(0).padStart(6)} ns/op ${Math.round(perSec).toString().padStart(10)} ops/s`)
  return ns
}

// Plain sink: measures the encoder only
const sink = { bytes: 0, writes: 0, write (chunk) { this.writes++; this.bytes += chunk.length; return true }, destroy (err) { throw err } }

function writable () {
  return new Writable({ write (chunk, enc, cb) { cb() }, writev (chunks, cb) { cb() } })
}

const results = {}
function pair (label, ours, theirs) {
  const a = bench(`mqtt-packet  ${label}`, theirs)
  const b = bench(`mqttwire     ${label}`, ours)
  results[label] = a / b
  console.log(`  -> ${(a / b).toFixed(2)}x faster\n`)
}

pair('generate', i => generate(packets[i & 127].packet, packets[i & 127].opts),
  i => mp.generate(packets[i & 127].packet, packets[i & 127].opts))

pair('writeToStream (plain sink)', i => writeToStream(packets[i & 127].packet, sink, packets[i & 127].opts),
  i => mp.writeToStream(packets[i & 127].packet, sink, packets[i & 127].opts))

const publishOnly = packets.filter(p => p.packet.cmd === 'publish')
pair('writeToStream PUBLISH only (plain sink)', i => writeToStream(publishOnly[i & 127].packet, sink, publishOnly[i & 127].opts),
  i => mp.writeToStream(publishOnly[i & 127].packet, sink, publishOnly[i & 127].opts))

async function streamBench () {
  // Writable stream, batches of 64 packets per tick (cork/uncork in play)
  async function run (fn) {
    const stream = writable()
    const batches = Math.floor(iterations / 64)
    const start = process.hrtime.bigint()
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < 64; i++) fn(packets[(b * 64 + i) & 127], stream)
      await new Promise(resolve => setImmediate(resolve))
    }
    return Number(process.hrtime.bigint() - start) / (batches * 64)
  }
  await run((p, s) => mp.writeToStream(p.packet, s, p.opts))
  await run((p, s) => writeToStream(p.packet, s, p.opts))
  const theirs = await run((p, s) => mp.writeToStream(p.packet, s, p.opts))
  const ours = await run((p, s) => writeToStream(p.packet, s, p.opts))
  console.log(`mqtt-packet  writeToStream (Writable, corked) ${theirs.toFixed(0)} ns/op`)
  console.log(`mqttwire     writeToStream (Writable, corked) ${ours.toFixed(0)} ns/op`)
  console.log(`  -> ${(theirs / ours).toFixed(2)}x faster\n`)
}

streamBench()
