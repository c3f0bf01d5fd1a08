// Two gateway instances sharing one real redis-server (mqemitter-redis +
// aedes-persistence-redis): what is published on B reaches subscribers on A.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import {
  startRedis, startGateway, skipIfMissing, connect, mqttUrl, subscribe, publish, nextMessage,
  collect, endAll, mosquittoSub, mosquittoPub, freePort, withTimeout, delay, HOST, connectPacket, splitPackets
} from './helpers.js'

const skip = skipIfMissing('redis-server')
let redis, gwA, gwB

before(async () => {
  if (skip) return
  redis = await startRedis()
  gwA = await startGateway({ redisUrl: redis.url, instanceId: 'gw-A' })
  gwB = await startGateway({ redisUrl: redis.url, instanceId: 'gw-B' })
})

after(async () => {
  await endAll()
  if (gwA) await gwA.close()
  if (gwB) await gwB.close()
  if (redis) await redis.stop()
})

// Subscriptions propagate to Redis asynchronously; retry the first publish (bounded).
async function publishUntilReceived (pub, sub, topic, payload, qos) {
  for (let i = 0; i < 20; i++) {
    const got = nextMessage(sub, topic, 250).catch(() => null)
    await publish(pub, topic, payload, { qos })
    const m = await got
    if (m) return m
  }
  throw new Error(`nothing received on ${topic} across instances`)
}

test('a client on instance A receives what a client on instance B publishes (QoS 0/1/2)', { skip, timeout: 30000 }, async () => {
  assert.equal(gwA.health().redis, true)
  assert.notEqual(gwA.instanceId, gwB.instanceId)
  const subA = await connect(mqttUrl(gwA, 'tcp'), { clientId: 'sub-on-A' })
  const pubB = await connect(mqttUrl(gwB, 'ws'), { clientId: 'pub-on-B' })
  await subscribe(subA, 'cluster/#', 2)
  const first = await publishUntilReceived(pubB, subA, 'cluster/warmup', 'hello', 1)
  assert.equal(first.payload, 'hello')
  for (const qos of [0, 1, 2]) {
    const topic = `cluster/q${qos}`
    const all = collect(subA, topic, 10)
    for (let i = 0; i < 10; i++) pubB.publish(topic, `b${i}`, { qos })
    const got = await all
    assert.deepEqual(got.map((m) => m.payload).sort(), Array.from({ length: 10 }, (_, i) => `b${i}`).sort())
    assert.ok(got.every((m) => m.qos === qos))
  }
})

test('an MQTT 5 PUBLISH crosses instances with its properties (v5 subscriber on A, v5 publisher on B, 3.1.1 subscriber too)', { skip, timeout: 30000 }, async () => {
  const subA = await connect(mqttUrl(gwA, 'ws'), { protocolVersion: 5, clientId: 'v5-sub-on-A' })
  const sub4A = await connect(mqttUrl(gwA), { protocolVersion: 4, clientId: 'v4-sub-on-A' })
  const pubB = await connect(mqttUrl(gwB), { protocolVersion: 5, clientId: 'v5-pub-on-B' })
  await subscribe(subA, 'cluster5/#', 1)
  await subscribe(sub4A, 'cluster5/#', 1)
  await publishUntilReceived(pubB, subA, 'cluster5/warmup', 'hello', 1)
  const got5 = nextMessage(subA, 'cluster5/door')
  const got4 = nextMessage(sub4A, 'cluster5/door')
  await publish(pubB, 'cluster5/door', 'open', {
    qos: 1,
    properties: { messageExpiryInterval: 300, contentType: 'text/plain', userProperties: { site: 'hq', zone: ['1', '2'] }, correlationData: Buffer.from('c0') }
  })
  const m = await got5
  assert.equal(m.payload, 'open')
  const p = m.packet.properties
  assert.deepEqual({ ...p.userProperties }, { site: 'hq', zone: ['1', '2'] })
  assert.equal(p.contentType, 'text/plain')
  assert.equal(p.correlationData.toString(), 'c0')
  assert.ok(p.messageExpiryInterval > 0 && p.messageExpiryInterval <= 300, `messageExpiryInterval ${p.messageExpiryInterval}`)
  const m4 = await got4
  assert.equal(m4.payload, 'open')
  assert.equal(m4.packet.properties, undefined)
})

test('retained messages are shared through Redis persistence', { skip, timeout: 15000 }, async () => {
  const pubB = await connect(mqttUrl(gwB), { clientId: 'retain-pub-B' })
  await publish(pubB, 'cluster/state/door', 'closed', { qos: 1, retain: true })
  const subA = await connect(mqttUrl(gwA), { clientId: 'retain-sub-A' })
  const got = nextMessage(subA, 'cluster/state/door')
  await subscribe(subA, 'cluster/state/+', 1)
  const m = await got
  assert.equal(m.payload, 'closed')
  assert.equal(m.packet.retain, true)
})

