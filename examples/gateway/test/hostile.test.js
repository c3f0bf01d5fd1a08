// Hostile clients against one gateway instance while 200 loadgen users receive
// QoS 1 notifications: each attack is refused or bounded by a limit, the
// gateway's RSS stays flat, and the users lose nothing.
// (The bench runs the same with more attackers: README, Faults and hostile clients.)
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { createHash } from 'node:crypto'
import mqttPacket from 'mqtt-packet'
import { HOST, delay, withTimeout, connect, subscribe, endAll } from './helpers.js'
import { runLoadgen, spawnGateway, rssKib } from './load-helpers.js'

const CONNECT_TIMEOUT_MS = 3000
const SLOW_LORIS = 300
let gw, load, control, rssBefore

before(async () => {
  gw = await spawnGateway({ CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) }, 'hostile-gw')
  control = {}
  let publishing
  const started = new Promise((resolve) => { publishing = resolve })
  load = runLoadgen([
    '--targets', `${HOST}:${gw.tcpPort}`, '-n', '200', '--rate', '50', '--duration', '100',
    '--broadcast-every', '2', '--drain', '30', '--max-time', '170', '--prefix', 'legit-',
    '--broker-pid', String(gw.pid)
  ], { ms: 180_000, control, onLine: (l) => { if (/publishing/.test(l)) publishing() } })
  load.catch(() => {})
  await withTimeout(started, 60_000, 'legitimate users publishing')
  rssBefore = await rssKib(gw.pid)
})

after(async () => {
  if (control.interrupt) control.interrupt()
  await load.catch(() => {})
  await endAll()
  if (gw) await gw.stop()
})

function raw () {
  const s = net.connect(gw.tcpPort, HOST)
  s.setNoDelay(true)
  s.on('error', () => {})
  s.resume() // a paused socket with unread bytes (a CONNACK) would never emit 'close'
  const closed = new Promise((resolve) => s.once('close', resolve))
  const opened = new Promise((resolve) => s.once('connect', resolve))
  return { s, closed, opened }
}

const CONNECT = (id) => mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: id, keepalive: 30, clean: true })

async function closedWithin (conns, ms, what) {
  await withTimeout(Promise.all(conns.map((c) => c.closed)), ms, what)
}

test('forged Remaining Lengths up to 256 MiB are refused from the fixed header', { timeout: 60_000 }, async () => {
  const conns = []
  // 2 KiB .. 256 MiB, announced by a PUBLISH after CONNECT and by CONNECT itself
  for (const len of [2048, 1 << 20, 1 << 24, 268_435_455]) {
    const vbi = []
    let n = len
    do { let d = n % 128; n = Math.floor(n / 128); if (n > 0) d |= 0x80; vbi.push(d) } while (n > 0)
    for (let i = 0; i < 5; i++) {
      const a = raw()
      a.s.write(Buffer.concat([CONNECT(`forge-${len}-${i}`), Buffer.from([0x30, ...vbi]), Buffer.alloc(64, 0x41)]))
      conns.push(a)
      const b = raw()
      b.s.write(Buffer.concat([Buffer.from([0x10, ...vbi]), Buffer.alloc(64, 0x41)]))
      conns.push(b)
    }
  }
  // A PUBLISH of 2 KiB is within the 1 MiB limit: its sender waits for the
  // rest (then the connect timeout / keep alive ends it); every other is refused.
  const refused = conns.filter((_, i) => !(i < 10 && i % 2 === 0))
  await closedWithin(refused, 15_000, 'oversized announcements refused')
  for (const c of conns) c.s.destroy()
})

test(`${SLOW_LORIS} slow-loris connections (a CONNECT byte a second) are closed at the connect timeout`, { timeout: 60_000 }, async () => {
  const conns = []
  for (let i = 0; i < SLOW_LORIS; i++) conns.push({ ...raw(), bytes: CONNECT(`slow-loris-client-${String(i).padStart(6, '0')}`), sent: 0 })
  await Promise.all(conns.map((c) => c.opened))
  const t0 = Date.now()
  let closedAt = 0
  const allClosed = Promise.all(conns.map((c) => c.closed)).then(() => { closedAt = Date.now() })
  const drip = setInterval(() => {
    for (const c of conns) if (!c.s.destroyed && c.sent < c.bytes.length) c.s.write(c.bytes.subarray(c.sent, ++c.sent))
  }, 1000)
  try {
    await withTimeout(allClosed, CONNECT_TIMEOUT_MS + 20_000, 'slow-loris connections closed')
  } finally {
    clearInterval(drip)
  }
  // closed before any of them could finish its CONNECT (a byte a second)
  assert.ok(conns.every((c) => c.sent < c.bytes.length), 'no slow CONNECT completed')
  assert.ok(closedAt - t0 < conns[0].bytes.length * 1000)
})

