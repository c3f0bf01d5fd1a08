#!/usr/bin/env node
'use strict'
// mqttwire Node benchmark: mqtt-packet 9.0.2 vs mqttwire, side by side in ONE
// process run (see benches/README.md, "Node benchmarks").
//
//   node bench/run.js                 full run (~1-2 min on 2 cores)
//   node bench/run.js --quick         smoke run (small N, 3 rounds)
//   node bench/run.js --json out.json also write the results as JSON
//   node bench/run.js --only w1,w5    only these workloads (w1 w2 w3 w4 w5)
//   node bench/run.js --paths mqttwire,mqtt-packet   only these contenders
//   node bench/run.js --rounds 11 --n 200000
//   node bench/run.js --cold          parse slices of one big buffer (default:
//        each read copied into a fresh Buffer before parse(), as from a socket)
//   node bench/run.js --no-settle     time the pass right after the forced gc()
//        (default: one untimed pass of the same contender in between; see
//        benches/README.md, "Steady state")
//   node bench/run.js --min-ms 100    a timed sample is a contender's passes back to
//        back until >= 100 ms of timed work (default 100; --quick 0: one pass)
//   node bench/run.js --read-user-properties   every consumer also reads
//        properties.userProperties (the router builds them only when read)
//   node bench/run.js --runs 5 --json out.json
//        five full runs, each its own process (every ratio still measured
//        within one process); then the goals over the runs: each run's ratio,
//        their median, which decides, and in how many runs each goal passed
//   node bench/run.js --only w1 --paths mqttwire --profile /tmp/w1
//        CPU profile of the timed rounds only (no warm-up, no checks, no forced
//        gc) -> /tmp/w1-w1.cpuprofile; open it in Chrome DevTools (Performance)
//   (node --cpu-prof bench/run.js ... works too, but profiles setup and checks)

const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Writable } = require('node:stream')
const { performance } = require('node:perf_hooks')

const W = require('./workloads')
const { makeDriver, newConsumer, drained, SOCKET_HWM, exposeGc, batchEnds, gcWatcher } = require('./drivers')

// ---------------------------------------------------------------- options
function parseArgs (argv) {
  const o = { quick: false, cold: false, settle: true, readUp: false, minMs: -1, json: null, only: null, paths: null, rounds: 0, n: 0, warmup: -1, seed: 1, profile: null, runs: 1 }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`bench/run.js: ${a} needs a value`)
      return argv[++i]
    }
    if (a === '--quick') o.quick = true
    else if (a === '--cold') o.cold = true
    else if (a === '--no-settle') o.settle = false
    else if (a === '--read-user-properties') o.readUp = true
    else if (a === '--min-ms') o.minMs = Number(val())
    else if (a === '--json') o.json = val()
    else if (a === '--only') o.only = new Set(val().split(','))
    else if (a === '--paths') o.paths = new Set(val().split(','))
    else if (a === '--rounds') o.rounds = Number(val())
    else if (a === '--n') o.n = Number(val())
    else if (a === '--warmup') o.warmup = Number(val())
    else if (a === '--seed') o.seed = Number(val())
    else if (a === '--profile') o.profile = val()
    else if (a === '--runs') o.runs = Number(val())
    else if (a === '--help' || a === '-h') {
      // the comment block at the top of this file
      const lines = fs.readFileSync(__filename, 'utf8').split('\n').slice(2)
      console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).join('\n'))
      process.exit(0)
    } else throw new Error(`bench/run.js: unknown option ${a} (try --help)`)
  }
  if (o.rounds === 0) o.rounds = o.quick ? 3 : 9
  if (o.n === 0) o.n = o.quick ? 3000 : 100000
  if (o.warmup < 0) o.warmup = o.quick ? 1 : 2
  if (o.minMs < 0) o.minMs = o.quick ? 0 : 100
  if (!(Number.isInteger(o.runs) && o.runs >= 1)) throw new Error(`bench/run.js: --runs takes a whole number >= 1, got ${o.runs}`)
  if (o.runs > 1 && o.profile !== null) throw new Error('bench/run.js: --profile profiles one run; drop --runs')
  return o
}
const opt = parseArgs(process.argv.slice(2))
const want = (w) => opt.only === null || opt.only.has(w)

// gc() between rounds without a node flag (no re-spawn needed; keeps
// `node --cpu-prof bench/run.js` profiling this very process).
const gc = exposeGc()
// no forced gc while profiling: it would show up as the collector's time
const collect = () => { if (gc !== null && opt.profile === null) gc() }
// Steady state: after the forced full gc(), one untimed pass of the same
// contender before the timed one. A full GC gives the heap's free pages back
// to the OS, so the first pass after it pays page faults for every page it
// allocates into, which a running gateway does not: without the settle pass,
// each w1 pass cost mqttwire ~+80 ns/packet and mqtt-packet ~+560 ns/packet
// (benches/README.md, Findings). Not while profiling (no forced gc then).
const settling = () => opt.settle && gc !== null && opt.profile === null

// --profile: the inspector's CPU profiler around the timed rounds only
let inspectorSession = null
// timed passes made so far (a sample is one or more passes: --min-ms)
let timedPasses = 0
let passesAtProfileStart = 0
function profileStart () {
  if (opt.profile === null) return
  passesAtProfileStart = timedPasses
  if (inspectorSession === null) {
    const inspector = require('node:inspector')
    inspectorSession = new inspector.Session()
    inspectorSession.connect()
  }
  inspectorSession.post('Profiler.enable')
  inspectorSession.post('Profiler.setSamplingInterval', { interval: 100 }) // microseconds
  inspectorSession.post('Profiler.start')
}
function profileStop (label, packets) {
  if (opt.profile === null) return
  const n = timedPasses - passesAtProfileStart
  const profiled = n * packets
  inspectorSession.post('Profiler.stop', (err, res) => {
    if (err) throw err
    const file = `${opt.profile}-${label}.cpuprofile`
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
    fs.writeFileSync(file, JSON.stringify(res.profile))
    console.log(`    profile of the timed rounds: ${file} (${n} passes of ${packets} packets, ` +
      `all paths together, ${profiled} packets in all; open it in Chrome DevTools)`)
  })
}

