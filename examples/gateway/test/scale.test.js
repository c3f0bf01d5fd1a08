// Many users at once: the Rust load generator (loadgen/) opens persistent-session
// user connections to one gateway, each subscribed to user/<id>/notifications and
// a broadcast topic; QoS 1 notifications go to random users and a broadcast to all.
// Every notification must arrive, to the user it was addressed to.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { HOST } from './helpers.js'
import { runLoadgen, spawnGateway } from './load-helpers.js'

let gw
after(async () => { if (gw) await gw.stop() })

function assertNoLoss (r, n) {
  assert.equal(r.connections, n, `all ${n} users connected and subscribed (${r.first_error || 'no error'})`)
  assert.ok(r.published > 0, 'notifications were published')
  assert.equal(r.lost, 0, 'no notification lost')
  assert.equal(r.delivered, r.published)
  assert.equal(r.misrouted, 0, 'each notification reached only its own user')
  assert.ok(r.broadcasts > 0, 'a broadcast was published')
  assert.equal(r.broadcast_delivered, r.broadcast_expected, 'every user received every broadcast')
  assert.equal(r.dropped, 0, 'no connection dropped')
}

test('2,000 users over TCP: every QoS 1 notification and broadcast delivered', { timeout: 150_000 }, async (t) => {
  gw = await spawnGateway({}, 'scale-gw')
  const n = 2000
  const r = await runLoadgen([
    '--targets', `${HOST}:${gw.tcpPort}`, '-n', String(n), '--rate', '200', '--duration', '5',
    '--broadcast-every', '2', '--drain', '40', '--connect-phase', '90', '--connect-timeout', '60',
    '--connect-concurrency', '64', '--max-time', '140', '--broker-pid', String(gw.pid),
    '--prefix', 'scale-tcp-', '--quiet'
  ], { ms: 150_000 })
  t.diagnostic(`connect ${r.connect_rate}/s, ${r.delivered}/${r.published} delivered, p99 ${r.p99_ms} ms, rss/conn ${r.rss_per_conn_kb} KiB`)
  assertNoLoss(r, n)
  const h = await gw.health()
  assert.ok(h.eventLoopDelayMs.max > 0, '/health reports the event-loop delay')
})

test('300 users over WebSocket, MQTT 5 (clean start 0, session expiry): every notification delivered', { timeout: 90_000 }, async () => {
  if (!gw) gw = await spawnGateway({}, 'scale-gw')
  const n = 300
  const r = await runLoadgen([
    '--targets', `${HOST}:${gw.wsPort}`, '--transport', 'ws', '--mqtt', '5', '-n', String(n),
    '--rate', '100', '--duration', '3', '--broadcast-every', '1', '--drain', '30',
    '--connect-phase', '60', '--max-time', '80', '--prefix', 'scale-ws-', '--quiet'
  ], { ms: 90_000 })
  assertNoLoss(r, n)
})
