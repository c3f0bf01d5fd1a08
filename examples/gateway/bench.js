#!/usr/bin/env node
// Aedes on stock mqtt-packet 9.0.2 vs Aedes on mqttwire, in one run, over loopback.
//
//   node bench.js                       # default scenarios, 2 interleaved rounds, 5 s each
//   node bench.js --duration 10 --rounds 3 --scenario qos1-fanout
//   node bench.js --rate 20000          # open-loop at a fixed total publish rate (latency at load)
//   node bench.js --json out.json
//   node bench.js --scenario qos1-fanout --rounds 1 --cpu-prof /tmp/gwprof   # broker CPU profiles
//
// How: each broker is `node server.js` in its own child process. The mqttwire one
// runs from this folder (npm overrides -> mqttwire); the stock one runs from
// .bench/stock/, a second install of the same gateway code with mqtt-packet pinned
// to 9.0.2 (created/refreshed automatically with `npm install --omit=dev`).
// The load generator is this process, with raw pre-encoded MQTT 3.1.1 (v5-props: 5.0) packets and a
// minimal frame splitter, so neither parser under test runs on the client side.
// Measured per scenario: delivered messages/s at the subscribers, publish/s,
// end-to-end latency p50/p99/max (timestamp in the payload, same clock), and the
// broker process' CPU time per delivered message (from /proc, Linux only).
// Publishers are closed-loop by default (at most --window messages in flight each,
// counted at subscriber 0), which gives both a throughput and a meaningful latency;
// --rate switches to a fixed publish rate.
import { spawn } from 'node:child_process'
import { prepareStockDir } from './lib/stock-install.js'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const HOST = '127.0.0.1'
let OPTS = {}

const SCENARIOS = {
  'qos0-fanin': { publishers: 4, subscribers: 1, qos: 0, payload: 64, window: 200 },
  'qos1-fanin': { publishers: 4, subscribers: 1, qos: 1, payload: 64, window: 100 },
  'qos1-fanout': { publishers: 2, subscribers: 8, qos: 1, payload: 256, window: 50 },
  'qos0-large': { publishers: 2, subscribers: 2, qos: 0, payload: 16 * 1024, window: 50 },
  // MQTT 5 clients; each PUBLISH carries Message Expiry Interval 3600 and two user properties
  'v5-props': { publishers: 4, subscribers: 2, qos: 1, payload: 64, window: 100, v5: true }
}

// the PUBLISH properties of the v5 scenario: Message Expiry Interval (0x02, u32)
// and two User Properties (0x26, string pair each)
const V5_PUBLISH_PROPERTIES = (() => {
  const props = Buffer.concat([
    Buffer.from([0x02, 0, 0, 0x0e, 0x10]),
    Buffer.from([0x26]), str('site'), str('hq-north'),
    Buffer.from([0x26]), str('kind'), str('door-sensor')
  ])
  return Buffer.concat([remLen(props.length), props])
})()