// ---------------------------------------------------------------- contenders
const ROOT = path.join(__dirname, '..')
const mqttPacket = require('mqtt-packet')

// Each mqttwire contender gets its own copy of index.js + lib/ (the native
// addon is shared), so the inline caches of the shared glue are not polluted
// by the other paths: as in an application, which uses one of them.
function freshMqttwire () {
  const lib = path.join(ROOT, 'lib') + path.sep
  const index = path.join(ROOT, 'index.js')
  for (const k of Object.keys(require.cache)) {
    if (k === index || k.startsWith(lib)) delete require.cache[k]
  }
  return require(ROOT)
}

// A second copy of mqtt-packet (same files, fresh module instances) for the
// stream.Writable rows, so its writeToStream's inline caches see only that
// sink and the counting-sink rows keep theirs.
function freshMqttPacket () {
  const dir = path.dirname(require.resolve('mqtt-packet')) + path.sep
  const saved = {}
  for (const k of Object.keys(require.cache)) {
    if (k.startsWith(dir)) { saved[k] = require.cache[k]; delete require.cache[k] }
  }
  const lib = require('mqtt-packet')
  for (const k of Object.keys(require.cache)) if (k.startsWith(dir)) delete require.cache[k]
  Object.assign(require.cache, saved)
  return lib
}

const makeConsumer = () => newConsumer(opt.readUp)


function parseContender (name, desc, make) {
  return {
    name,
    desc,
    make,
    consumer: makeConsumer(),
    chunks: makeDriver(opt.cold ? 'chunks' : 'freshChunks'),
    gateway: makeDriver(opt.cold ? 'gateway' : 'freshGateway')
  }
}

function buildContenders () {
  const mwParser = freshMqttwire()
  const mwRouter = freshMqttwire()
  const mwEnc = freshMqttwire()
  const mwStream = freshMqttwire()
  const parse = [
    parseContender('mqtt-packet', 'mqtt-packet 9.0.2 parser()', (c) => {
      const p = mqttPacket.parser()
      p.on('packet', c.onPacket)
      p.on('error', c.onError)
      return p
    }),
    parseContender('mqttwire', 'drop-in parser() (Rust frames every read)', (c) => {
      const p = mwParser.parser()
      p.on('packet', c.onPacket)
      p.on('error', c.onError)
      return p
    }),
    parseContender('router', 'routing API router()', (c) => {
      const r = mwRouter.router(undefined, c.onPublish, c.onOther)
      r.on('error', c.onError)
      return r
    })
  ]
  // slib: the library copy (and wtsS the driver) for the stream.Writable rows
  const encode = [
    { name: 'mqtt-packet', desc: 'mqtt-packet 9.0.2', lib: mqttPacket, slib: freshMqttPacket() },
    { name: 'mqttwire', desc: 'mqttwire', lib: mwEnc, slib: mwStream }
  ].map((c) => Object.assign(c, { consumer: makeConsumer(), generate: makeDriver('generate'), wts: makeDriver('wts'), wtsS: makeDriver('wts'), wtsD: makeDriver('wtsDrain') }))
  const pick = (list) => list.filter((c) => opt.paths === null || opt.paths.has(c.name))
  return { parse: pick(parse), encode: pick(encode), mwParser }
}

// ---------------------------------------------------------------- correctness
function plain (p) { return Object.assign({}, p) }

/** The packets a parse contender emits for a chunk list, normalised for deepStrictEqual. */
function collectParse (c, chunks) {
  const out = []
  const cons = {
    onPacket: (p) => out.push(plain(p)),
    onOther: (p) => out.push(plain(p)),
    onPublish: (topic, payload, qos, messageId, retain, dup, properties) =>
      out.push({ router: true, topic, payload, qos, messageId, retain, dup, properties }),
    onError: (err) => { throw new Error(`${c.name} emitted an error: ${err.message}`) }
  }
  const p = c.make(cons)
  for (const ch of chunks) p.parse(ch)
  return out.map(settled)
}

/**
 * The router's properties (a PublishProperties) as the plain object
 * mqtt-packet makes, taken after the whole stream was parsed: its user
 * properties are decoded then, from the chunk, as a gateway would later.
 */
function settled (o) {
  if (o.router === true && o.properties !== undefined) o.properties = o.properties.toObject()
  return o
}

/** What the router must report for a reference (mqtt-packet) PUBLISH. */
function asRouted (ref) {
  return {
    router: true,
    topic: ref.topic,
    payload: ref.payload,
    qos: ref.qos,
    messageId: ref.qos > 0 ? ref.messageId : 0,
    retain: ref.retain,
    dup: ref.dup,
    properties: ref.properties
  }
}

function compareLists (name, wname, got, ref) {
  if (got.length !== ref.length) {
    throw new Error(`${name} emitted ${got.length} packets, mqtt-packet ${ref.length}`)
  }
  for (let i = 0; i < ref.length; i++) {
    const g = got[i]
    const r = g.router === true ? asRouted(ref[i]) : ref[i]
    try {
      assert.deepStrictEqual(g, r)
    } catch (err) {
      throw new Error(`${name} packet #${i} differs from mqtt-packet's:\n${err.message}`)
    }
  }
}

