// Shared test helpers: everything binds/connects to 127.0.0.1 only, every wait is bounded.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import net from 'node:net'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import { createGateway } from '../gateway.js'

export const HOST = '127.0.0.1'
export const CI = process.env.CI === 'true'

export function delay (ms) { return new Promise((resolve) => setTimeout(resolve, ms)) }

export function withTimeout (promise, ms, what) {
  let timer
  return Promise.race([
    promise,
    new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms) })
  ]).finally(() => clearTimeout(timer))
}

// --- external binaries ------------------------------------------------------
const whichCache = new Map()
export function which (bin) {
  if (!whichCache.has(bin)) {
    const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' })
    whichCache.set(bin, r.status === 0 ? r.stdout.trim() : null)
  }
  return whichCache.get(bin)
}

// The Debian package that installs each binary the tests run.
const DEBIAN_PACKAGE = { mosquitto_pub: 'mosquitto-clients', mosquitto_sub: 'mosquitto-clients', chromium: 'chromium' }

// For { skip } options: a reason string when a binary is missing (outside CI),
// false otherwise. With CI=true nothing is skipped: requireBins() then fails the test.
export function skipIfMissing (...bins) {
  const missing = bins.filter((b) => !which(b))
  if (missing.length === 0 || CI) return false
  const debs = [...new Set(missing.map((b) => DEBIAN_PACKAGE[b] || b))]
  const reason = `${missing.join(', ')} not installed (apt-get install -y ${debs.join(' ')})`
  console.log(`# skipping: ${reason}`)
  return reason
}

export function requireBins (...bins) {
  const missing = bins.filter((b) => !which(b))
  assert.deepEqual(missing, [], `missing binaries: ${missing.join(', ')} (CI=true: a missing binary is a failure)`)
}

export async function freePort () {
  const srv = net.createServer()
  srv.listen(0, HOST)
  await new Promise((resolve) => srv.once('listening', resolve))
  const { port } = srv.address()
  await new Promise((resolve) => srv.close(resolve))
  return port
}

// --- redis-server -------------------------------------------------------------
// opts.port: start on that port (e.g. to restart a server clients know); else a free one
export async function startRedis (opts = {}) {
  requireBins('redis-server')
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = opts.port || await freePort()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-redis-'))
    const child = spawn('redis-server', [
      '--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no',
      '--dir', dir, '--protected-mode', 'yes'
    ], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    const ready = await withTimeout(new Promise((resolve) => {
      const iv = setInterval(() => {
        if (/Ready to accept connections/.test(out)) { clearInterval(iv); resolve(true) }
        if (child.exitCode !== null) { clearInterval(iv); resolve(false) }
      }, 25)
    }), 10000, 'redis-server start').catch(() => false)
    if (!ready) {
      child.kill('SIGKILL')
      fs.rmSync(dir, { recursive: true, force: true })
      continue // port race: try another
    }
    return {
      url: `redis://${HOST}:${port}`,
      port,
      async stop () {
        if (child.exitCode === null) {
          child.kill('SIGTERM')
          await withTimeout(new Promise((resolve) => child.once('exit', resolve)), 5000, 'redis-server exit')
            .catch(() => child.kill('SIGKILL'))
        }
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }
  }
  throw new Error('could not start redis-server')
}

// --- gateway -------------------------------------------------------------------
export async function startGateway (opts = {}) {
  return createGateway({ host: HOST, tcpPort: 0, wsPort: 0, ...opts })
}

// --- MQTT.js ---------------------------------------------------------------------
export function mqttUrl (gw, transport = 'tcp') {
  return transport === 'ws' ? `ws://${HOST}:${gw.wsPort}/mqtt` : `mqtt://${HOST}:${gw.tcpPort}`
}

const openClients = new Set()

export function connect (url, opts = {}) {
  const client = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...opts })
  openClients.add(client)
  client.on('close', () => {})
  return withTimeout(new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client))
    client.once('error', (err) => { client.end(true); reject(err) })
    client.once('close', () => reject(new Error('closed before CONNACK')))
  }), 7000, `connect ${url}`).catch((err) => { client.end(true); throw err })
}

export async function endAll () {
  const all = [...openClients]
  openClients.clear()
  await Promise.all(all.map((c) => withTimeout(new Promise((resolve) => c.end(true, resolve)), 2000, 'client end').catch(() => {})))
}

export function subscribe (client, topic, qos = 0) {
  return withTimeout(client.subscribeAsync(topic, { qos }), 5000, `subscribe ${topic}`)
}

export function publish (client, topic, payload, opts = {}) {
  return withTimeout(client.publishAsync(topic, payload, opts), 5000, `publish ${topic}`)
}

// Resolves with the next { topic, payload, packet } on a topic (exact match).
export function nextMessage (client, topic, ms = 5000) {
  let handler
  return withTimeout(new Promise((resolve) => {
    handler = (t, payload, packet) => { if (t === topic) resolve({ topic: t, payload: payload.toString(), packet }) }
    client.on('message', handler)
  }), ms, `message on ${topic}`).finally(() => client.removeListener('message', handler))
}

