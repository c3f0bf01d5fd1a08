#!/usr/bin/env node
// The notification engine at scale: stock Aedes, Aedes on mqttwire and mosquitto 2,
// each started here and driven by the Rust load generator (loadgen/, on mqttwire's
// tokio codec) over loopback.
//
//   npm run bench:scale -- --quick           # 2,000 connections, ~1 minute in all
//   npm run bench:scale                      # step N up, then the largest R at p99 <= 35 ms
//   node bench-scale.js --targets mqttwire,mosquitto --transport ws --steps 5000,10000
//   node bench-scale.js --n 10000 --rates 1000,2000,5000 --json out.json
//   node bench-scale.js --broadcast-every 0  # notifications only, no broadcast to everyone
//   node bench-scale.js --hostile 10000 --broadcast-every 0   # 2,000 users with and without
//                                 # 10,000 slow-loris connections + forged/malformed floods
//
// Each run ends with one JSON line per target (every other line starts with "#"): target,
// connections, rate, p99_ms, delivered, lost and the rest of loadgen's figures; the
// Node gateways add their event-loop delay (GET /health) over the publishing window.
// Limits this needs (open files, somaxconn, the ephemeral port range, Node's heap)
// are raised where the process may and printed either way. Traffic stays on
// 127.0.0.0/8; every run is bounded by loadgen's --max-time.
import { spawn, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { prepareStockDir } from './lib/stock-install.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.join(here, '..', '..')
const HOST = '127.0.0.1'
const MOSQUITTO = '/usr/sbin/mosquitto'
const P99_GOAL_MS = 35
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function parseArgs (argv) {
  const o = {
    quick: false,
    targets: ['stock', 'mqttwire', 'mosquitto'],
    transport: 'tcp',
    steps: [5000, 10000, 20000, 50000, 100000],
    n: 0, // fixed N for the rate search (0: the largest N every target held, at most 10,000)
    rates: [250, 500, 1000, 2000, 5000, 10000, 20000],
    broadcastEvery: 5,
    rate: 1000, // rate during the N steps
    duration: 20,
    json: null
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    const list = (v) => v.split(',').filter(Boolean)
    const ints = (v) => list(v).map((x) => {
      const n = Number(x)
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${a}: ${x} is not a positive integer`)
      return n
    })
    if (a === '--quick') o.quick = true
    else if (a === '--targets') o.targets = list(next())
    else if (a === '--transport') o.transport = next()
    else if (a === '--steps') o.steps = ints(next())
    else if (a === '--n') o.n = ints(next())[0]
    else if (a === '--rates') o.rates = ints(next())
    else if (a === '--rate') o.rate = ints(next())[0]
    else if (a === '--duration') o.duration = ints(next())[0]
    else if (a === '--broadcast-every') o.broadcastEvery = Number(next())
    else if (a === '--json') o.json = next()
    else if (a === '--hostile') o.hostile = ints(next())[0]
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 17).join('\n'))
      process.exit(0)
    } else throw new Error(`unknown option ${a} (see --help)`)
  }
  for (const t of o.targets) {
    if (!['stock', 'mqttwire', 'mosquitto'].includes(t)) throw new Error(`unknown target ${t}: stock, mqttwire or mosquitto`)
  }
  if (!['tcp', 'ws'].includes(o.transport)) throw new Error(`--transport is tcp or ws, got ${o.transport}`)
  return o
}

// ---------------------------------------------------------------- system limits
function readSys (p) {
  try { return fs.readFileSync(p, 'utf8').trim().replace(/\s+/g, ' ') } catch { return null }
}

function trySys (p, value) {
  try { fs.writeFileSync(p, value); return true } catch { return false }
}

function shell (cmd) {
  try { return execFileSync('sh', ['-c', cmd], { encoding: 'utf8' }).trim() } catch { return null }
}

// Raise what can be raised, print what is in force; returns the open-file limit
// children get (they are started through `sh -c 'ulimit -n N; exec ...'`).
function limits () {
  const soft = Number(shell('ulimit -n'))
  const hard = shell('ulimit -Hn')
  let nofile = hard === 'unlimited' ? 1048576 : Number(hard)
  // Root with CAP_SYS_RESOURCE may raise the hard limit itself.
  for (const want of [1048576, 262144]) {
    if (want > nofile && shell(`ulimit -n ${want} 2>/dev/null && ulimit -n`) === String(want)) { nofile = want; break }
  }
  const somaxconn = readSys('/proc/sys/net/core/somaxconn')
  if (Number(somaxconn) < 65535) trySys('/proc/sys/net/core/somaxconn', '65535')
  const range = readSys('/proc/sys/net/ipv4/ip_local_port_range')
  if (range && Number(range.split(' ')[0]) > 1024) trySys('/proc/sys/net/ipv4/ip_local_port_range', '1024 65535')
  const heapMb = Math.min(8192, Math.floor(os.totalmem() / 1048576 / 2))
  const l = {
    nofile_soft_before: soft,
    nofile: nofile,
    somaxconn: readSys('/proc/sys/net/core/somaxconn'),
    ip_local_port_range: readSys('/proc/sys/net/ipv4/ip_local_port_range'),
    node_max_old_space_mb: heapMb,
    mem_available_mb: Math.round(os.freemem() / 1048576),
    cpus: os.cpus().length,
    cpu_model: (os.cpus()[0] || {}).model
  }
  console.log(`# limits: ${JSON.stringify(l)}`)
  if (nofile < 110000) {
    console.log(`# open files are capped at ${nofile} (hard limit; raising it needs CAP_SYS_RESOURCE): a broker holds at most ~${nofile - 200} connections here`)
  }
  return l
}

// ---------------------------------------------------------------- targets
function withLimit (nofile, cmd, args) {
  // sh -c 'ulimit -n N; exec "$0" "$@"' cmd args...
  return ['sh', ['-c', `ulimit -n ${nofile} 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$0" "$@"`, cmd, ...args]]
}

function waitFor (child, out, re, what, ms = 20000) {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${what} did not start in ${ms} ms:\n${out.text}`)) }, ms)
    const check = () => {
      const m = out.text.match(re)
      if (m) { clearTimeout(deadline); resolve(m) } else if (child.exitCode !== null) { clearTimeout(deadline); reject(new Error(`${what} exited:\n${out.text}`)) } else setTimeout(check, 25)
    }
    check()
  })
}

async function waitForPort (child, out, port, what, ms = 20000) {
  const deadline = Date.now() + ms
  for (;;) {
    const up = await new Promise((resolve) => {
      const s = net.connect(port, HOST, () => { s.destroy(); resolve(true) })
      s.on('error', () => resolve(false))
    })
    if (up) return
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${what} did not start listening on ${port}:\n${out.text}`)
    }
    await sleep(50)
  }
}

function capture (child) {
  const out = { text: '' }
  const add = (d) => { if (out.text.length < 200_000) out.text += d }
  child.stdout.on('data', add)
  child.stderr.on('data', add)
  return out
}

async function stopChild (child) {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const t = setTimeout(() => child.kill('SIGKILL'), 8000)
  await new Promise((resolve) => child.once('exit', resolve))
  clearTimeout(t)
}

async function startGateway (dir, label, lim) {
  const [cmd, args] = withLimit(lim.nofile, process.execPath, [`--max-old-space-size=${lim.node_max_old_space_mb}`, path.join(dir, 'server.js')])
  const child = spawn(cmd, args, {
    cwd: dir,
    // the gateway's default limits, except the connection cap (10,000)
    env: { ...process.env, HOST, MQTT_PORT: '0', WS_PORT: '0', REDIS_URL: '', MAX_CONNECTIONS: '0', INSTANCE_ID: `scale-${label}` },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const out = capture(child)
  const m = await waitFor(child, out, /"tcp":"mqtt:\/\/[\d.]+:(\d+)","ws":"ws:\/\/[\d.]+:(\d+)/, label)
  const parser = (out.text.match(/parser: (\S+)@(\S+)/) || []).slice(1, 3).join('@')
  const wsPort = Number(m[2])
  return {
    label,
    parser,
    pid: child.pid,
    tcp: Number(m[1]),
    ws: wsPort,
    async health (reset) {
      try {
        const r = await fetch(`http://${HOST}:${wsPort}/health${reset ? '?reset' : ''}`, { signal: AbortSignal.timeout(10000) })
        return await r.json()
      } catch { return null }
    },
    stop: () => stopChild(child)
  }
}

async function startMosquitto (label, lim, transport) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqttwire-scale-mosquitto-'))
  const tcp = 20000 + Math.floor(Math.random() * 20000)
  const ws = tcp + 1
  // persistence off: sessions live in memory, as the Aedes targets' do
  const conf = [
    `listener ${tcp} ${HOST}`,
    ...(transport === 'ws' ? [`listener ${ws} ${HOST}`, 'protocol websockets'] : []),
    'allow_anonymous true',
    'persistence false',
    'max_queued_messages 100000',
    'max_inflight_messages 0',
    'set_tcp_nodelay true',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'connection_messages false'
  ].join('\n') + '\n'
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), conf)
  const [cmd, args] = withLimit(lim.nofile, MOSQUITTO, ['-c', path.join(dir, 'mosquitto.conf')])
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  const out = capture(child)
  await waitForPort(child, out, tcp, label)
  const version = (shell(`${MOSQUITTO} -h | head -1`) || '').match(/mosquitto version (\S+)/)?.[1] || '2'
  return {
    label,
    parser: `mosquitto@${version}`,
    pid: child.pid,
    tcp,
    ws,
    async health () { return null },
    async stop () { await stopChild(child); fs.rmSync(dir, { recursive: true, force: true }) }
  }
}

// ---------------------------------------------------------------- loadgen
function buildLoadgen () {
  console.log('# cargo build --release -p mqttwire-loadgen')
  execFileSync('cargo', ['build', '--release', '-p', 'mqttwire-loadgen', '--quiet'], { cwd: root, stdio: 'inherit', timeout: 1_800_000 })
  return path.join(root, 'target', 'release', 'loadgen')
}

function runLoadgen (bin, lim, broker, o, run) {
  const port = o.transport === 'ws' ? broker.ws : broker.tcp
  const args = [
    '--targets', `${HOST}:${port}`,
    '--transport', o.transport,
    '--label', broker.label,
    '-n', String(run.n),
    '--rate', String(run.rate),
    '--duration', String(run.duration),
    '--drain', '10',
    '--broadcast-every', String(o.broadcastEvery),
    '--connect-phase', String(Math.max(60, Math.ceil(run.n / 100))),
    '--max-time', String(Math.max(120, Math.ceil(run.n / 100) + run.duration + 60)),
    '--prefix', `${broker.label}-${run.n}-${run.rate}-`,
    '--broker-pid', String(broker.pid),
    '--quiet'
  ]
  const [cmd, argv] = withLimit(lim.nofile, bin, args)
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { err += d })
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop()
      try { resolve(JSON.parse(line)) } catch { reject(new Error(`loadgen exited ${code} without a result:\n${err}${out}`)) }
    })
  })
}