const checks = []
function check (wname, cname, fn) {
  try {
    fn()
    checks.push({ workload: wname, path: cname, ok: true })
  } catch (err) {
    checks.push({ workload: wname, path: cname, ok: false, message: err.message })
    console.error(`\nCORRECTNESS CHECK FAILED (${wname}, ${cname}) — aborting, no timings taken:\n${err.message}`)
    if (opt.json) writeJson({ error: `correctness check failed: ${wname} ${cname}`, correctness: { passed: false, checks } })
    process.exit(1)
  }
}

async function checkAsync (wname, cname, fn) {
  try {
    await fn()
    checks.push({ workload: wname, path: cname, ok: true })
  } catch (err) {
    checks.push({ workload: wname, path: cname, ok: false, message: err.message })
    console.error(`\nCORRECTNESS CHECK FAILED (${wname}, ${cname}) — aborting, no timings taken:\n${err.message}`)
    if (opt.json) writeJson({ error: `correctness check failed: ${wname} ${cname}`, correctness: { passed: false, checks } })
    process.exit(1)
  }
}

function checkParse (w, chunks, contenders) {
  const ref = collectParse({ name: 'mqtt-packet', make: contenders[0].name === 'mqtt-packet' ? contenders[0].make : REF_MAKE }, chunks)
  if (ref.length !== w.packets) throw new Error(`bench bug: mqtt-packet gave ${ref.length} packets, expected ${w.packets}`)
  for (const c of contenders) {
    if (c.name === 'mqtt-packet') continue
    check(w.name, c.name, () => compareLists(c.name, w.name, collectParse(c, chunks), ref))
  }
}
const REF_MAKE = (c) => {
  const p = mqttPacket.parser()
  p.on('packet', c.onPacket)
  p.on('error', c.onError)
  return p
}

function checkGateway (w, contenders) {
  const collectAll = (c) => {
    const lists = []
    const ps = []
    for (let k = 0; k < w.clients; k++) {
      const out = []
      lists.push(out)
      ps.push(c.make({
        onPacket: (p) => out.push(plain(p)),
        onOther: (p) => out.push(plain(p)),
        onPublish: (topic, payload, qos, messageId, retain, dup, properties) =>
          out.push({ router: true, topic, payload, qos, messageId, retain, dup, properties }),
        onError: (err) => { throw new Error(`${c.name} emitted an error: ${err.message}`) }
      }))
    }
    for (let i = 0; i < w.schedBuf.length; i++) ps[w.schedClient[i]].parse(w.schedBuf[i])
    return lists.map((l) => l.map(settled))
  }
  const ref = collectAll({ name: 'mqtt-packet', make: REF_MAKE })
  for (const c of contenders) {
    if (c.name === 'mqtt-packet') continue
    check(w.name, c.name, () => {
      const got = collectAll(c)
      for (let k = 0; k < w.clients; k++) compareLists(`${c.name} (client ${k})`, w.name, got[k], ref[k])
    })
  }
}

function checkEncode (wname, packets, opts, contenders, mode) {
  const ref = packets.map((p) => mqttPacket.generate(p, opts))
  for (const c of contenders) {
    if (c.name === 'mqtt-packet') continue
    check(wname, c.name, () => {
      for (let i = 0; i < packets.length; i++) {
        let got
        if (mode === 'generate') {
          got = c.lib.generate(packets[i], opts)
        } else {
          const parts = []
          const ret = c.lib.writeToStream(packets[i], { write: (b) => { parts.push(Buffer.from(b)); return true }, destroy: (e) => { throw e } }, opts)
          if (ret !== true) throw new Error(`writeToStream returned ${ret} for packet #${i} (the sink's write returned true)`)
          got = Buffer.concat(parts)
        }
        if (!got.equals(ref[i])) {
          throw new Error(`${c.name} ${mode} packet #${i} bytes differ from mqtt-packet's:\n  got ${got.toString('hex').slice(0, 160)}\n  want ${ref[i].toString('hex').slice(0, 160)}`)
        }
      }
    })
  }
}

/**
 * writeToStream of all packets into one stream.Writable (set up as the timed
 * sink is), flushed after the tick: the bytes the stream passes on must equal
 * the concatenation of mqtt-packet's generate() output.
 */
async function checkEncodeStream (wname, packets, opts, contenders) {
  const ref = Buffer.concat(packets.map((p) => mqttPacket.generate(p, opts)))
  for (const c of contenders) {
    if (c.name === 'mqtt-packet') continue
    await checkAsync(wname, c.name, async () => {
      const parts = []
      const st = { bytes: 0 }
      const take = (chunk, enc) => {
        const b = typeof chunk === 'string' ? Buffer.from(chunk, enc) : chunk
        parts.push(b)
        st.bytes += b.length
      }
      const s = new Writable({
        highWaterMark: 1 << 30,
        decodeStrings: false,
        write (chunk, enc, cb) { take(chunk, enc); cb() },
        writev (chunks, cb) { for (const x of chunks) take(x.chunk, x.encoding); cb() }
      })
      for (let i = 0; i < packets.length; i++) {
        const ret = c.slib.writeToStream(packets[i], s, opts)
        if (ret !== true) throw new Error(`writeToStream returned ${ret} for packet #${i} (the stream is below its highWaterMark)`)
      }
      await flushed(st, ref.length, `${c.name} ${wname}`)
      const got = Buffer.concat(parts)
      if (!got.equals(ref)) {
        let at = 0
        while (at < got.length && at < ref.length && got[at] === ref[at]) at++
        throw new Error(`${c.name} writeToStream into a stream.Writable: ${got.length} bytes, mqtt-packet ${ref.length}; first difference at byte ${at}:\n` +
          `  got ${got.subarray(at, at + 80).toString('hex')}\n  want ${ref.subarray(at, at + 80).toString('hex')}`)
      }
    })
  }
}

// ---------------------------------------------------------------- timing
const immediate = () => new Promise((resolve) => setImmediate(resolve))