test('a flood of malformed packets: every sender is disconnected', { timeout: 60_000 }, async () => {
  const conns = []
  const bad = [
    Buffer.from([0x00, 0x00]), // reserved packet type 0
    Buffer.from([0xf0, 0x00]), // AUTH before CONNECT, in 3.1.1
    Buffer.from([0x10, 0x04, 0x00, 0x02, 0x4d, 0x51]), // CONNECT cut short
    Buffer.from([0x32, 0x03, 0x00, 0x01, 0x61]) // (after CONNECT) QoS 1 PUBLISH with no packet id
  ]
  for (let i = 0; i < 400; i++) {
    const a = raw()
    const b = bad[i % bad.length]
    a.s.write(i % bad.length === 3 ? Buffer.concat([CONNECT(`malformed-${i}`), b, b, b]) : Buffer.concat([b, Buffer.alloc(32, 0xff)]))
    conns.push(a)
  }
  // garbage after a valid CONNECT, 64 KiB of it
  for (let i = 0; i < 20; i++) {
    const a = raw()
    a.s.write(Buffer.concat([CONNECT(`garbage-${i}`), Buffer.alloc(65536, 0xff)]))
    conns.push(a)
  }
  await closedWithin(conns, 20_000, 'malformed senders disconnected')
})

test('a 1 MiB PUBLISH written a byte at a time is reassembled and delivered intact', { timeout: 90_000 }, async () => {
  const sub = await connect(`mqtt://${HOST}:${gw.tcpPort}`, { clientId: 'big-sub' })
  await subscribe(sub, 'big/one', 1)
  const payload = Buffer.alloc(1024 * 1024 - 64)
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff
  const got = new Promise((resolve) => sub.on('message', (topic, p) => { if (topic === 'big/one') resolve(p) }))
  const bytes = Buffer.concat([CONNECT('big-pub'), mqttPacket.generate({ cmd: 'publish', topic: 'big/one', qos: 0, payload })])
  assert.ok(bytes.length <= 1024 * 1024 + 64)
  const a = raw()
  await a.opened
  // one write() a byte; the kernel may merge some, the gateway sees many small reads
  for (let i = 0; i < bytes.length; i += 4096) {
    let ok = true
    for (let j = i; j < Math.min(i + 4096, bytes.length); j++) ok = a.s.write(bytes.subarray(j, j + 1))
    if (!ok) await new Promise((resolve) => a.s.once('drain', resolve))
    else await new Promise(setImmediate)
  }
  const p = await withTimeout(got, 60_000, '1 MiB PUBLISH delivered')
  assert.equal(createHash('sha256').update(p).digest('hex'), createHash('sha256').update(payload).digest('hex'))
  a.s.destroy()
})

test('a topic of 1,000 levels and a SUBSCRIBE of 10,000 filters are refused', { timeout: 30_000 }, async () => {
  const deep = Array.from({ length: 1000 }, (_, i) => `l${i}`).join('/')
  for (const packet of [
    { cmd: 'publish', topic: deep, qos: 1, messageId: 1, payload: 'x' },
    { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: deep, qos: 1 }] }
  ]) {
    const a = raw()
    a.s.write(Buffer.concat([CONNECT(`deep-${packet.cmd}`), mqttPacket.generate(packet)]))
    await withTimeout(a.closed, 10_000, `${packet.cmd} to a 1,000-level topic: disconnected`)
  }
  // 10,000 filters: granted up to MAX_SUBSCRIPTIONS (1,000), 0x80 for the rest
  const a = raw()
  const parser = mqttPacket.parser({ protocolVersion: 4 })
  const suback = new Promise((resolve) => parser.on('packet', (p) => { if (p.cmd === 'suback') resolve(p) }))
  a.s.on('data', (d) => parser.parse(d))
  const subscriptions = Array.from({ length: 10_000 }, (_, i) => ({ topic: `many/${i}`, qos: 1 }))
  a.s.write(Buffer.concat([CONNECT('many-filters'), mqttPacket.generate({ cmd: 'subscribe', messageId: 7, subscriptions })]))
  const { granted } = await withTimeout(suback, 20_000, 'SUBACK for 10,000 filters')
  assert.equal(granted.length, 10_000)
  assert.equal(granted.filter((g) => g === 1).length, 1000)
  assert.equal(granted.filter((g) => g === 0x80).length, 9000)
  a.s.destroy()
})

test('after every attack: RSS flat, the legitimate users lost nothing', { timeout: 120_000 }, async (t) => {
  await delay(2000)
  const rssAfter = await rssKib(gw.pid)
  control.interrupt()
  const r = await load
  t.diagnostic(`gateway RSS ${Math.round(rssBefore / 1024)} -> ${Math.round(rssAfter / 1024)} MiB; users: ${r.delivered}/${r.published} delivered, p99 ${r.p99_ms} ms, broadcasts ${r.broadcast_delivered}/${r.broadcast_expected}`)
  assert.ok(rssAfter - rssBefore < 128 * 1024, `RSS grew by ${Math.round((rssAfter - rssBefore) / 1024)} MiB (limit 128)`)
  assert.equal(r.connections, 200)
  assert.ok(r.published > 0)
  assert.equal(r.lost, 0, 'no notification lost to a legitimate user')
  assert.equal(r.broadcast_lost, 0)
  assert.equal(r.dropped, 0, 'no legitimate connection dropped')
  const h = await gw.health()
  assert.equal(h.status, 'ok')
  assert.ok(h.subscriptionsRefused >= 9000)
})