async function measure (bin, lim, o, target, run) {
  const broker = target === 'mosquitto'
    ? await startMosquitto(target, lim, o.transport)
    : await startGateway(target === 'stock' ? prepareStockDir() : here, target, lim)
  try {
    // The event-loop delay window opens as loadgen's publishing starts (after the
    // connect phase, which the gateway's /health cannot see): reset once connected.
    const resetter = (async () => {
      for (let i = 0; i < 3000; i++) {
        const h = await broker.health(false)
        if (!h || h.connections >= run.n) break
        await sleep(200)
      }
      await broker.health(true)
    })()
    const attack = run.during ? run.during(broker) : null
    const r = await runLoadgen(bin, lim, broker, o, run).finally(() => attack && attack.stop())
    if (attack) r.hostile = attack.counts
    await resetter.catch(() => {})
    const h = await broker.health(false)
    if (h) r.event_loop_delay_ms = h.eventLoopDelayMs
    r.broker = broker.parser
    return r
  } finally {
    await broker.stop()
  }
}

// Hostile traffic while loadgen runs: `lorises` slow-loris connections, each
// sending a CONNECT a byte every 2 s and opened again when the broker closes it,
// plus a forged 256 MiB Remaining Length and a malformed packet every 20 ms.
function hostile (lorises) {
  return (broker) => {
    const counts = { slowLorisOpened: 0, slowLorisClosedByBroker: 0, forged: 0, malformed: 0 }
    const socks = new Set()
    let stopped = false
    const connect = Buffer.from('101a00044d5154540402003c000e736c6f772d6c6f7269732d303030', 'hex')
    const open = (onClose) => {
      const s = net.connect(broker.tcp, HOST)
      s.on('error', () => {})
      s.resume()
      socks.add(s)
      s.once('close', () => { socks.delete(s); if (!stopped && onClose) onClose() })
      return s
    }
    const loris = () => {
      if (stopped) return
      counts.slowLorisOpened++
      let sent = 0
      const s = open(() => { counts.slowLorisClosedByBroker++; setTimeout(loris, 100) })
      const drip = setInterval(() => {
        if (s.destroyed || sent >= connect.length) return clearInterval(drip)
        s.write(connect.subarray(sent, ++sent))
      }, 2000)
      s.once('close', () => clearInterval(drip))
    }
    // open them at ~1,000/s so that the broker's accept queue is not the test
    let n = 0
    const opener = setInterval(() => { for (let i = 0; i < 20 && n < lorises; i++, n++) loris() }, 20)
    const flood = setInterval(() => {
      const f = open()
      f.end(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]))
      counts.forged++
      const m = open()
      m.end(Buffer.from([0x00, 0x02, 0xff, 0xff]))
      counts.malformed++
    }, 20)
    return {
      counts,
      stop () {
        stopped = true
        clearInterval(opener)
        clearInterval(flood)
        for (const s of socks) s.destroy()
      }
    }
  }
}