// The garbage collections in each contender's timed passes (drivers.js
// gcWatcher): sample() notes each pass's window, and each row takes the GC ms
// and scavenges a pass of its contenders (warm-up passes included, as in
// passes a sample). Where a scavenge lands (mid-pass, copying what the pass
// holds, or between passes) can decide a row (benches/README.md, w4s).
let gcw = null
const passWindow = (name, from) => { if (gcw !== null) gcw.window(name, from) }
/**
 * Let the event loop turn (at least once) until `st.bytes` reaches `bytes`:
 * the nextTick uncorks, the stream's writev/write and its after-write ticks
 * all run before a setImmediate callback.
 */
async function flushed (st, bytes, what) {
  let turns = 0
  do {
    if (++turns > 1000) throw new Error(`${what}: only ${st.bytes} of ${bytes} bytes reached the stream after 1000 event-loop turns`)
    await immediate()
  } while (st.bytes < bytes)
}

function quantile (sorted, q) {
  const i = (sorted.length - 1) * q
  const lo = Math.floor(i)
  const hi = Math.ceil(i)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo)
}

/**
 * Run `runs[name]()` (each returns the elapsed ns of one timed pass) warm-up +
 * rounds times, rotating the contenders' order every round.
 */
function measure (names, once, label, packets) {
  for (const name of names) for (let k = 0; k < opt.warmup; k++) once(name)
  const times = Object.fromEntries(names.map((n) => [n, []]))
  profileStart()
  for (let r = 0; r < opt.rounds; r++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(j + r) % names.length]
      times[name].push(once(name))
    }
  }
  profileStop(label, packets)
  return times
}

/** measure() for a `once` that returns a promise of the elapsed ns. */
async function measureAsync (names, once, label, packets) {
  for (const name of names) for (let k = 0; k < opt.warmup; k++) await once(name)
  const times = Object.fromEntries(names.map((n) => [n, []]))
  profileStart()
  for (let r = 0; r < opt.rounds; r++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(j + r) % names.length]
      times[name].push(await once(name))
    }
  }
  profileStop(label, packets)
  return times
}

function stats (ns, packets, bytes) {
  const pps = ns.map((t) => packets / (t / 1e9)).sort((a, b) => a - b)
  const med = quantile(pps, 0.5)
  return {
    packetsPerSec: med,
    mbPerSec: med * bytes / packets / 1e6,
    nsPerPacket: 1e9 / med,
    min: pps[0],
    max: pps[pps.length - 1],
    p10: quantile(pps, 0.1),
    p90: quantile(pps, 0.9),
    roundsMs: ns.map((t) => +(t / 1e6).toFixed(3))
  }
}

/** o's time over r's in each round, sorted; null if they ran different rounds. */
function roundRatios (r, o) {
  if (r.roundsMs.length !== o.roundsMs.length) return null
  return r.roundsMs.map((ms, i) => o.roundsMs[i] / ms).sort((a, b) => a - b)
}

// ratio: of the medians (the table's figure, and what the goals check).
// roundRatio: the same ratio taken in each round (mqtt-packet's time in round
// r over the path's time in round r; the contenders of a round run one after
// the other), then its median and p10-p90 over the rounds: insensitive to the
// machine's slow drift between rounds, it shows how far a ratio can be trusted.
function finishRow (row) {
  const base = row.results['mqtt-packet']
  for (const r of Object.values(row.results)) {
    r.ratio = base ? r.packetsPerSec / base.packetsPerSec : null
    const q = base ? roundRatios(r, base) : null
    if (q !== null) {
      r.roundRatio = quantile(q, 0.5)
      r.roundRatioP10 = quantile(q, 0.1)
      r.roundRatioP90 = quantile(q, 0.9)
    }
  }
  return row
}

/**
 * One timed sample of a contender: its passes over the workload, back to back,
 * until at least --min-ms of timed work (at least one pass); returns the mean
 * ns per pass and counts the passes in `passes[name]`. A fast contender's
 * sample then spans several passes, so the major GCs its own allocation
 * starts are averaged in rather than landing in one 10 ms pass or missing it.
 */
function sample (passes, name, pass) {
  const min = opt.minMs * 1e6
  let t = 0
  let reps = 0
  do {
    const from = performance.now()
    t += pass()
    passWindow(name, from)
    reps++
  } while (t < min)
  passes[name] = (passes[name] || 0) + reps
  timedPasses += reps
  return t / reps
}
async function sampleAsync (passes, name, pass) {
  const min = opt.minMs * 1e6
  let t = 0
  let reps = 0
  do {
    const from = performance.now()
    t += await pass()
    passWindow(name, from)
    reps++
  } while (t < min)
  passes[name] = (passes[name] || 0) + reps
  timedPasses += reps
  return t / reps
}
/** The forced gc, the untimed settle pass, then the timed sample (see settling). */
function steadySample (passes, name, pass) {
  collect()
  if (settling()) pass()
  return sample(passes, name, pass)
}
async function steadySampleAsync (passes, name, pass) {
  collect()
  if (settling()) await pass()
  return sampleAsync(passes, name, pass)
}
const samples = () => opt.warmup + opt.rounds
function withPasses (r, passes, name) {
  r.passesPerSample = passes[name] / samples()
  return r
}

function benchParse (w, chunks, contenders, chunkSize) {
  const byName = Object.fromEntries(contenders.map((c) => [c.name, c]))
  const passes = {}
  const pass = (c, name) => {
    c.consumer.reset()
    const p = c.make(c.consumer)
    const t = Number(c.chunks(p, chunks))
    if (c.consumer.st.n !== w.packets) throw new Error(`${name}: consumed ${c.consumer.st.n} packets, expected ${w.packets}`)
    return t
  }
  const once = (name) => steadySample(passes, name, () => pass(byName[name], name))
  const times = measure(contenders.map((c) => c.name), once, chunkSize === 65536 ? w.name : `${w.name}-${chunkSize}`, w.packets)
  const results = {}
  for (const c of contenders) results[c.name] = withPasses(stats(times[c.name], w.packets, w.stream.length), passes, c.name)
  return finishRow({ workload: w.name, title: w.title, chunkSize, packets: w.packets, bytes: w.stream.length, results })
}