// Collects messages on a topic until `count` arrived (bounded by ms).
export function collect (client, topic, count, ms = 5000) {
  const got = []
  let handler
  return withTimeout(new Promise((resolve) => {
    handler = (t, payload, packet) => {
      if (t !== topic) return
      got.push({ payload: payload.toString(), qos: packet.qos, retain: packet.retain })
      if (got.length >= count) resolve(got)
    }
    client.on('message', handler)
  }), ms, `${count} messages on ${topic} (got ${got.length})`).finally(() => client.removeListener('message', handler))
}

// --- raw sockets -------------------------------------------------------------------
// Sends bytes on a fresh TCP connection; resolves with what came back before the
// server closed it (or rejects if it is still open after ms).
export function rawExchange (port, bytes, ms = 5000) {
  return withTimeout(new Promise((resolve, reject) => {
    const sock = net.connect(port, HOST)
    const chunks = []
    sock.on('data', (d) => chunks.push(d))
    sock.on('error', () => {}) // ECONNRESET counts as closed
    sock.on('connect', () => sock.write(bytes))
    sock.on('close', () => resolve(Buffer.concat(chunks)))
    setTimeout(() => { if (!sock.destroyed) { sock.destroy(); reject(new Error('server kept the connection open')) } }, ms)
  }), ms + 1000, 'raw exchange')
}

// Minimal CONNECT encoder for raw-socket tests (no will/auth).
export function connectPacket ({ protocolName = 'MQTT', protocolVersion = 4, clientId = 'raw', keepalive = 30, v5Properties = false, clean = true } = {}) {
  const str = (s) => { const b = Buffer.from(s); return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]) }
  const parts = [str(protocolName), Buffer.from([protocolVersion, clean ? 0x02 : 0x00, keepalive >> 8, keepalive & 0xff])]
  if (v5Properties) parts.push(Buffer.from([0x00])) // empty property list
  parts.push(str(clientId))
  const body = Buffer.concat(parts)
  return Buffer.concat([Buffer.from([0x10, body.length]), body]) // body < 128 bytes here
}

// --- mosquitto clients --------------------------------------------------------------
const children = new Set()
process.on('exit', () => { for (const c of children) { try { c.kill('SIGKILL') } catch {} } })

export function runProcess (cmd, args, ms = 10000) {
  return withTimeout(new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('close', (code, signal) => { children.delete(child); resolve({ code, signal, stdout, stderr }) })
    setTimeout(() => child.kill('SIGKILL'), ms).unref()
  }), ms + 2000, `${cmd} ${args.join(' ')}`)
}

// Starts mosquitto_sub; resolves once the gateway's Aedes saw its SUBSCRIBE
// (mosquitto's own -d output is block-buffered on a pipe, so it can't be waited on).
// Messages are printed as MSG|topic|qos|retain|payload lines.
let subCounter = 0
export async function mosquittoSub (gw, args, ms = 10000) {
  requireBins('mosquitto_sub')
  let clientId = args.includes('-i') ? args[args.indexOf('-i') + 1] : null
  if (!clientId) {
    clientId = `msub-${process.pid}-${++subCounter}`
    args = ['-i', clientId, ...args]
  }
  let onSub
  const subscribed = new Promise((resolve) => {
    onSub = (subs, client) => { if (client && client.id === clientId) resolve() }
    gw.broker.on('subscribe', onSub)
  })
  const child = spawn('mosquitto_sub', ['-h', HOST, '-p', String(gw.tcpPort), '-F', 'MSG|%t|%q|%r|%p', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { err += d })
  const killer = setTimeout(() => child.kill('SIGKILL'), ms)
  const exited = new Promise((resolve) => child.on('close', (code, signal) => {
    clearTimeout(killer)
    children.delete(child)
    resolve({ code, signal })
  }))
  try {
    await withTimeout(Promise.race([subscribed, exited.then(() => { throw new Error(`mosquitto_sub exited early: ${out}${err}`) })]), 5000, 'mosquitto_sub SUBSCRIBE')
  } catch (e) {
    child.kill('SIGKILL')
    throw e
  } finally {
    gw.broker.removeListener('subscribe', onSub)
  }
  return {
    child,
    clientId,
    messages () {
      return out.split('\n').filter((l) => l.startsWith('MSG|')).map((l) => {
        const [, topic, qos, retain, ...rest] = l.split('|')
        return { topic, qos: Number(qos), retain: retain === '1', payload: rest.join('|') }
      })
    },
    output: () => out + err,
    async done () { const r = await exited; return { ...r, messages: this.messages() } },
    kill (signal = 'SIGTERM') { child.kill(signal); return exited }
  }
}

export function mosquittoPub (port, args, ms = 10000) {
  requireBins('mosquitto_pub')
  return runProcess('mosquitto_pub', ['-h', HOST, '-p', String(port), ...args], ms)
}

// Splits a byte stream into MQTT packets: [{ type, flags, body }]. Returns the
// packets and the unconsumed rest.
export function splitPackets (buf) {
  const out = []
  let off = 0
  while (off < buf.length) {
    let len = 0
    let mul = 1
    let i = off + 1
    let done = false
    for (; i < buf.length && i < off + 5; i++) {
      len += (buf[i] & 0x7f) * mul
      mul *= 128
      if (!(buf[i] & 0x80)) { done = true; i++; break }
    }
    if (!done || i + len > buf.length) break
    out.push({ type: buf[off] >> 4, flags: buf[off] & 0xf, body: buf.subarray(i, i + len) })
    off = i + len
  }
  return { packets: out, rest: buf.subarray(off) }
}