test('mosquitto_pub on B -> mosquitto_sub on A', { skip: skip || skipIfMissing('mosquitto_pub', 'mosquitto_sub'), timeout: 20000 }, async () => {
  const sub = await mosquittoSub(gwA, ['-V', 'mqttv311', '-t', 'cluster/mosq', '-q', '1', '-C', '1', '-W', '10'])
  // first publish may race the Redis SUBSCRIBE: send a few, keep the first
  for (let i = 0; i < 20 && sub.child.exitCode === null; i++) {
    await mosquittoPub(gwB.tcpPort, ['-V', 'mqttv31', '-t', 'cluster/mosq', '-q', '1', '-m', 'via redis'])
    await delay(100)
  }
  const { messages } = await sub.done()
  assert.deepEqual(messages[0], { topic: 'cluster/mosq', qos: 1, retain: false, payload: 'via redis' })
})

test('a QoS 1 persistent session on A gets what B published while it was offline', { skip, timeout: 20000 }, async () => {
  const clientId = 'persistent-A'
  const sub = await connect(mqttUrl(gwA), { clientId, clean: false })
  await subscribe(sub, 'cluster/offline', 1)
  await withTimeout(sub.endAsync(), 3000, 'end')
  const pubB = await connect(mqttUrl(gwB), { clientId: 'offline-pub-B' })
  await delay(200) // let A register the disconnect
  await publish(pubB, 'cluster/offline', 'queued', { qos: 1 })

  // Reconnect with a raw socket that does not care about packet order: Aedes
  // with aedes-persistence-redis can write the queued PUBLISH *before* the
  // CONNACK (seen with stock mqtt-packet too; MQTT.js then times out waiting for
  // CONNACK). The offline queue itself is what this test checks; the order is reported.
  const seen = await withTimeout(new Promise((resolve, reject) => {
    const sock = net.connect(gwA.tcpPort, HOST)
    let buf = Buffer.alloc(0)
    const order = []
    sock.on('error', reject)
    sock.on('connect', () => sock.write(connectPacket({ clientId, clean: false })))
    sock.on('data', (d) => {
      const r = splitPackets(Buffer.concat([buf, d]))
      buf = r.rest
      for (const p of r.packets) {
        if (p.type === 2) order.push(`connack(sp=${p.body[0]},rc=${p.body[1]})`)
        if (p.type === 3) {
          const tlen = p.body.readUInt16BE(0)
          const topic = p.body.subarray(2, 2 + tlen).toString()
          const qos = (p.flags >> 1) & 3
          const id = p.body.subarray(2 + tlen, 4 + tlen)
          const payload = p.body.subarray(qos ? 4 + tlen : 2 + tlen).toString()
          order.push(`publish(${topic},${payload})`)
          if (qos) sock.write(Buffer.concat([Buffer.from([0x40, 0x02]), id])) // PUBACK
        }
      }
      if (order.some((x) => x.startsWith('connack')) && order.some((x) => x.startsWith('publish'))) {
        sock.end(Buffer.from([0xe0, 0x00]))
        resolve(order)
      }
    })
  }), 5000, 'reconnect of the persistent session')
  assert.ok(seen.includes('connack(sp=1,rc=0)'), `no session-present CONNACK: ${seen}`)
  assert.ok(seen.includes('publish(cluster/offline,queued)'), `offline message not delivered: ${seen}`)
  if (!seen[0].startsWith('connack')) console.log(`# note: Aedes sent ${seen.join(' before ')} (upstream ordering issue, see README)`)
})

test('server.js in Redis mode shuts down cleanly on SIGINT (exit 0)', { skip, timeout: 20000 }, async () => {
  const serverJs = fileURLToPath(new URL('../server.js', import.meta.url))
  const child = spawn(process.execPath, [serverJs], {
    env: { ...process.env, HOST, MQTT_PORT: '0', WS_PORT: '0', REDIS_URL: redis.url, INSTANCE_ID: 'gw-cli' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { out += d })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const killer = setTimeout(() => child.kill('SIGKILL'), 15000)
  try {
    await withTimeout((async () => { while (!/c\.on\('connect'/.test(out)) await delay(25) })(), 10000, `server.js start: ${out}`)
    const port = Number(out.match(/"tcp":"mqtt:\/\/[\d.]+:(\d+)"/)[1])
    const c = await connect(`mqtt://${HOST}:${port}`)
    const dropped = new Promise((resolve) => c.once('close', resolve))
    child.kill('SIGINT')
    const r = await withTimeout(exited, 10000, 'server.js exit')
    assert.deepEqual(r, { code: 0, signal: null }, out)
    await withTimeout(dropped, 3000, 'client dropped')
    assert.match(out, /mode":"redis/)
    assert.match(out, /bye/)
  } finally {
    clearTimeout(killer)
    child.kill('SIGKILL')
  }
})

test('startup fails fast when Redis is unreachable', { timeout: 15000 }, async () => {
  const port = await freePort() // nothing listens there any more
  await assert.rejects(startGateway({ redisUrl: `redis://${HOST}:${port}` }), /Redis|ECONNREFUSED|connect/i)
})