function benchGateway (w, contenders) {
  const byName = Object.fromEntries(contenders.map((c) => [c.name, c]))
  const batches = batchEnds(w.schedBuf, 65536)
  const passes = {}
  const pass = (c, name) => {
    c.consumer.reset()
    const ps = new Array(w.clients)
    for (let k = 0; k < w.clients; k++) ps[k] = c.make(c.consumer)
    const t = Number(c.gateway(ps, w.schedClient, w.schedBuf, batches))
    if (c.consumer.st.n !== w.packets) throw new Error(`${name}: consumed ${c.consumer.st.n} packets, expected ${w.packets}`)
    return t
  }
  const once = (name) => steadySample(passes, name, () => pass(byName[name], name))
  const times = measure(contenders.map((c) => c.name), once, w.name, w.packets)
  const results = {}
  for (const c of contenders) results[c.name] = withPasses(stats(times[c.name], w.packets, w.bytes), passes, c.name)
  return finishRow({ workload: w.name, title: w.title, chunkSize: null, reads: w.reads, packets: w.packets, bytes: w.bytes, results })
}

function benchEncode (wname, title, packets, opts, contenders, mode, bytes) {
  const byName = Object.fromEntries(contenders.map((c) => [c.name, c]))
  const passes = {}
  const pass = (c, name) => {
    c.consumer.reset()
    const t0 = process.hrtime.bigint()
    if (mode === 'generate') c.generate(c.lib.generate, packets, opts, c.consumer.keep)
    else c.wts(c.lib.writeToStream, packets, opts, c.consumer.sink)
    const t = Number(process.hrtime.bigint() - t0)
    const st = c.consumer.st
    const done = mode === 'generate' ? st.acc : st.bytes
    if (done !== bytes) throw new Error(`${name} ${mode}: produced ${done} bytes, expected ${bytes}`)
    return t
  }
  const once = (name) => steadySample(passes, name, () => pass(byName[name], name))
  const times = measure(contenders.map((c) => c.name), once, wname, packets.length)
  const results = {}
  for (const c of contenders) {
    results[c.name] = withPasses(stats(times[c.name], packets.length, bytes), passes, c.name)
    if (mode === 'wts') {
      c.consumer.reset()
      c.wts(c.lib.writeToStream, packets, opts, c.consumer.sink)
      results[c.name].writesPerPacket = c.consumer.st.calls / packets.length
    }
  }
  return finishRow({ workload: wname, title, chunkSize: null, packets: packets.length, bytes, results })
}

/**
 * writeToStream into a fresh stream.Writable per pass (created before the
 * clock starts); the clock stops once every byte has gone through the
 * stream's write/writev, i.e. after the nextTick uncork(s) have run.
 */
async function benchEncodeStream (wname, title, packets, opts, contenders, bytes, drain = false) {
  const byName = Object.fromEntries(contenders.map((c) => [c.name, c]))
  const chunks = {}
  const passes = {}
  const pass = async (c, name) => {
    const st = c.consumer.st
    c.consumer.reset()
    const s = c.consumer.writable(drain ? SOCKET_HWM : undefined)
    const t0 = process.hrtime.bigint()
    if (drain) await c.wtsD(c.slib.writeToStream, packets, opts, s, drained)
    else c.wtsS(c.slib.writeToStream, packets, opts, s)
    await flushed(st, bytes, `${name} ${wname}`)
    const t = Number(process.hrtime.bigint() - t0)
    if (st.bytes !== bytes) throw new Error(`${name} ${wname}: the stream got ${st.bytes} bytes, expected ${bytes}`)
    if (s.writableLength !== 0) throw new Error(`${name} ${wname}: ${s.writableLength} bytes still buffered in the stream after the flush`)
    chunks[name] = st.chunks
    return t
  }
  const once = (name) => steadySampleAsync(passes, name, () => pass(byName[name], name))
  const times = await measureAsync(contenders.map((c) => c.name), once, wname, packets.length)
  const results = {}
  for (const c of contenders) {
    results[c.name] = withPasses(stats(times[c.name], packets.length, bytes), passes, c.name)
    results[c.name].writesPerPacket = chunks[c.name] / packets.length // chunks the stream got = write() calls
  }
  return finishRow({ workload: wname, title, chunkSize: null, packets: packets.length, bytes, results })
}

// ---------------------------------------------------------------- output
const fmt = (x, d = 2) => (x === null || x === undefined || !isFinite(x)) ? '-' : x.toFixed(d)
const fmtM = (pps) => fmt(pps / 1e6, 3)
function pad (s, n, left) { s = String(s); return left ? s.padStart(n) : s.padEnd(n) }

