'use strict'
// What bench/run.js and bench/ab.js (and the studies next to them) share:
// the timed loops, the consumer, the forced gc, the GC watcher and the
// floor encoders' block carver. Loops and consumers are
// sources that each contender compiles for itself (new Function), so that
// every contender has its own type feedback: a gateway only ever sees one
// library's packet shapes.

const { Writable } = require('node:stream')
const { PerformanceObserver, performance, constants: perfConstants } = require('node:perf_hooks')
const v8 = require('node:v8')
const vm = require('node:vm')
//
// They return the timed ns. Default ('fresh'): the reads are
// handed to parse() as a socket hands them over: each one copied into a new
// Buffer (its own ArrayBuffer, as Node's stream reads are) just before, so
// the bytes are in cache as the kernel's copy leaves them; the copies are not
// timed. Reads are copied and parsed in batches of about 64 KiB (one batch =
// one chunk for w1-w3; for w5 the ~80 small reads of different clients that
// make 64 KiB), one clock pair per batch. --cold: parse() slices of the whole
// workload buffer, timed as one loop (every parser then pays the misses of a
// stream far larger than the cache).
const PARSE_DRIVERS = {
  chunks: 'return function run (p, chunks) { const t0 = process.hrtime.bigint(); for (let i = 0; i < chunks.length; i++) p.parse(chunks[i]); return process.hrtime.bigint() - t0 }',
  gateway: 'return function run (ps, who, bufs) { const t0 = process.hrtime.bigint(); for (let i = 0; i < bufs.length; i++) ps[who[i]].parse(bufs[i]); return process.hrtime.bigint() - t0 }',
  freshChunks: `return function run (p, chunks) {
    let t = 0n
    for (let i = 0; i < chunks.length; i++) {
      const src = chunks[i]
      const b = Buffer.allocUnsafeSlow(src.length)
      src.copy(b)
      const t0 = process.hrtime.bigint()
      p.parse(b)
      t += process.hrtime.bigint() - t0
    }
    return t
  }`,
  freshGateway: `return function run (ps, who, bufs, batchEnd) {
    let t = 0n
    let i = 0
    const fresh = []
    for (let k = 0; k < batchEnd.length; k++) {
      const e = batchEnd[k]
      for (let j = i; j < e; j++) {
        const src = bufs[j]
        const b = Buffer.allocUnsafeSlow(src.length)
        src.copy(b)
        fresh[j - i] = b
      }
      const t0 = process.hrtime.bigint()
      for (let j = i; j < e; j++) ps[who[j]].parse(fresh[j - i])
      t += process.hrtime.bigint() - t0
      fresh.fill(null)
      i = e
    }
    return t
  }`
}

/** End indices of consecutive runs of reads of about `size` bytes in all. */
function batchEnds (bufs, size) {
  const ends = []
  let acc = 0
  for (let i = 0; i < bufs.length; i++) {
    acc += bufs[i].length
    if (acc >= size) { ends.push(i + 1); acc = 0 }
  }
  if (ends.length === 0 || ends[ends.length - 1] !== bufs.length) ends.push(bufs.length)
  return Int32Array.from(ends)
}

// The encode loops: generate() into the consumer's keep(), writeToStream()
// into a sink or stream, and writeToStream() as a gateway writes to a socket:
// on false, wait for 'drain' before the next packet.
const ENCODE_DRIVERS = {
  generate: 'return function run (gen, packets, opts, keep) { for (let i = 0; i < packets.length; i++) keep(gen(packets[i], opts)) }',
  wts: 'return function run (wts, packets, opts, sink) { for (let i = 0; i < packets.length; i++) wts(packets[i], sink, opts) }',
  wtsDrain: 'return async function run (wts, packets, opts, s, drained) { for (let i = 0; i < packets.length; i++) if (!wts(packets[i], s, opts)) await drained(s) }'
}
const DRIVERS = { ...PARSE_DRIVERS, ...ENCODE_DRIVERS }
/** A fresh copy of one timed loop (kind: a key of PARSE_DRIVERS or ENCODE_DRIVERS). */
const makeDriver = (kind) => new Function(DRIVERS[kind])() // eslint-disable-line no-new-func

/** Resolves at the stream's next 'drain'. */
const drained = (s) => new Promise((resolve) => s.once('drain', resolve))
/** A socket's writableHighWaterMark in Node 20 (bench/run.js w4d). */
const SOCKET_HWM = 16384

