// MQTT.js over TCP and WebSocket, raw-socket protocol abuse, limits, health.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import mqtt from 'mqtt'
import {
  HOST, startGateway, connect, mqttUrl, subscribe, publish, nextMessage, collect, endAll,
  rawExchange, connectPacket, withTimeout, delay
} from './helpers.js'
import { parserInfo } from '../lib/parser-info.js'

function getJson (port, path) {
  return withTimeout(new Promise((resolve, reject) => {
    http.get({ host: HOST, port, path }, (res) => {
      let body = ''
      res.on('data', (d) => { body += d })
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body }))
    }).on('error', reject)
  }), 5000, `GET ${path}`)
}

// an established pub/sub pair that must keep working while others misbehave
async function healthyPair (gw, tag) {
  const sub = await connect(mqttUrl(gw), { clientId: `${tag}-sub` })
  const pub = await connect(mqttUrl(gw, 'ws'), { clientId: `${tag}-pub` })
  await subscribe(sub, `${tag}/ping`, 1)
  let n = 0
  return {
    async check () {
      const payload = `ping-${++n}`
      const got = nextMessage(sub, `${tag}/ping`)
      await publish(pub, `${tag}/ping`, payload, { qos: 1 })
      assert.equal((await got).payload, payload)
      assert.equal(sub.connected && pub.connected, true)
    }
  }
}