function parseArgs () {
  const o = { duration: 5, warmup: 1, rounds: 2, scenarios: Object.keys(SCENARIOS), rate: 0, json: null, window: 0, targets: ['stock', 'mqttwire'] }
  const a = process.argv.slice(2)
  for (let i = 0; i < a.length; i++) {
    const k = a[i]
    const v = () => a[++i]
    if (k === '--duration') o.duration = Number(v())
    else if (k === '--warmup') o.warmup = Number(v())
    else if (k === '--rounds') o.rounds = Number(v())
    else if (k === '--scenario') o.scenarios = v().split(',')
    else if (k === '--rate') o.rate = Number(v())
    else if (k === '--window') o.window = Number(v())
    else if (k === '--json') o.json = v()
    else if (k === '--only') o.targets = v().split(',')
    else if (k === '--cpu-prof') o.cpuProf = path.resolve(v())
    else if (k === '-h' || k === '--help') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 22).join('\n'))
      process.exit(0)
    } else throw new Error(`unknown argument ${k}`)
  }
  for (const s of o.scenarios) if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s} (have: ${Object.keys(SCENARIOS).join(', ')})`)
  return o
}

// ---------------------------------------------------------------- broker child
async function startBroker (dir, label) {
  // --cpu-prof DIR: each broker writes a V8 CPU profile there when it exits
  // (open one in Chrome DevTools).
  const prof = OPTS.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', path.join(OPTS.cpuProf, label)] : []
  const child = spawn(process.execPath, [...prof, path.join(dir, 'server.js')], {
    cwd: dir,
    // the gateway's default limits stay on (MAX_PACKET_SIZE 1 MiB, ...), as deployed
    env: { ...process.env, HOST, MQTT_PORT: '0', WS_PORT: '-1', REDIS_URL: '', INSTANCE_ID: `bench-${label}` },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { out += d })
  const deadline = Date.now() + 15000
  while (!/"tcp":"mqtt:\/\/[\d.]+:(\d+)"/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`${label} broker failed to start:\n${out}`) }
    await sleep(25)
  }
  const port = Number(out.match(/"tcp":"mqtt:\/\/[\d.]+:(\d+)"/)[1])
  const parser = (out.match(/parser: (\S+)@(\S+)/) || []).slice(1, 3).join('@')
  return {
    port,
    parser,
    pid: child.pid,
    async stop () {
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 8000)
      await new Promise((resolve) => child.exitCode !== null ? resolve() : child.once('exit', resolve))
      clearTimeout(t)
    }
  }
}

function cpuSeconds (pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / 100 // utime + stime, in clock ticks (100/s on Linux)
  } catch { return NaN }
}

// ---------------------------------------------------------------- raw MQTT client
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const EMPTY = Buffer.alloc(0)
function str (s) { const b = Buffer.from(s); return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]) }
function remLen (n) {
  const out = []
  do { let d = n % 128; n = Math.floor(n / 128); if (n > 0) d |= 0x80; out.push(d) } while (n > 0)
  return Buffer.from(out)
}
function frame (first, body) { return Buffer.concat([Buffer.from([first]), remLen(body.length), body]) }

class RawClient {
  constructor (port, clientId, onPublish, v5 = false) {
    this.port = port
    this.v5 = v5
    this.clientId = clientId
    this.onPublish = onPublish
    this.buf = Buffer.alloc(0)
    this.waiters = new Map() // packet type -> resolve
    this.onPuback = null
  }

  connect () {
    return new Promise((resolve, reject) => {
      this.sock = net.connect(this.port, HOST, () => {
        this.sock.setNoDelay(true)
        const body = this.v5
          ? Buffer.concat([str('MQTT'), Buffer.from([5, 0x02, 0, 60, 0]), str(this.clientId)]) // empty property list
          : Buffer.concat([str('MQTT'), Buffer.from([4, 0x02, 0, 60]), str(this.clientId)])
        this.sock.write(frame(0x10, body))
      })
      this.sock.on('error', reject)
      this.sock.on('data', (d) => this.onData(d))
      // body: acknowledge flags, return / reason code[, properties]
      this.waiters.set(2, (body) => body[1] === 0 ? resolve() : reject(new Error(`CONNACK ${body[1]}`)))
    })
  }

  subscribe (topic, qos) {
    return new Promise((resolve) => {
      this.waiters.set(9, resolve)
      this.sock.write(frame(0x82, Buffer.concat([Buffer.from(this.v5 ? [0, 1, 0] : [0, 1]), str(topic), Buffer.from([qos])])))
    })
  }

  onData (d) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d
    let off = 0
    const b = this.buf
    while (off < b.length) {
      let len = 0
      let mul = 1
      let i = off + 1
      let complete = false
      for (; i < b.length && i < off + 5; i++) {
        len += (b[i] & 0x7f) * mul
        mul *= 128
        if (!(b[i] & 0x80)) { complete = true; i++; break }
      }
      if (!complete || i + len > b.length) break
      const type = b[off] >> 4
      if (type === 3) {
        const qos = (b[off] >> 1) & 3
        const tlen = b.readUInt16BE(i)
        let p = i + 2 + tlen
        if (qos > 0) {
          this.sock.write(Buffer.from([0x40, 2, b[p], b[p + 1]])) // PUBACK (v5: reason code 0 may be omitted)
          p += 2
        }
        if (this.v5) {
          // skip the property list (Variable Byte Integer length)
          let plen = 0
          let m = 1
          for (;;) { const x = b[p++]; plen += (x & 0x7f) * m; m *= 128; if (!(x & 0x80)) break }
          p += plen
        }
        this.onPublish(b.subarray(p, i + len))
      } else if (type === 4) {
        if (this.onPuback) this.onPuback()
      } else {
        const w = this.waiters.get(type)
        if (w) { this.waiters.delete(type); w(b.subarray(i, i + len)) }
      }
      off = i + len
    }
    this.buf = off >= b.length ? Buffer.alloc(0) : b.subarray(off)
  }

  end () { this.sock.end(Buffer.from([0xe0, 0])) ; this.sock.destroySoon() }
}

// ---------------------------------------------------------------- one scenario run
async function runScenario (port, pid, name, sc, o) {
  const window = o.window || sc.window
  const subs = []
  const pubs = []
  let measuring = false
  let delivered = 0
  let published = 0
  const lat = new Float64Array(2_000_000)
  let latN = 0
  const inflight = new Array(sc.publishers).fill(0)
  const wake = new Array(sc.publishers).fill(null)

  for (let s = 0; s < sc.subscribers; s++) {
    const c = new RawClient(port, `bench-sub-${s}`, (payload) => {
      const now = process.hrtime.bigint()
      const sent = payload.readBigUInt64BE(0)
      const p = payload.readUInt16BE(8)
      if (s === 0) {
        inflight[p]--
        if (wake[p]) { const w = wake[p]; wake[p] = null; w() }
      }
      if (measuring) {
        delivered++
        if (latN < lat.length) lat[latN++] = Number(now - sent) / 1e6
      }
    }, sc.v5)
    await c.connect()
    await c.subscribe('bench/#', sc.qos)
    subs.push(c)
  }
  for (let p = 0; p < sc.publishers; p++) {
    const c = new RawClient(port, `bench-pub-${p}`, () => {}, sc.v5)
    await c.connect()
    pubs.push(c)
  }

  let running = true
  const topic = (p) => str(`bench/${p}`)
  const perPubRate = o.rate ? o.rate / sc.publishers : 0
  const loops = pubs.map(async (c, p) => {
    const t = topic(p)
    let id = 0
    const payload = Buffer.alloc(sc.payload, 0x61)
    payload.writeUInt16BE(p, 8)
    const started = Date.now()
    let sentHere = 0
    while (running) {
      if (perPubRate) {
        const due = started + (sentHere / perPubRate) * 1000
        const wait = due - Date.now()
        if (wait > 1) await sleep(Math.min(wait, 50))
        if (!running) break
      } else if (inflight[p] >= window) {
        await Promise.race([new Promise((resolve) => { wake[p] = resolve }), sleep(200)])
        continue
      }
      payload.writeBigUInt64BE(process.hrtime.bigint(), 0)
      let pkt
      const props = sc.v5 ? V5_PUBLISH_PROPERTIES : EMPTY
      if (sc.qos === 0) pkt = frame(0x30, Buffer.concat([t, props, payload]))
      else { id = (id % 65535) + 1; pkt = frame(0x32, Buffer.concat([t, Buffer.from([id >> 8, id & 0xff]), props, payload])) }
      inflight[p]++
      sentHere++
      if (measuring) published++
      if (!c.sock.write(pkt)) await new Promise((resolve) => c.sock.once('drain', resolve))
      if (sentHere % 64 === 0) await new Promise(setImmediate) // let receives run
    }
  })

  await sleep(o.warmup * 1000)
  const cpu0 = cpuSeconds(pid)
  const t0 = process.hrtime.bigint()
  measuring = true
  await sleep(o.duration * 1000)
  measuring = false
  const secs = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu1 = cpuSeconds(pid)
  running = false
  for (const w of wake) if (w) w()
  await Promise.race([Promise.all(loops), sleep(3000)])
  for (const c of [...pubs, ...subs]) c.end()
  await sleep(200)

  const l = Array.from(lat.subarray(0, latN)).sort((a, b) => a - b)
  const q = (f) => l.length ? l[Math.min(l.length - 1, Math.floor(f * l.length))] : NaN
  return {
    scenario: name,
    deliveredPerSec: delivered / secs,
    publishedPerSec: published / secs,
    p50ms: q(0.5),
    p99ms: q(0.99),
    maxMs: l.length ? l[l.length - 1] : NaN,
    brokerCpuUsPerMsg: ((cpu1 - cpu0) * 1e6) / Math.max(1, delivered),
    samples: latN
  }
}

// ---------------------------------------------------------------- main
async function main () {
  const o = parseArgs()
  OPTS = o
  const targets = {}
  if (o.targets.includes('stock')) targets.stock = { dir: prepareStockDir(), expect: 'mqtt-packet' }
  if (o.targets.includes('mqttwire')) targets.mqttwire = { dir: here, expect: 'mqttwire' }
  const results = []
  console.log(`# ${o.rounds} round(s) x ${o.scenarios.length} scenario(s) x ${Object.keys(targets).length} broker(s), ${o.duration}s each (+${o.warmup}s warmup)${o.rate ? `, open loop at ${o.rate} msg/s` : ', closed loop'}`)
  for (let r = 0; r < o.rounds; r++) {
    // alternate the order every round so drift (thermal, page cache) hits both sides
    const order = r % 2 === 0 ? Object.keys(targets) : Object.keys(targets).reverse()
    for (const label of order) {
      const t = targets[label]
      for (const name of o.scenarios) {
        const b = await startBroker(t.dir, label)
        if (!b.parser.startsWith(t.expect + '@')) {
          await b.stop()
          throw new Error(`${label} broker runs ${b.parser}, expected ${t.expect} (is the overrides swap in place? npm ls mqtt-packet)`)
        }
        try {
          const res = await runScenario(b.port, b.pid, name, SCENARIOS[name], o)
          results.push({ round: r, target: label, parser: b.parser, ...res })
          console.log(`  round ${r} ${label.padEnd(8)} ${name.padEnd(12)} ${fmt(res)}`)
        } finally {
          await b.stop()
        }
      }
    }
  }

  // summary: median over rounds per target+scenario
  console.log('\nscenario       broker    parser                 deliv/s     pub/s   p50 ms  p99 ms  cpu us/msg')
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
  const summary = []
  for (const name of o.scenarios) {
    for (const label of Object.keys(targets)) {
      const rs = results.filter((x) => x.scenario === name && x.target === label)
      const row = {
        scenario: name,
        target: label,
        parser: rs[0].parser,
        deliveredPerSec: med(rs.map((x) => x.deliveredPerSec)),
        publishedPerSec: med(rs.map((x) => x.publishedPerSec)),
        p50ms: med(rs.map((x) => x.p50ms)),
        p99ms: med(rs.map((x) => x.p99ms)),
        brokerCpuUsPerMsg: med(rs.map((x) => x.brokerCpuUsPerMsg))
      }
      summary.push(row)
      console.log(`${name.padEnd(14)} ${label.padEnd(9)} ${row.parser.padEnd(20)} ${row.deliveredPerSec.toFixed(0).padStart(9)} ${row.publishedPerSec.toFixed(0).padStart(9)} ${row.p50ms.toFixed(2).padStart(8)} ${row.p99ms.toFixed(2).padStart(7)} ${row.brokerCpuUsPerMsg.toFixed(1).padStart(10)}`)
    }
    const s = summary.find((x) => x.scenario === name && x.target === 'stock')
    const w = summary.find((x) => x.scenario === name && x.target === 'mqttwire')
    if (s && w) console.log(`${''.padEnd(14)} mqttwire/stock: throughput x${(w.deliveredPerSec / s.deliveredPerSec).toFixed(2)}, p99 x${(w.p99ms / s.p99ms).toFixed(2)}, cpu/msg x${(w.brokerCpuUsPerMsg / s.brokerCpuUsPerMsg).toFixed(2)}`)
  }
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ when: new Date().toISOString(), node: process.version, options: o, summary, results }, null, 2))
}

function fmt (r) {
  return `${r.deliveredPerSec.toFixed(0).padStart(8)} deliv/s ${r.publishedPerSec.toFixed(0).padStart(8)} pub/s  p50 ${r.p50ms.toFixed(2)} ms  p99 ${r.p99ms.toFixed(2)} ms  cpu ${r.brokerCpuUsPerMsg.toFixed(1)} us/msg`
}

main().catch((err) => {
  console.error(err.stack || err)
  process.exit(1)
})
