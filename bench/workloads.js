'use strict'
// Deterministic (seeded) workloads for bench/run.js. Every stream is encoded
// with mqtt-packet's own generate(), so the bytes are what a real client sends.

const mqttPacket = require('mqtt-packet')

/** mulberry32: small, fast, deterministic PRNG in [0, 1). */
function createRng (seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) // inclusive
  return { next, int }
}

const TOPIC_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-_'

/** An ASCII topic of exactly `len` bytes, shaped like site/xxx/dev/yyy. */
function topicOf (rng, len) {
  let s = ''
  let seg = 0
  for (let i = 0; i < len; i++) {
    if (seg >= 3 && i < len - 1 && rng.next() < 0.2) {
      s += '/'
      seg = 0
    } else {
      s += TOPIC_CHARS[rng.int(0, TOPIC_CHARS.length - 1)]
      seg++
    }
  }
  return s
}

// One random pool that payloads are views of (generate copies them anyway).
let POOL = null
function payloadOf (rng) {
  if (POOL === null) {
    const r = createRng(99)
    POOL = Buffer.allocUnsafe(1 << 16)
    for (let i = 0; i < POOL.length; i++) POOL[i] = Math.floor(r.next() * 256)
  }
  // 64-256 B, 5 % of 2-4 KiB
  const len = rng.next() < 0.05 ? rng.int(2048, 4096) : rng.int(64, 256)
  const at = rng.int(0, POOL.length - len)
  return POOL.subarray(at, at + len)
}

/** PUBLISH packet objects (QoS 0/1, topics 20-30 B); v5 adds a few properties. */
function publishPackets (n, version, seed) {
  const rng = createRng(seed)
  const out = new Array(n)
  let mid = 0
  for (let i = 0; i < n; i++) {
    const qos = rng.next() < 0.5 ? 0 : 1
    const p = {
      cmd: 'publish',
      topic: topicOf(rng, rng.int(20, 30)),
      payload: payloadOf(rng),
      qos,
      retain: rng.next() < 0.02,
      dup: false
    }
    if (qos > 0) {
      mid = (mid % 65535) + 1
      p.messageId = mid
    }
    if (version === 5) {
      const props = { messageExpiryInterval: rng.int(60, 86400) }
      if (rng.next() < 0.7) props.contentType = rng.next() < 0.5 ? 'application/json' : 'text/plain; charset=utf-8'
      if (rng.next() < 0.5) {
        props.userProperties = { trace: 'tr-' + rng.int(0, 1e9).toString(36) }
        if (rng.next() < 0.3) props.userProperties.tenant = 'tenant-' + rng.int(0, 99)
      }
      p.properties = props
    }
    out[i] = p
  }
  return out
}

function connectPacket (rng, version, i) {
  const p = {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: version,
    clean: rng.next() < 0.8,
    keepalive: rng.int(10, 600),
    clientId: 'client-' + i.toString(36) + '-' + rng.int(0, 1e6).toString(36)
  }
  if (rng.next() < 0.5) {
    p.username = 'user' + rng.int(0, 9999)
    p.password = Buffer.from('secret-' + rng.int(0, 1e9).toString(36))
  }
  if (rng.next() < 0.2) {
    p.will = { topic: 'status/' + p.clientId, payload: Buffer.from('offline'), qos: rng.int(0, 1), retain: rng.next() < 0.5 }
  }
  if (version === 5) p.properties = { sessionExpiryInterval: 3600, receiveMaximum: 100 }
  return p
}

/** Control-packet mix (3.1.1): CONNECT, SUBSCRIBE with many filters, PUBACK, PINGREQ. */
function controlPackets (n, seed) {
  const rng = createRng(seed)
  const out = new Array(n)
  let mid = 0
  for (let i = 0; i < n; i++) {
    const x = rng.next()
    mid = (mid % 65535) + 1
    if (x < 0.10) {
      out[i] = connectPacket(rng, 4, i)
    } else if (x < 0.30) {
      const k = rng.int(5, 30)
      const subs = []
      for (let j = 0; j < k; j++) {
        let t = topicOf(rng, rng.int(10, 40))
        const w = rng.next()
        if (w < 0.3) t += '/#'
        else if (w < 0.5) t = '+/' + t
        subs.push({ topic: t, qos: rng.int(0, 2) })
      }
      out[i] = { cmd: 'subscribe', messageId: mid, subscriptions: subs }
    } else if (x < 0.80) {
      out[i] = { cmd: 'puback', messageId: mid }
    } else {
      out[i] = { cmd: 'pingreq' }
    }
  }
  return out
}