// The consumer: reads the fields a gateway reads and keeps the last 1024
// packets alive; readUp: it also reads properties.userProperties.
const CONSUMER_SRC = `
  const RING = 1024 // keep the last 1024 packets alive, like a gateway's in-flight window
  const ring = new Array(RING).fill(null)
  const ring2 = new Array(RING).fill(null)
  let at = 0
  const st = { n: 0, acc: 0, bytes: 0, calls: 0, chunks: 0 }
  // what a gateway reads of v5 properties: contentType (and userProperties with READ_UP)
  function readProps (pr) {
    if (pr === undefined) return 0
    let a = 1
    const ct = pr.contentType
    if (ct !== undefined) a += ct.length
    if (READ_UP && pr.userProperties !== undefined) a += 1
    return a
  }
  function onPacket (p) {
    let a = p.cmd.length + p.qos
    const t = p.topic
    if (t !== null && t !== undefined) a += t.length
    const pl = p.payload
    if (pl !== null && pl !== undefined) a += pl.length
    const id = p.messageId
    if (id !== undefined) a += id
    a += readProps(p.properties)
    st.acc += a
    ring[at] = p
    at = (at + 1) & (RING - 1)
    st.n++
  }
  function onPublish (topic, payload, qos, messageId, retain, dup, properties) {
    st.acc += 7 + qos + topic.length + payload.length + messageId + readProps(properties)
    ring[at] = topic
    ring2[at] = payload
    at = (at + 1) & (RING - 1)
    st.n++
  }
  function keep (buf) {
    st.acc += buf.length
    ring[at] = buf
    at = (at + 1) & (RING - 1)
    st.n++
  }
  // a minimal Writable-like sink for writeToStream: counts bytes and calls
  const sink = {
    write (buf) { st.bytes += buf.length; st.calls++; return true },
    destroy (err) { throw err }
  }
  // a real stream.Writable that discards, for writeToStream into Node's
  // stream machinery (cork/uncork, buffering, writev) as a socket has it;
  // decodeStrings: false as net.Socket sets it. Counts bytes and chunks (one
  // chunk per write() call).
  const size = (c, enc) => typeof c === 'string' ? Buffer.byteLength(c, enc) : c.length
  function writable (hwm = 1 << 30) {
    return new Writable({
      highWaterMark: hwm,
      decodeStrings: false,
      write (chunk, enc, cb) { st.bytes += size(chunk, enc); st.chunks++; cb() },
      writev (chunks, cb) {
        for (let i = 0; i < chunks.length; i++) st.bytes += size(chunks[i].chunk, chunks[i].encoding)
        st.chunks += chunks.length
        cb()
      }
    })
  }
  function onError (err) { throw err }
  function reset () { ring.fill(null); ring2.fill(null); at = 0; st.n = 0; st.acc = 0; st.bytes = 0; st.calls = 0; st.chunks = 0 }
  return { onPacket, onPublish, onOther: onPacket, onError, keep, sink, writable, st, reset }
`
/** A fresh consumer (its own compiled copy). */
const newConsumer = (readUp) => new Function('Writable', 'READ_UP', CONSUMER_SRC)(Writable, readUp) // eslint-disable-line no-new-func

/**
 * gc(), without a node flag (no re-spawn needed; keeps `node --cpu-prof`
 * profiling this very process), or null where it cannot be had.
 */
function exposeGc () {
  if (typeof global.gc === 'function') return global.gc
  try {
    v8.setFlagsFromString('--expose-gc')
    return vm.runInNewContext('gc')
  } catch {
    return null
  }
}

/**
 * The garbage collections inside timed passes. V8 reports every collection
 * (PerformanceObserver 'gc', delivered on a later turn of the event loop);
 * window(name, from) notes a pass of `name` that ran from `from` (a
 * performance.now() time) until now, and stats() counts, for each name, the
 * collections that started inside its windows since the last stats(): GC ms
 * and scavenges a pass, and all collections a pass. stats() consumes both.
 */
function gcWatcher () {
  const log = []
  let windows = {}
  new PerformanceObserver((list) => { for (const e of list.getEntries()) log.push(e) }).observe({ entryTypes: ['gc'] })
  const immediate = () => new Promise((resolve) => setImmediate(resolve))
  return {
    window (name, from) {
      (windows[name] || (windows[name] = [])).push(from, performance.now())
    },
    async stats () {
      await immediate() // the entries of the last passes arrive on a later turn
      await immediate()
      const out = {}
      for (const [name, w] of Object.entries(windows)) {
        let ms = 0
        let minor = 0
        let all = 0
        for (const e of log) {
          for (let i = 0; i < w.length; i += 2) {
            if (e.startTime >= w[i] && e.startTime < w[i + 1]) {
              ms += e.duration
              all++
              if (e.detail.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) minor++
              break
            }
          }
        }
        const passes = w.length / 2
        out[name] = { gcMsPerPass: ms / passes, scavengesPerPass: minor / passes, collectionsPerPass: all / passes }
      }
      log.length = 0
      windows = {}
      return out
    }
  }
}

/**
 * take(n): n bytes carved from 64 KiB blocks (8-byte aligned, a new block
 * when full) as lib/encode.js carves its packets, for the studies' floor
 * encoders, which measure the same allocation without the library's code.
 */
function blockCarver (size = 64 * 1024) {
  const FastBuffer = Buffer[Symbol.species]
  let ab = null
  let base = 0
  let used = size
  return function take (n) {
    if (used + n > size) {
      const b = Buffer.allocUnsafeSlow(size)
      ab = b.buffer
      base = b.byteOffset
      used = 0
    }
    const v = new FastBuffer(ab, base + used, n)
    used = (used + n + 7) & ~7
    return v
  }
}

module.exports = { PARSE_DRIVERS, ENCODE_DRIVERS, makeDriver, newConsumer, drained, SOCKET_HWM, exposeGc, batchEnds, gcWatcher, blockCarver }