function printRow (row) {
  const head = `${row.workload}  ${row.title}` +
    `\n    ${row.packets} packets, ${(row.bytes / 1e6).toFixed(1)} MB` +
    (row.chunkSize ? `, ${row.chunkSize} B chunks` : '') + (row.reads ? `, ${row.reads} reads` : '')
  console.log('\n' + head)
  console.log('    ' + pad('path', 14) + pad('Mpkt/s', 9, true) + pad('MB/s', 9, true) + pad('ns/pkt', 9, true) +
    pad('vs mqtt-packet', 16, true) + pad('spread Mpkt/s (min–max)', 26, true) + pad('p10–p90', 16, true) +
    pad('per-round ratio (p10–p90)', 29, true))
  for (const [name, r] of Object.entries(row.results)) {
    console.log('    ' + pad(name, 14) + pad(fmtM(r.packetsPerSec), 9, true) + pad(fmt(r.mbPerSec, 1), 9, true) +
      pad(fmt(r.nsPerPacket, 0), 9, true) + pad(r.ratio === null ? '-' : fmt(r.ratio, 2) + 'x', 16, true) +
      pad(`${fmtM(r.min)}–${fmtM(r.max)}`, 26, true) + pad(`${fmtM(r.p10)}–${fmtM(r.p90)}`, 16, true) +
      pad(r.roundRatio === undefined || name === 'mqtt-packet' ? '-' : `${fmt(r.roundRatio, 2)}x (${fmt(r.roundRatioP10, 1)}–${fmt(r.roundRatioP90, 1)})`, 29, true) +
      (r.passesPerSample !== undefined ? `   ${fmt(r.passesPerSample, 1)} passes/sample` : '') +
      (r.gcMsPerPass !== undefined ? `   GC ${fmt(r.gcMsPerPass, 1)} ms/pass` : '') +
      (r.writesPerPacket !== undefined ? `   ${fmt(r.writesPerPacket, 1)} write()/pkt` : ''))
  }
}

function machine () {
  const cpus = os.cpus()
  return {
    cores: cpus.length,
    cpuModel: cpus.length ? cpus[0].model.trim() : 'unknown',
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    totalMemGB: +(os.totalmem() / 2 ** 30).toFixed(1)
  }
}

let jsonOut = null
function writeJson (obj) {
  fs.mkdirSync(path.dirname(path.resolve(opt.json)), { recursive: true })
  fs.writeFileSync(opt.json, JSON.stringify(obj, null, 2) + '\n')
}

// ---------------------------------------------------------------- goals
const GOALS = [
  ['w1', 'mqttwire', '>=', 12, 'drop-in parser, 3.1.1 PUBLISH'],
  ['w2', 'mqttwire', '>=', 8, 'drop-in parser, v5 PUBLISH'],
  ['w1', 'router', '>=', 15, 'routing API, 3.1.1 PUBLISH'],
  ['w2', 'router', '>=', 25, 'routing API, v5 PUBLISH'],
  ['w4g', 'mqttwire', '>=', 4, 'generate'],
  ['w4s', 'mqttwire', '>=', 4, 'writeToStream into a stream.Writable, as into a socket'],
  ['w4w', 'mqttwire', 'info', null, 'writeToStream into a counting sink: the encoding cost alone'],
  ['w4d', 'mqttwire', 'info', null, "writeToStream waiting for 'drain' at a socket's highWaterMark, as a gateway writes"],
  ['w5', 'mqttwire', '>=', 8, 'gateway shape, drop-in parser']
]

// A goal passes on the ratio of the medians (value). perRound: the same
// comparison paired round by round (the other side's time in round r over the
// path's, median over the rounds), printed next to it: the two sides of a
// round run seconds apart, their median rounds may be minutes apart, so on
// this VM it is the steadier figure; it does not decide the goal.

/** Whether ratio `v` meets a goal ('>=': at least the target ratio). */
function meets (op, target, v) {
  return v >= target
}

function evalGoals (rows) {
  const out = []
  for (const [w, pathName, op, target, desc] of GOALS) {
    const row = rows.find((r) => r.workload === w)
    const r = row && row.results[pathName]
    if (!r) continue
    // against: the side the path is compared with; ns, otherNs: their ns a
    // packet; gcMs, otherGcMs: their GC ms a timed pass
    const against = 'mqtt-packet'
    const o = row.results[against]
    if (!o) continue
    const v = r.ratio
    const perRound = r.roundRatio
    const g = { workload: w, path: pathName, op, target, against, desc, value: v, perRound, ns: r.nsPerPacket, otherNs: o.nsPerPacket, gcMs: r.gcMsPerPass, otherGcMs: o.gcMsPerPass }
    if (op === 'info') g.info = true
    else {
      g.goal = `>= ${target}x mqtt-packet`
      g.pass = meets(op, target, v)
    }
    out.push(g)
  }
  return out
}

