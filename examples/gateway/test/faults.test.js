// Faults with two gateway instances over one redis-server, while QoS 1
// notifications flow to persistent sessions (loadgen users, clean session off):
//   - kill -9 one instance: its users reconnect to the other and resume their
//     sessions; every notification is delivered at least once (0 lost);
//   - restart redis-server: both instances recover without a restart of their own.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startRedis, skipIfMissing, HOST, delay, withTimeout } from './helpers.js'
import { runLoadgen, spawnGateway } from './load-helpers.js'

const skip = skipIfMissing('redis-server')
const started = []
after(async () => {
  for (const s of started.reverse()) await s.stop().catch(() => {})
})

let redis
before(async () => {
  if (skip) return
  redis = await startRedis()
  started.push(redis)
})

async function pair (tag) {
  const a = await spawnGateway({ REDIS_URL: redis.url }, `${tag}-A`)
  started.push(a)
  const b = await spawnGateway({ REDIS_URL: redis.url }, `${tag}-B`)
  started.push(b)
  return [a, b]
}

test('Redis mode: a persistent session SUBSCRIBE with several filters gets its SUBACK', { skip, timeout: 60_000 }, async () => {
  // Aedes stores such a SUBSCRIBE once per filter and aedes-persistence-redis
  // lost one of the concurrent waits, so the SUBACK never came (see README, Faults).
  const [gw] = await pair('multi')
  const r = await runLoadgen([
    '--targets', `${HOST}:${gw.tcpPort}`, '-n', '50', '--connect-concurrency', '50',
    '--rate', '20', '--duration', '2', '--broadcast-every', '1', '--drain', '20',
    '--connect-timeout', '15', '--connect-phase', '30', '--max-time', '50', '--prefix', 'multi-', '--quiet'
  ], { ms: 55_000 })
  assert.equal(r.connections, 50, `every user subscribed (${r.first_error || 'no error'})`)
  assert.equal(r.lost, 0)
  assert.equal(r.broadcast_lost, 0)
})

test('kill -9 one of two instances under QoS 1 load: users move to the other, nothing lost', { skip, timeout: 120_000 }, async (t) => {
  const [a, b] = await pair('kill')
  let killed = false
  let publishing = 0
  const run = runLoadgen([
    // users alternate A, B; with --reconnect a user whose instance dies moves to the next
    '--targets', `${HOST}:${a.tcpPort},${HOST}:${b.tcpPort}`, '--pub-targets', `${HOST}:${b.tcpPort}`,
    '--reconnect', '-n', '200', '--rate', '40', '--duration', '10', '--broadcast-every', '2',
    '--drain', '60', '--keep-alive', '10', '--connect-phase', '60', '--max-time', '110',
    '--prefix', 'kill-'
  ], {
    ms: 115_000,
    onLine (line) {
      // a.kill9() after two progress lines of publishing (~4 s of notifications flowing)
      if (!killed && /publishing/.test(line) && ++publishing === 2) {
        killed = true
        a.kill9()
      }
    }
  })
  const r = await run
  t.diagnostic(`killed A: ${killed}; published ${r.published}, delivered ${r.delivered}, duplicated ${r.duplicated}, lost ${r.lost}; broadcasts ${r.broadcast_delivered}/${r.broadcast_expected} (dup ${r.broadcast_duplicated}); reconnects ${r.reconnects}; max latency ${r.max_ms} ms`)
  assert.ok(killed, 'instance A was killed while notifications flowed')
  assert.equal(a.alive(), false)
  assert.equal(r.connections, 200, 'every user connected before the kill')
  assert.ok(r.reconnects >= 90, `A's users reconnected (${r.reconnects} reconnections)`)
  assert.ok(r.published > 0)
  assert.equal(r.lost, 0, 'every QoS 1 notification delivered at least once')
  assert.equal(r.misrouted, 0)
  // Broadcasts are counted, not asserted: one delivery in a thousand can still
  // miss a user whose session moves at that moment (README, Faults).
  t.diagnostic(`broadcast deliveries lost: ${r.broadcast_lost} of ${r.broadcast_expected}`)
  const h = await b.health()
  assert.equal(h.status, 'ok')
})

test('restart redis-server under load: both instances recover by themselves', { skip, timeout: 120_000 }, async (t) => {
  const [a, b] = await pair('redis')
  let restarted = null
  let publishing = 0
  const run = runLoadgen([
    '--targets', `${HOST}:${a.tcpPort},${HOST}:${b.tcpPort}`, '--pub-targets', `${HOST}:${b.tcpPort}`,
    '--reconnect', '-n', '100', '--rate', '20', '--duration', '8', '--broadcast-every', '2',
    '--drain', '8', '--keep-alive', '10', '--max-time', '60', '--prefix', 'redis-outage-', '--quiet'
  ], {
    ms: 70_000
  })
  // Restart redis-server on the same port ~3 s into the run (loadgen is quiet: by time).
  await delay(3000)
  restarted = (async () => {
    await redis.stop()
    started.splice(started.indexOf(redis), 1)
    await delay(1000)
    redis = await startRedisOn(redis.port)
    started.push(redis)
  })()
  const during = await run
  await restarted
  t.diagnostic(`during the outage: published ${during.published}, delivered ${during.delivered}, lost ${during.lost}, reconnects ${during.reconnects}`)
  assert.ok(a.alive() && b.alive(), 'neither instance exited')
  // After the restart: a fresh run across both instances delivers everything.
  const r = await runLoadgen([
    '--targets', `${HOST}:${a.tcpPort},${HOST}:${b.tcpPort}`, '--pub-targets', `${HOST}:${b.tcpPort}`,
    '-n', '100', '--rate', '20', '--duration', '4', '--broadcast-every', '1', '--drain', '30',
    '--max-time', '60', '--prefix', 'redis-after-', '--quiet'
  ], { ms: 70_000 })
  assert.equal(r.connections, 100, `every user connected after the restart (${r.first_error || 'no error'})`)
  assert.ok(r.published > 0)
  assert.equal(r.lost, 0, 'notifications flow across instances again')
  assert.equal(r.broadcast_lost, 0)
  for (const gw of [a, b]) {
    const h = await withTimeout(gw.health(), 5000, 'health')
    assert.equal(h.status, 'ok')
  }
})

// redis-server on a given port (the one the instances were started with).
async function startRedisOn (port) {
  for (let i = 0; i < 20; i++) {
    const r = await startRedis({ port }).catch((err) => err)
    if (!(r instanceof Error)) return r
    await delay(250)
  }
  throw new Error(`could not restart redis-server on port ${port}`)
}