describe('gateway with MQTT.js', () => {
  let gw
  before(async () => { gw = await startGateway() })
  after(async () => {
    await endAll()
    if (gw) await gw.close()
  })

  for (const transport of ['tcp', 'ws']) {
    for (const subTransport of ['tcp', 'ws']) {
      test(`QoS 0/1/2 publish over ${transport} delivered to a subscriber over ${subTransport}, in order`, { timeout: 20000 }, async () => {
        const tag = `order-${transport}-${subTransport}`
        const sub = await connect(mqttUrl(gw, subTransport), { clientId: `${tag}-s` })
        const pub = await connect(mqttUrl(gw, transport), { clientId: `${tag}-p` })
        for (const qos of [0, 1, 2]) {
          const topic = `${tag}/q${qos}`
          await subscribe(sub, topic, 2)
          const N = 25
          const all = collect(sub, topic, N)
          for (let i = 0; i < N; i++) pub.publish(topic, `m${i}`, { qos })
          const got = await all
          assert.deepEqual(got.map((m) => m.payload), Array.from({ length: N }, (_, i) => `m${i}`))
          assert.ok(got.every((m) => m.qos === qos), `delivered with qos ${qos}`)
        }
      })
    }

    test(`retained message over ${transport}`, { timeout: 15000 }, async () => {
      const topic = `retained/${transport}`
      const pub = await connect(mqttUrl(gw, transport))
      await publish(pub, topic, 'last-known', { qos: 1, retain: true })
      const sub = await connect(mqttUrl(gw, transport))
      const got = nextMessage(sub, topic)
      await subscribe(sub, topic, 1)
      const m = await got
      assert.equal(m.payload, 'last-known')
      assert.equal(m.packet.retain, true)
      // a live (non-retained) delivery to an existing subscriber has retain=false
      const live = nextMessage(sub, topic)
      await publish(pub, topic, 'live', { qos: 1, retain: true })
      assert.equal((await live).packet.retain, false)
    })

    test(`will message when an MQTT.js client over ${transport} drops`, { timeout: 15000 }, async () => {
      const willTopic = `will/${transport}`
      const watcher = await connect(mqttUrl(gw, 'tcp'))
      await subscribe(watcher, willTopic, 1)
      const doomed = await connect(mqttUrl(gw, transport), {
        clientId: `doomed-${transport}`,
        will: { topic: willTopic, payload: Buffer.from(`offline-${transport}`), qos: 1, retain: false }
      })
      const got = nextMessage(watcher, willTopic)
      doomed.stream.destroy() // network failure, no DISCONNECT
      const m = await got
      assert.equal(m.payload, `offline-${transport}`)

      // a clean DISCONNECT must not publish the will
      const polite = await connect(mqttUrl(gw, transport), { will: { topic: willTopic, payload: Buffer.from('should-not-see'), qos: 0, retain: false } })
      let leaked = false
      const spy = (t, p) => { if (t === willTopic && p.toString() === 'should-not-see') leaked = true }
      watcher.on('message', spy)
      await withTimeout(polite.endAsync(), 3000, 'clean disconnect')
      await delay(300)
      watcher.removeListener('message', spy)
      assert.equal(leaked, false)
    })
  }

  test('MQTT 3.1 (MQIsdp) from MQTT.js works', { timeout: 10000 }, async () => {
    const c = await connect(mqttUrl(gw), { protocolVersion: 3, protocolId: 'MQIsdp', clientId: 'v31-client' })
    await subscribe(c, 'v31/echo', 2)
    const got = nextMessage(c, 'v31/echo')
    await publish(c, 'v31/echo', 'hi 3.1', { qos: 2 })
    assert.equal((await got).payload, 'hi 3.1')
  })

  test('raw MQTT 3.1.1 CONNECT gets CONNACK rc=0 (sanity for the raw encoder)', { timeout: 10000 }, async () => {
    // followed by DISCONNECT so the server closes
    const reply = await rawExchange(gw.tcpPort, Buffer.concat([connectPacket({ clientId: 'raw-ok' }), Buffer.from([0xe0, 0x00])]))
    assert.deepEqual([...reply], [0x20, 0x02, 0x00, 0x00])
  })

  test('a malformed packet closes that connection only; other clients keep working', { timeout: 30000 }, async () => {
    const pair = await healthyPair(gw, 'malformed')
    await pair.check()
    const cases = {
      'remaining length with 5 continuation bytes': Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]),
      'CONNECT with an unknown protocol name': connectPacket({ protocolName: 'MQTX', clientId: 'bad-name' }),
      'reserved packet type 0 after a good CONNECT': Buffer.concat([connectPacket({ clientId: 'bad-type' }), Buffer.from([0x00, 0x00])]),
      'PUBLISH before CONNECT': Buffer.from([0x30, 0x05, 0x00, 0x01, 0x61, 0x68, 0x69]),
      'SUBSCRIBE with reserved flags 0000 after CONNECT': Buffer.concat([connectPacket({ clientId: 'bad-flags' }), Buffer.from([0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00])]),
      'PUBLISH with QoS 3 after CONNECT': Buffer.concat([connectPacket({ clientId: 'bad-qos' }), Buffer.from([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01])]),
      'random bytes': Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    }
    for (const [name, bytes] of Object.entries(cases)) {
      const reply = await rawExchange(gw.tcpPort, bytes).catch((err) => assert.fail(`${name}: ${err.message}`))
      // at most a CONNACK came back before the close
      assert.ok(reply.length === 0 || reply[0] === 0x20, `${name}: unexpected reply ${reply.toString('hex')}`)
      await pair.check()
    }
    const h = gw.health()
    assert.equal(h.status, 'ok')
  })

  test('GET /health reports parser, instance and connections', { timeout: 10000 }, async () => {
    const c = await connect(mqttUrl(gw, 'ws'))
    const res = await getJson(gw.wsPort, '/health')
    assert.equal(res.status, 200)
    assert.match(res.type, /application\/json/)
    const h = JSON.parse(res.body)
    assert.equal(h.status, 'ok')
    assert.equal(h.parser, parserInfo().name)
    assert.ok(['mqttwire', 'mqtt-packet'].includes(h.parser))
    assert.equal(h.instanceId, gw.instanceId)
    assert.equal(typeof h.connections, 'number')
    assert.ok(h.connections >= 1)
    assert.ok(h.ws >= 1)
    assert.equal((await getJson(gw.wsPort, '/nope')).status, 404)
    await withTimeout(c.endAsync(), 3000, 'end')
  })
})