// ---------------------------------------------------------------- main
async function main () {
  if (opt.runs > 1) return replicate()
  const t0 = Date.now()
  const m = machine()
  const C = buildContenders()
  console.log('mqttwire Node benchmark' + (opt.quick ? ' (--quick: smoke run, numbers not meaningful)' : ''))
  console.log(`machine: ${m.cores} cores, ${m.cpuModel}, Node ${m.node} (V8 ${m.v8}), ${m.platform}`)
  console.log(`native addon: ${C.mwParser.hasNative}; gc between rounds: ${gc !== null}; untimed settle pass after each gc: ${settling()}; a sample = passes until >= ${opt.minMs} ms timed; rounds: ${opt.rounds} (+${opt.warmup} warm-up), contenders' order rotated every round${opt.readUp ? '; consumers read properties.userProperties' : ''}`)
  console.log(opt.cold
    ? 'reads: --cold, slices of one workload buffer (larger than the cache), the whole loop timed'
    : 'reads: as from a socket, each copied into a fresh Buffer just before parse() (in cache, as the kernel leaves it); only parse() calls are timed (--cold: slices of one big buffer)')
  console.log('All ratios compare numbers measured in THIS process run only: mqtt-packet\'s speed moves with heap state')
  console.log('and machine load, so never compare ratios across runs. Mpkt/s = median over rounds; spread = across rounds.')
  console.log('paths: ' + C.parse.map((c) => `${c.name} = ${c.desc}`).join('; '))
  if (!C.mwParser.hasNative) {
    console.error('bench/run.js: the native addon is not built (run `node scripts/setup.js` / `npm run build`)')
    process.exit(1)
  }

  const N = opt.n
  const rows = []
  const CHUNK = 64 * 1024
  gcw = gcWatcher()
  const emit = async (row) => {
    const gcs = await gcw.stats()
    for (const [name, r] of Object.entries(row.results)) {
      if (gcs[name]) Object.assign(r, { gcMsPerPass: gcs[name].gcMsPerPass, scavengesPerPass: gcs[name].scavengesPerPass })
    }
    rows.push(row)
    printRow(row)
  }
  // Each workload is built, checked equal to mqtt-packet and timed in turn,
  // then dropped: only the workload being timed lives on the heap. V8 counts
  // the ArrayBuffers of socket reads as external memory, and that count starts
  // major GCs whose cost grows with everything live; with every workload's
  // packet objects kept (the method until 2026-11-24) those GCs landed in
  // whichever round was running and cost the benchmark's data, not the parser.
  const pub = (v) => W.publishPackets(N, v, opt.seed * (v === 4 ? 11 : 13))
  const TITLE_W1 = 'MQTT 3.1.1 PUBLISH (QoS 0/1, topics 20-30 B, payloads 64-256 B, 5 % 2-4 KiB)'
  const passed = (what, from) => console.log(`\n${what}: correctness pre-check: PASSED (${checks.length - from} checks: every path's output deep-equal to mqtt-packet's; generate/writeToStream bytes identical) — timing`)

  const parsePlan = []
  if (want('w1')) parsePlan.push(() => W.streamWorkload('w1', TITLE_W1, pub(4), 4, opt.seed * 17))
  if (want('w2')) parsePlan.push(() => W.streamWorkload('w2', 'MQTT 5 PUBLISH, same + properties (messageExpiryInterval, contentType, userProperties)', pub(5), 5, opt.seed * 19))
  if (want('w3')) {
    parsePlan.push(() => W.streamWorkload('w3', 'control mix 3.1.1 (10 % CONNECT, 20 % SUBSCRIBE with 5-30 filters, 50 % PUBACK, 20 % PINGREQ)',
      W.controlPackets(Math.max(1000, Math.round(N / 2)), opt.seed * 23), 4, opt.seed * 29))
  }
  for (const build of parsePlan) {
    const w = build()
    const chunks = W.chunk(w.stream, CHUNK)
    const from = checks.length
    checkParse(w, chunks, C.parse)
    passed(w.name, from)
    await emit(benchParse(w, chunks, C.parse, CHUNK))
  }
  if (want('w5')) {
    const clients = opt.quick ? 100 : 2000
    const w5 = W.gatewayWorkload(clients, Math.max(1, Math.round(N / clients) - 1), opt.seed * 31)
    const from = checks.length
    checkGateway(w5, C.parse)
    passed(w5.name, from)
    await emit(benchGateway(w5, C.parse))
  }
  if (want('w4') && C.encode.length > 0) {
    const SINK = 'writeToStream() into a stream.Writable that discards (Node\'s stream machinery, as a socket has)'
    // The input: the first 10,000 packets of w1 (w2), cycled to N. A gateway
    // encodes the packets it has in flight; N distinct packet objects (~39 MB
    // live, the method until 2026-11-24) made every major GC in a timed pass
    // cost ~20 ms of marking the benchmark's input, whichever library ran.
    const distinct = Math.min(N, 10000)
    for (const [v, suffix, name] of [[4, '', 'w1 (3.1.1)'], [5, '5', 'w2 (v5)']]) {
      const which = `the ${name} PUBLISH packets (${distinct} distinct, cycled to ${N})`
      const pk = W.cycle(W.publishPackets(distinct, v, opt.seed * (v === 4 ? 11 : 13)), N)
      const o = { protocolVersion: v }
      const bytes = pk.reduce((s, p) => s + mqttPacket.generate(p, o).length, 0)
      const enc = [
        [`w4g${suffix}`, `generate(), ${which}`, 'generate'],
        [`w4w${suffix}`, `writeToStream() into a counting sink, ${which}`, 'wts'],
        [`w4s${suffix}`, `${SINK}, ${which}; clock includes the flush after the tick`, 'stream'],
        [`w4d${suffix}`, `writeToStream() into a stream.Writable with a socket's highWaterMark (16 KiB), waiting for 'drain' whenever it returns false, as a gateway writes to a socket, ${which}`, 'drain']
      ]
      const from = checks.length
      for (const [wn, , mode] of enc) {
        if (mode === 'stream') await checkEncodeStream(wn, pk, o, C.encode)
        else if (mode !== 'drain') checkEncode(wn, pk, o, C.encode, mode)
      }
      passed(v === 5 ? 'w4 (v5)' : 'w4', from)
      for (const [wn, title, mode] of enc) {
        await emit(mode === 'stream' || mode === 'drain'
          ? await benchEncodeStream(wn, title, pk, o, C.encode, bytes, mode === 'drain')
          : benchEncode(wn, title, pk, o, C.encode, mode, bytes))
      }
    }
  }

  const evaluated = evalGoals(rows)
  const goals = evaluated.filter((g) => !g.info)
  const goalsInfo = evaluated.filter((g) => g.info)
  if (evaluated.length > 0) {
    console.log('\nGoals (ratios within this run: of the medians, which decides; per round, paired, in brackets):')
    for (const g of evaluated) {
      const v = `${pad(fmt(g.value, 2) + 'x', 8, true)} ${pad(g.perRound == null ? '' : `(${fmt(g.perRound, 2)}x)`, 9, true)}`
      if (g.info) console.log(`    info  ${pad(g.workload, 5)} ${pad(g.path, 10)} ${v}  not a goal  (${g.desc})`)
      else console.log(`    ${g.pass ? 'PASS' : 'FAIL'}  ${pad(g.workload, 5)} ${pad(g.path, 10)} ${v}  goal ${g.goal}  (${g.desc})`)
    }
  }
  const secs = (Date.now() - t0) / 1000
  console.log(`\ndone in ${secs.toFixed(1)} s`)
  jsonOut = {
    machine: m,
    options: { quick: opt.quick, reads: opt.cold ? 'cold' : 'fresh', rounds: opt.rounds, warmup: opt.warmup, n: N, seed: opt.seed, gcBetweenRounds: gc !== null, settlePass: settling(), minSampleMs: opt.minMs, readUserProperties: opt.readUp },
    note: 'ratios compare contenders measured in the same process run; do not compare across runs',
    correctness: { passed: checks.every((c) => c.ok), checks },
    workloads: rows,
    goals,
    goalsInfo,
    seconds: secs
  }
  if (opt.json) {
    writeJson(jsonOut)
    console.log(`JSON written to ${opt.json}`)
  }
}