function printRow (r) {
  const f = (v, d = 1) => (v === null || v === undefined) ? '-' : Number(v).toFixed(d)
  console.log(`# ${r.target.padEnd(9)} n=${String(r.requested).padStart(6)} held=${String(r.connections).padStart(6)} connect/s=${f(r.connect_rate, 0).padStart(6)} rss/conn=${f(r.rss_per_conn_kb)} KiB rate=${r.rate} p50=${f(r.p50_ms, 2)} p99=${f(r.p99_ms, 2)} max=${f(r.max_ms, 1)} ms delivered=${r.delivered}/${r.published} lost=${r.lost} dup=${r.duplicated} bcast lost=${r.broadcast_lost} broker cpu=${f(r.broker_cpu_pct)}% (${f(r.broker_cpu_us_per_msg)} us/msg) loadgen cpu=${f(r.client_cpu_pct)}%${r.event_loop_delay_ms ? ` loop delay p99=${f(r.event_loop_delay_ms.p99, 1)} ms` : ''}`)
}

function ok (r) {
  return r.connections >= r.requested && r.lost === 0 && r.broadcast_lost === 0
}

async function main () {
  const o = parseArgs(process.argv.slice(2))
  if (o.targets.includes('mosquitto') && !fs.existsSync(MOSQUITTO)) {
    console.log(`# ${MOSQUITTO} not found (apt-get install mosquitto): mosquitto left out`)
    o.targets = o.targets.filter((t) => t !== 'mosquitto')
  }
  const lim = limits()
  const bin = buildLoadgen()
  const all = []
  const final = []
  const cap = Math.floor((lim.nofile - 300) / 100) * 100
  if (o.hostile) {
    // the same load with and without hostile clients, in both orders
    for (const t of o.targets.filter((x) => x !== 'mosquitto')) {
      const run = { n: 2000, rate: o.rate, duration: o.duration }
      const base = []
      const under = []
      for (const order of [[false, true], [true, false]]) {
        for (const attacked of order) {
          const r = await measure(bin, lim, o, t, attacked ? { ...run, during: hostile(o.hostile) } : run)
          r.phase = attacked ? 'hostile' : 'baseline'
          printRow(r)
          if (r.hostile) console.log(`#   hostile: ${JSON.stringify(r.hostile)}`)
          all.push(r)
          if (attacked) under.push(r)
          else base.push(r)
        }
      }
      const med = (xs) => xs.map((r) => r.p99_ms).sort((a, b) => a - b)[Math.floor(xs.length / 2)]
      const worst = under.reduce((a, r) => (r.p99_ms > a.p99_ms ? r : a))
      final.push({ ...worst, target: t, phase: 'hostile', baseline_p99_ms: base.map((r) => r.p99_ms), hostile_p99_ms: under.map((r) => r.p99_ms), p99_change_pct: +((med(under) / med(base) - 1) * 100).toFixed(1) })
    }
  } else if (o.quick) {
    for (const t of o.targets) {
      const r = await measure(bin, lim, o, t, { n: 2000, rate: o.rate, duration: Math.min(o.duration, 10) })
      printRow(r)
      all.push(r)
      final.push(r)
    }
  } else {
    // 1. the largest N each target holds (stepping up; stops at the first step it fails)
    const held = {}
    for (const t of o.targets) {
      let perConnKb = 0
      for (const step of o.steps) {
        // over the open-file limit: one last step at the limit
        const n = Math.min(step, cap)
        if (step > cap) console.log(`# ${t}: N=${step} is over the open-file limit (${lim.nofile}): N=${n} instead`)
        const needMb = perConnKb * n / 1024
        const availMb = os.freemem() / 1048576
        if (needMb > availMb / 2) { console.log(`# ${t}: N=${n} skipped, would need ~${Math.round(needMb)} MiB of ${Math.round(availMb)} MiB available`); break }
        const r = await measure(bin, lim, o, t, { n, rate: o.rate, duration: o.duration })
        r.phase = 'connections'
        printRow(r)
        all.push(r)
        if (!(r.connections >= n)) break
        held[t] = r
        perConnKb = Math.max(perConnKb, r.rss_per_conn_kb || 0)
        if (step > cap) break
      }
    }
    // 2. at a fixed N, the largest R with p99 <= 35 ms and nothing lost
    const n = o.n || Math.min(10000, ...o.targets.map((t) => held[t] ? held[t].connections : 0))
    for (const t of o.targets) {
      let best = null
      let first = null
      for (const rate of o.rates) {
        if (!n) break
        const r = await measure(bin, lim, o, t, { n, rate, duration: o.duration })
        r.phase = 'rate'
        printRow(r)
        all.push(r)
        first = first || r
        if (!ok(r) || r.p99_ms > P99_GOAL_MS) break
        best = r
      }
      const summary = { ...(best || first || {}), target: t, max_connections: held[t] ? held[t].connections : 0, max_rate_p99_35ms: best ? best.rate : 0, fixed_n: n }
      final.push(summary)
    }
  }
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ when: new Date().toISOString(), node: process.version, limits: lim, options: o, runs: all, results: final }, null, 2) + '\n')
  for (const r of final) console.log(JSON.stringify(r))
}

main().catch((err) => { console.error(err.stack || String(err)); process.exit(1) })