describe('limits', () => {
  test('MAX_CONNECTIONS: refuses beyond the limit over TCP (CONNACK 3) and WS (HTTP 503)', { timeout: 20000 }, async () => {
    const gw = await startGateway({ maxConnections: 2 })
    try {
      const a = await connect(mqttUrl(gw, 'tcp'))
      const b = await connect(mqttUrl(gw, 'ws'))
      await assert.rejects(connect(mqttUrl(gw, 'tcp')), (err) => { assert.equal(err.code, 3); return true })
      await assert.rejects(connect(mqttUrl(gw, 'ws')), /503|Unexpected server response|closed/)
      // an MQTT 5 client is told 0x89 "Server busy"
      await assert.rejects(connect(mqttUrl(gw, 'tcp'), { protocolVersion: 5 }), (err) => { assert.equal(err.code, 0x89); return true })
      assert.equal(gw.health().refused, 3)
      assert.equal(gw.health().connections, 2)
      // the two admitted clients are unaffected
      await subscribe(a, 'lim/x', 1)
      const got = nextMessage(a, 'lim/x')
      await publish(b, 'lim/x', 'ok', { qos: 1 })
      assert.equal((await got).payload, 'ok')
      // a slot frees up when one leaves
      await withTimeout(b.endAsync(), 3000, 'end')
      for (let i = 0; i < 50 && gw.health().connections > 1; i++) await delay(20)
      const c = await connect(mqttUrl(gw, 'tcp'))
      assert.equal(c.connected, true)
    } finally {
      await endAll()
      await gw.close()
    }
  })

  test('MAX_PACKET_SIZE: an oversized packet from a 3.1.1 client drops that connection only', { timeout: 20000 }, async () => {
    const gw = await startGateway({ maxPacketSize: 1024 })
    try {
      const sub = await connect(mqttUrl(gw, 'tcp'))
      await subscribe(sub, 'size/#', 1)
      for (const transport of ['tcp', 'ws']) {
        const pub = await connect(mqttUrl(gw, transport))
        const small = nextMessage(sub, `size/${transport}`)
        await publish(pub, `size/${transport}`, Buffer.alloc(900, 0x61), { qos: 1 })
        assert.equal((await small).payload.length, 900)

        const closed = withTimeout(new Promise((resolve) => pub.once('close', resolve)), 5000, `${transport} publisher dropped`)
        pub.publish(`size/${transport}`, Buffer.alloc(4000, 0x62), { qos: 0 })
        await closed
        let leaked = false
        sub.on('message', (t, p) => { if (p.length === 4000) leaked = true })
        await delay(100)
        assert.equal(leaked, false, 'oversized packet must not be delivered')
      }
      assert.equal(gw.health().oversizeDropped, 2)
      // a packet announcing 200 MB is cut off after its header, no buffering
      const reply = await rawExchange(gw.tcpPort, Buffer.concat([connectPacket({ clientId: 'huge' }), Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f])]))
      assert.ok(reply.length <= 4)
      // subscriber still fine
      const pub2 = await connect(mqttUrl(gw, 'ws'))
      const got = nextMessage(sub, 'size/after')
      await publish(pub2, 'size/after', 'still here', { qos: 1 })
      assert.equal((await got).payload, 'still here')
    } finally {
      await endAll()
      await gw.close()
    }
  })

  test('CONNECT_TIMEOUT_MS: a connection that sends no CONNECT is closed', { timeout: 15000 }, async () => {
    const gw = await startGateway({ connectTimeoutMs: 300 })
    try {
      const sock = net.connect(gw.tcpPort, HOST)
      sock.on('error', () => {})
      await withTimeout(new Promise((resolve) => sock.on('close', resolve)), 8000, 'closed by the connect timeout')
    } finally {
      await gw.close()
    }
  })

  test('KEEPALIVE_LIMIT: 3.1.1 above it gets CONNACK 6, MQTT 5 is told the limit (Server Keep Alive)', { timeout: 15000 }, async () => {
    const gw = await startGateway({ keepaliveLimit: 30 })
    try {
      const reply = await rawExchange(gw.tcpPort, connectPacket({ clientId: 'ka-311', keepalive: 120 }))
      assert.deepEqual([...reply], [0x20, 0x02, 0x00, 0x06])
      const ok = await connect(mqttUrl(gw), { keepalive: 20, clientId: 'ka-311-ok' })
      assert.equal(ok.connected, true)
      const c5 = await connect(mqttUrl(gw), { protocolVersion: 5, keepalive: 120, clientId: 'ka-5' })
      assert.equal(c5.connackPacket?.properties?.serverKeepAlive, 30)
    } finally {
      await endAll()
      await gw.close()
    }
  })

  test('close() disconnects clients and frees the ports', { timeout: 15000 }, async () => {
    const gw = await startGateway()
    const c = mqtt.connect(mqttUrl(gw), { reconnectPeriod: 0, protocolVersion: 4 })
    await withTimeout(new Promise((resolve) => c.once('connect', resolve)), 5000, 'connect')
    const dropped = withTimeout(new Promise((resolve) => c.once('close', resolve)), 5000, 'client closed by server')
    await withTimeout(gw.close(), 10000, 'gateway close')
    await dropped
    assert.equal(gw.health().status, 'closing')
    for (const port of [gw.tcpPort, gw.wsPort]) {
      const err = await withTimeout(new Promise((resolve) => {
        const s = net.connect(port, HOST)
        s.on('connect', () => { s.destroy(); resolve(null) })
        s.on('error', resolve)
      }), 3000, 'connect after close')
      assert.equal(err && err.code, 'ECONNREFUSED', `port ${port} still accepting`)
    }
    c.end(true)
  })
})