// ---------------------------------------------------------------- --runs K
// K full runs, each a child process of this script with the same options, so
// that each run's ratios are measured within one process as always. One
// process's ratios share that process's state (JIT decisions, heap layout,
// mqtt-packet's speed: 2.1-3.5 us a packet on w1 over seven runs of
// 2026-11-24), which no number of rounds inside it averages out; the runs do.
// A goal's verdict over the runs is its ratio's median over them.

/** argv without --runs K and --json PATH. */
function childArgs (argv) {
  const out = []
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs' || argv[i] === '--json') i++
    else out.push(argv[i])
  }
  return out
}

/** The goals of several runs' JSON, by goal: each run's figures, their medians, the verdict. */
function goalsOverRuns (runs) {
  const byKey = new Map()
  runs.forEach((run, i) => {
    for (const g of [...run.goals, ...run.goalsInfo]) {
      const key = `${g.workload} ${g.path} ${g.op} ${g.target}`
      if (!byKey.has(key)) byKey.set(key, { workload: g.workload, path: g.path, op: g.op, target: g.target, against: g.against, goal: g.goal, desc: g.desc, info: g.info === true, runs: [] })
      byKey.get(key).runs.push({ run: i + 1, value: g.value, perRound: g.perRound, ns: g.ns, otherNs: g.otherNs, gcMs: g.gcMs, otherGcMs: g.otherGcMs, pass: g.pass })
    }
  })
  const med = (xs) => {
    const v = xs.filter((x) => typeof x === 'number' && isFinite(x)).sort((a, b) => a - b)
    return v.length === 0 ? null : quantile(v, 0.5)
  }
  const out = []
  for (const g of byKey.values()) {
    g.value = med(g.runs.map((r) => r.value))
    g.perRound = med(g.runs.map((r) => r.perRound))
    if (!g.info) {
      g.pass = meets(g.op, g.target, g.value)
      g.passedRuns = g.runs.filter((r) => r.pass).length
    }
    out.push(g)
  }
  return out
}

function printGoalsOverRuns (goals, k) {
  console.log(`\nGoals over ${k} runs (each run a process of its own; per run: ratio of medians / per round, paired; the median over the runs decides):`)
  for (const g of goals) {
    const per = g.runs.map((r) => `${fmt(r.value, 2)}/${r.perRound == null ? '-' : fmt(r.perRound, 2)}`).join('  ')
    const head = g.info ? '    info' : `    ${g.pass ? 'PASS' : 'FAIL'}`
    const verdict = g.info ? 'not a goal' : `goal ${g.goal}, met in ${g.passedRuns} of ${g.runs.length} runs`
    console.log(`${head}  ${pad(g.workload, 5)} ${pad(g.path, 10)} median ${pad(fmt(g.value, 2) + 'x', 7, true)} (${fmt(g.perRound, 2)}x)  ${verdict}  (${g.desc})`)
    console.log(`          runs: ${per}`)
    console.log(`          ns/pkt ${g.path} ${g.runs.map((r) => fmt(r.ns, 0)).join(' ')}; ${g.against} ${g.runs.map((r) => fmt(r.otherNs, 0)).join(' ')}`)
    console.log(`          GC ms/pass ${g.path} ${g.runs.map((r) => fmt(r.gcMs, 1)).join(' ')}; ${g.against} ${g.runs.map((r) => fmt(r.otherGcMs, 1)).join(' ')}`)
  }
}

async function replicate () {
  const { spawnSync } = require('node:child_process')
  const t0 = Date.now()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqttwire-runs-'))
  const runs = []
  try {
    for (let i = 1; i <= opt.runs; i++) {
      console.log(`\n======== run ${i} of ${opt.runs} (a process of its own) ========`)
      const file = path.join(dir, `run-${i}.json`)
      const res = spawnSync(process.execPath, [__filename, ...childArgs(process.argv.slice(2)), '--json', file], { stdio: 'inherit' })
      if (res.status !== 0) throw new Error(`bench/run.js --runs: run ${i} exited with ${res.status === null ? res.signal : res.status}`)
      runs.push(JSON.parse(fs.readFileSync(file, 'utf8')))
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const all = goalsOverRuns(runs)
  printGoalsOverRuns(all, runs.length)
  const secs = (Date.now() - t0) / 1000
  console.log(`\ndone: ${runs.length} runs in ${secs.toFixed(1)} s`)
  if (opt.json) {
    writeJson({
      machine: runs[0].machine,
      note: 'runs: each run\'s full JSON (a process of its own; its ratios compare contenders measured in that process); goals: each goal over the runs, decided by the median of its ratio',
      runs,
      goals: all.filter((g) => !g.info),
      goalsInfo: all.filter((g) => g.info),
      seconds: secs
    })
    console.log(`JSON written to ${opt.json}`)
  }
}


main().catch((err) => {
  console.error(err && err.stack ? err.stack : err)
  process.exit(1)
})