function encodeAll (packets, version) {
  const opts = { protocolVersion: version }
  return Buffer.concat(packets.map((p) => mqttPacket.generate(p, opts)))
}

/** Split `buf` into views of `size` bytes, as a socket delivers them. */
function chunk (buf, size) {
  const out = []
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size))
  return out
}

/** A parse workload: a CONNECT (the parser learns the version from it) then the packets. */
function streamWorkload (name, title, packets, version, seed) {
  const rng = createRng(seed)
  const all = [connectPacket(rng, version, 0)].concat(packets)
  const stream = encodeAll(all, version)
  return { name, title, kind: 'parse', version, stream, packets: all.length }
}

/**
 * The gateway's shape: `clients` parsers, each fed what one socket read brings
 * (1-4 packets; ~10 % of reads end inside a packet, so it straddles two reads),
 * reads of different clients interleaved by a seeded schedule.
 */
function gatewayWorkload (clients, perClient, seed) {
  const rng = createRng(seed)
  const streams = []
  let packets = 0
  let bytes = 0
  for (let c = 0; c < clients; c++) {
    const list = [connectPacket(rng, 4, c)].concat(publishPackets(perClient, 4, seed * 7919 + c))
    const bufs = list.map((p) => mqttPacket.generate(p, { protocolVersion: 4 }))
    const bounds = [0]
    for (const b of bufs) bounds.push(bounds[bounds.length - 1] + b.length)
    streams.push({ buf: Buffer.concat(bufs), bounds })
    packets += list.length
    bytes += bounds[bounds.length - 1]
  }
  // per client: the list of reads (byte ranges)
  const reads = streams.map(({ buf, bounds }) => {
    const out = []
    let pos = 0 // byte position
    let pk = 0 // index of the first packet not completely delivered
    const n = bounds.length - 1
    while (pos < buf.length) {
      while (pk < n && bounds[pk + 1] <= pos) pk++
      const k = rng.int(1, 4)
      const last = Math.min(n, pk + k) // packets [pk, last) complete after this read
      let end = bounds[last]
      if (last < n && rng.next() < 0.1) {
        // end inside packet `last`: it straddles this read and the next
        end = rng.int(bounds[last] + 1, bounds[last + 1] - 1)
      }
      out.push(buf.subarray(pos, end))
      pos = end
    }
    return out
  })
  // interleave: pick a random client with reads left
  const active = []
  for (let c = 0; c < clients; c++) active.push(c)
  const next = new Int32Array(clients)
  const schedClient = []
  const schedBuf = []
  while (active.length > 0) {
    const j = rng.int(0, active.length - 1)
    const c = active[j]
    schedClient.push(c)
    schedBuf.push(reads[c][next[c]++])
    if (next[c] === reads[c].length) {
      active[j] = active[active.length - 1]
      active.pop()
    }
  }
  return {
    name: 'w5',
    title: `gateway shape: ${clients} parsers, 1-4 packets per read, interleaved`,
    kind: 'gateway',
    version: 4,
    clients,
    packets,
    bytes,
    reads: schedBuf.length,
    schedClient: Int32Array.from(schedClient),
    schedBuf
  }
}

/** `n` references cycling through `list` (an encode input without n distinct objects on the heap). */
function cycle (list, n) {
  const out = new Array(n)
  for (let i = 0; i < n; i++) out[i] = list[i % list.length]
  return out
}

module.exports = {
  createRng,
  cycle,
  publishPackets,
  controlPackets,
  encodeAll,
  chunk,
  streamWorkload,
  gatewayWorkload
}
