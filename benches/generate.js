'use strict'

// Encoding throughput of mqttwire vs mqtt-packet 9.0.2 on a PUBLISH-heavy
// stream.  Usage: node benches/generate.js [iterations]

const { Writable } = require('stream')
const mp = require('mqtt-packet')
const generate = require('../lib/generate')
const writeToStream = require('../lib/writeToStream')

const iterations = Number(process.argv[2]) || 100000
const rounds = Number(process.argv[3]) || 5

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
const publishOnly = packets.filter(p => p.packet.cmd === 'publish')
const smallV4 = publishOnly.filter(p => p.opts.protocolVersion === 4 && p.packet.payload.length <= 256)

function time (fn) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) fn(i)
  return Number(process.hrtime.bigint() - start) / iterations
}

// Sink that measures the encoder only
const sink = { write (chunk) { return true }, destroy (err) { throw err } }

function writable () {
  return new Writable({ write (chunk, enc, cb) { cb() }, writev (chunks, cb) { cb() } })
}

// The machine may be shared: interleave the two libraries and keep the best
// of several rounds.
function pair (label, ours, theirs) {
  for (let i = 0; i < 20000; i++) { ours(i); theirs(i) }
  let a = Infinity
  let b = Infinity
  for (let round = 0; round < rounds; round++) {
    a = Math.min(a, time(theirs))
    b = Math.min(b, time(ours))
  }
  report(label, a, b)
}

function report (label, theirs, ours) {
  console.log(`${label.padEnd(46)} mqtt-packet ${theirs.toFixed(0).padStart(5)} ns/op   mqttwire ${ours.toFixed(0).padStart(5)} ns/op   ${(theirs / ours).toFixed(2)}x`)
}

pair('generate PUBLISH', i => generate(publishOnly[i & 127].packet, publishOnly[i & 127].opts),
  i => mp.generate(publishOnly[i & 127].packet, publishOnly[i & 127].opts))

pair('writeToStream mixed (plain sink)', i => writeToStream(packets[i % packets.length].packet, sink, packets[i % packets.length].opts),
  i => mp.writeToStream(packets[i % packets.length].packet, sink, packets[i % packets.length].opts))

pair('writeToStream PUBLISH only (plain sink)', i => writeToStream(publishOnly[i & 127].packet, sink, publishOnly[i & 127].opts),
  i => mp.writeToStream(publishOnly[i & 127].packet, sink, publishOnly[i & 127].opts))

async function streamBench (label, list) {
  // Writable stream, 64 packets per tick (cork/uncork in play)
  async function run (fn) {
    const stream = writable()
    const batches = Math.ceil(iterations / 64)
    const start = process.hrtime.bigint()
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < 64; i++) fn(list[(b * 64 + i) % list.length], stream)
      await new Promise(resolve => setImmediate(resolve))
    }
    return Number(process.hrtime.bigint() - start) / (batches * 64)
  }
  const theirs = (p, s) => mp.writeToStream(p.packet, s, p.opts)
  const ours = (p, s) => writeToStream(p.packet, s, p.opts)
  await run(theirs)
  await run(ours)
  let a = Infinity
  let b = Infinity
  for (let round = 0; round < rounds; round++) {
    a = Math.min(a, await run(theirs))
    b = Math.min(b, await run(ours))
  }
  report(label, a, b)
}

async function main () {
  await streamBench('writeToStream PUBLISH (Writable)', publishOnly)
  await streamBench('writeToStream PUBLISH v4 <=256B (Writable)', smallV4)
  await streamBench('writeToStream mixed (Writable)', packets)
}

// Real TCP socket over loopback: the cost that matters for a broker
async function socketBench (label, list) {
  const net = require('net')
  const server = net.createServer(socket => socket.resume())
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  async function run (fn) {
    const socket = net.connect(port, '127.0.0.1')
    await new Promise(resolve => socket.once('connect', resolve))
    const batches = Math.ceil(iterations / 64)
    const start = process.hrtime.bigint()
    for (let b = 0; b < batches; b++) {
      let ok = true
      for (let i = 0; i < 64; i++) ok = fn(list[(b * 64 + i) % list.length], socket)
      if (!ok) await new Promise(resolve => socket.once('drain', resolve))
      else await new Promise(resolve => setImmediate(resolve))
    }
    const ns = Number(process.hrtime.bigint() - start) / (batches * 64)
    socket.destroy()
    return ns
  }
  const theirs = (p, s) => mp.writeToStream(p.packet, s, p.opts)
  const ours = (p, s) => writeToStream(p.packet, s, p.opts)
  let a = Infinity
  let b = Infinity
  for (let round = 0; round < rounds; round++) {
    a = Math.min(a, await run(theirs))
    b = Math.min(b, await run(ours))
  }
  report(label, a, b)
  server.close()
}

main().then(async () => {
  await socketBench('writeToStream PUBLISH (TCP socket)', publishOnly)
  await socketBench('writeToStream PUBLISH v4 <=256B (TCP socket)', smallV4)
})
