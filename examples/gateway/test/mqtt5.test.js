// MQTT 5 against the gateway with real clients: MQTT.js (protocolVersion 5)
// over TCP and WebSocket, mosquitto_pub / mosquitto_sub -V mqttv5, and 3.1 /
// 3.1.1 clients on the same instance; a forged 256 MiB Remaining Length.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import mqttPacket from 'mqtt-packet'
import mqtt from 'mqtt'
import WebSocket from 'ws'
import {
  HOST, startGateway, connect, mqttUrl, subscribe, publish, nextMessage, endAll,
  withTimeout, delay, skipIfMissing, requireBins, mosquittoSub, mosquittoPub, connectPacket, runProcess
} from './helpers.js'

const v5 = (opts = {}) => ({ protocolVersion: 5, ...opts })

describe('MQTT 5 with MQTT.js', () => {
  let gw
  before(async () => {
    gw = await startGateway({
      aedes: {
        // reason codes: Aedes answers a refused PUBLISH / SUBSCRIBE of a v5 client with 0x87
        authorizePublish: (client, packet, cb) => cb(packet.topic.startsWith('deny/') ? new Error('denied') : null),
        // (a null subscription is a refusal; an error would close the connection)
        authorizeSubscribe: (client, sub, cb) => cb(null, sub.topic.startsWith('deny/') ? null : sub)
      }
    })
  })
  after(async () => {
    await endAll()
    if (gw) await gw.close()
  })

  test('CONNACK advertises the gateway\'s Maximum Packet Size and Topic Alias Maximum', { timeout: 10000 }, async () => {
    const c = await connect(mqttUrl(gw), v5())
    const props = c.connackPacket?.properties ?? {}
    assert.equal(props.maximumPacketSize, gw.limits.maxPacketSize)
    assert.equal(props.topicAliasMaximum, 64)
  })

  for (const transport of ['tcp', 'ws']) {
    test(`user properties, content type, message expiry, payload format and correlation data over ${transport}`, { timeout: 15000 }, async () => {
      const other = transport === 'tcp' ? 'ws' : 'tcp'
      const sub = await connect(mqttUrl(gw, transport), v5({ clientId: `props-s-${transport}` }))
      const pub = await connect(mqttUrl(gw, other), v5({ clientId: `props-p-${transport}` }))
      const topic = `v5/props/${transport}`
      await subscribe(sub, topic, 1)
      const got = nextMessage(sub, topic)
      await publish(pub, topic, '{"door":"open"}', {
        qos: 1,
        properties: {
          messageExpiryInterval: 120,
          contentType: 'application/json',
          payloadFormatIndicator: true,
          responseTopic: 'v5/reply',
          correlationData: Buffer.from([1, 2, 3]),
          userProperties: { site: 'hq', tag: ['a', 'b'] }
        }
      })
      const m = await got
      assert.equal(m.payload, '{"door":"open"}')
      const p = m.packet.properties
      assert.equal(p.contentType, 'application/json')
      assert.equal(p.payloadFormatIndicator, true)
      assert.equal(p.responseTopic, 'v5/reply')
      assert.deepEqual([...p.correlationData], [1, 2, 3])
      assert.deepEqual({ ...p.userProperties }, { site: 'hq', tag: ['a', 'b'] })
      // forwarded with the time it has left [MQTT-3.3.2-6]
      assert.ok(p.messageExpiryInterval > 0 && p.messageExpiryInterval <= 120, `messageExpiryInterval ${p.messageExpiryInterval}`)
    })

    test(`topic aliases from the client over ${transport}`, { timeout: 15000 }, async () => {
      const sub = await connect(mqttUrl(gw, transport), v5({ clientId: `alias-s-${transport}` }))
      const pub = await connect(mqttUrl(gw, transport), v5({ clientId: `alias-p-${transport}`, autoAssignTopicAlias: true }))
      const topic = `v5/alias/${transport}/a-rather-long-topic-name`
      await subscribe(sub, topic, 1)
      const sent = []
      pub.on('packetsend', (p) => { if (p.cmd === 'publish') sent.push({ topic: p.topic, alias: p.properties?.topicAlias }) })
      const got = []
      sub.on('message', (t, payload) => { if (t === topic) got.push(payload.toString()) })
      for (const payload of ['one', 'two', 'three']) await publish(pub, topic, payload, { qos: 1 })
      for (let i = 0; i < 400 && got.length < 3; i++) await delay(20)
      assert.deepEqual(got, ['one', 'two', 'three'])
      // the first PUBLISH sets alias 1, the next ones use it with an empty topic
      assert.deepEqual(sent, [{ topic, alias: 1 }, { topic: '', alias: 1 }, { topic: '', alias: 1 }])
    })
  }

  test('Topic Alias 0 is answered with DISCONNECT 0x94 (Topic Alias invalid)', { timeout: 10000 }, async () => {
    const c = await connect(mqttUrl(gw), v5({ clientId: 'alias-zero' }))
    const disc = withTimeout(new Promise((resolve) => c.once('disconnect', resolve)), 5000, 'DISCONNECT')
    // written raw: MQTT.js refuses to send alias 0
    c.stream.write(mqttPacket.generate({ cmd: 'publish', topic: 'v5/a0', payload: 'x', properties: { topicAlias: 0 } }, { protocolVersion: 5 }))
    assert.equal((await disc).reasonCode, 0x94)
  })

  test('reason codes in SUBACK (granted QoS, 0x87 not authorized, 0x9E shared) and PUBACK (0x87)', { timeout: 10000 }, async () => {
    const c = await connect(mqttUrl(gw), v5({ clientId: 'reasons' }))
    const suback = new Promise((resolve) => c.on('packetreceive', (p) => { if (p.cmd === 'suback') resolve(p) }))
    c.subscribe({ 'v5/ok': { qos: 1 }, 'deny/x': { qos: 1 }, '$share/g/v5/s': { qos: 0 } }, () => {})
    const sa = await withTimeout(suback, 5000, 'SUBACK')
    assert.deepEqual(sa.granted, [1, 0x87, 0x9E])

    const puback = new Promise((resolve) => c.on('packetreceive', (p) => { if (p.cmd === 'puback') resolve(p) }))
    c.publish('deny/y', 'no', { qos: 1 }, () => {})
    assert.equal((await withTimeout(puback, 5000, 'PUBACK')).reasonCode, 0x87)
    assert.equal(c.connected, true)
  })

  test('session expiry: a persistent session keeps its subscription and queue across a reconnect, and expires', { timeout: 20000 }, async () => {
    const pub = await connect(mqttUrl(gw, 'ws'), v5({ clientId: 'sess-pub' }))
    const opts = v5({ clientId: 'sess-keep', clean: false, properties: { sessionExpiryInterval: 60 } })
    let c = await connect(mqttUrl(gw), opts)
    assert.equal(c.connackPacket?.sessionPresent, false)
    await subscribe(c, 'v5/sess', 1)
    await withTimeout(c.endAsync(), 3000, 'disconnect')
    await publish(pub, 'v5/sess', 'queued while away', { qos: 1 })
    // handlers on before the CONNACK: the queued message follows it at once
    c = mqtt.connect(mqttUrl(gw), { reconnectPeriod: 0, ...opts })
    const got = nextMessage(c, 'v5/sess')
    const connack = await withTimeout(new Promise((resolve) => c.once('connect', resolve)), 5000, 'reconnect')
    assert.equal(connack.sessionPresent, true)
    assert.equal((await got).payload, 'queued while away')
    await withTimeout(c.endAsync(), 3000, 'disconnect')

    // Session Expiry Interval 1 s: gone after it
    const short = v5({ clientId: 'sess-short', clean: false, properties: { sessionExpiryInterval: 1 } })
    c = await connect(mqttUrl(gw), short)
    await subscribe(c, 'v5/sess2', 1)
    await withTimeout(c.endAsync(), 3000, 'disconnect')
    await delay(3500)
    c = await connect(mqttUrl(gw), short)
    assert.equal(c.connackPacket?.sessionPresent, false)
  })

  test('an expired message is not delivered: retained with Message Expiry Interval 1 s', { timeout: 15000 }, async () => {
    const pub = await connect(mqttUrl(gw), v5({ clientId: 'exp-pub' }))
    await publish(pub, 'v5/exp/short', 'gone soon', { qos: 1, retain: true, properties: { messageExpiryInterval: 1 } })
    await publish(pub, 'v5/exp/long', 'still here', { qos: 1, retain: true, properties: { messageExpiryInterval: 600 } })
    await delay(2500)
    const sub = await connect(mqttUrl(gw, 'ws'), v5({ clientId: 'exp-sub' }))
    const got = []
    sub.on('message', (t, p) => got.push(`${t}=${p}`))
    await subscribe(sub, 'v5/exp/#', 1)
    for (let i = 0; i < 400 && got.length < 1; i++) await delay(20)
    await delay(500) // retained messages are sent together: the expired one would be here by now
    assert.deepEqual(got, ['v5/exp/long=still here'])
  })

  test('a delayed will reaches a strict MQTT 5 subscriber, without its Will Delay Interval', { timeout: 15000 }, async () => {
    const watcher = await connect(mqttUrl(gw, 'ws'), v5({ clientId: 'will5-watch' }))
    await subscribe(watcher, 'v5/will', 1)
    let errors = 0
    watcher.on('error', () => { errors++ })
    const doomed = await connect(mqttUrl(gw), v5({
      clientId: 'will5-doomed',
      will: { topic: 'v5/will', payload: Buffer.from('gone'), qos: 1, properties: { willDelayInterval: 1, userProperties: { why: 'lost' } } }
    }))
    const got = nextMessage(watcher, 'v5/will', 10000)
    doomed.stream.destroy() // network failure, no DISCONNECT: the will follows after 1 s
    const m = await got
    assert.equal(m.payload, 'gone')
    assert.equal(m.packet.properties?.willDelayInterval, undefined)
    assert.deepEqual({ ...m.packet.properties?.userProperties }, { why: 'lost' })
    assert.equal(errors, 0)
    assert.equal(watcher.connected, true)
  })

  test('MQTT 3.1, 3.1.1 and 5.0 clients on one instance exchange messages', { timeout: 15000 }, async () => {
    const c3 = await connect(mqttUrl(gw), { protocolVersion: 3, protocolId: 'MQIsdp', clientId: 'mix-3' })
    const c4 = await connect(mqttUrl(gw, 'ws'), { protocolVersion: 4, clientId: 'mix-4' })
    const c5 = await connect(mqttUrl(gw), v5({ clientId: 'mix-5' }))
    for (const c of [c3, c4, c5]) await subscribe(c, 'mix/#', 1)
    const from = { 3: c3, 4: c4, 5: c5 }
    for (const v of [3, 4, 5]) {
      const topic = `mix/from-${v}`
      const all = [c3, c4, c5].map((c) => nextMessage(c, topic))
      await publish(from[v], topic, `hello from ${v}`, { qos: 1, ...(v === 5 ? { properties: { userProperties: { v: '5' } } } : {}) })
      const got = await Promise.all(all)
      assert.deepEqual(got.map((m) => m.payload), Array(3).fill(`hello from ${v}`))
      // properties reach the v5 subscriber only
      const up = got[2].packet.properties?.userProperties
      assert.deepEqual(up && { ...up }, v === 5 ? { v: '5' } : undefined)
      assert.equal(got[1].packet.properties, undefined)
    }
  })
})

describe('MQTT 5 with mosquitto_pub / mosquitto_sub', () => {
  const skip = skipIfMissing('mosquitto_pub', 'mosquitto_sub')
  let gw
  before(async () => { if (!skip) gw = await startGateway() })
  after(async () => {
    await endAll()
    if (gw) await gw.close()
  })

  test('-V mqttv5: user property, content type and message expiry from mosquitto_pub reach mosquitto_sub and MQTT.js', { skip, timeout: 20000 }, async () => {
    requireBins('mosquitto_pub', 'mosquitto_sub')
    const sub = await mosquittoSub(gw, ['-V', 'mqttv5', '-t', 'mosq5/#', '-q', '1', '-C', '1', '-W', '8', '-F', 'MSG5|%t|%q|%C|%E|%P|%p'])
    const js = await connect(mqttUrl(gw, 'ws'), v5({ clientId: 'mosq5-js' }))
    await subscribe(js, 'mosq5/door', 1)
    const jsGot = nextMessage(js, 'mosq5/door', 8000)
    const r = await mosquittoPub(gw.tcpPort, ['-V', 'mqttv5', '-t', 'mosq5/door', '-q', '1', '-m', 'open',
      '-D', 'publish', 'user-property', 'site', 'hq',
      '-D', 'publish', 'content-type', 'text/plain',
      '-D', 'publish', 'message-expiry-interval', '90'])
    assert.equal(r.code, 0, r.stderr)
    await sub.done()
    const line = sub.output().split('\n').find((l) => l.startsWith('MSG5|'))
    assert.ok(line, sub.output())
    const [, topic, qos, contentType, expiry, userProps, payload] = line.split('|')
    assert.deepEqual({ topic, qos, contentType, userProps, payload }, { topic: 'mosq5/door', qos: '1', contentType: 'text/plain', userProps: 'site:hq', payload: 'open' })
    assert.ok(Number(expiry) > 0 && Number(expiry) <= 90, `expiry ${expiry}`)
    const m = await jsGot
    assert.deepEqual({ ...m.packet.properties?.userProperties }, { site: 'hq' })
    assert.equal(m.packet.properties?.contentType, 'text/plain')
  })

  test('-V mqttv5 subscriber receives from MQTT 3.1 and 3.1.1 mosquitto_pub, and a 3.1.1 subscriber from a v5 one', { skip, timeout: 20000 }, async () => {
    const sub5 = await mosquittoSub(gw, ['-V', 'mqttv5', '-t', 'mosqmix/to5', '-q', '1', '-C', '2', '-W', '8'])
    for (const v of ['mqttv31', 'mqttv311']) {
      const r = await mosquittoPub(gw.tcpPort, ['-V', v, '-t', 'mosqmix/to5', '-q', '1', '-m', `from ${v}`])
      assert.equal(r.code, 0, r.stderr)
    }
    const { messages } = await sub5.done()
    assert.deepEqual(messages.map((m) => m.payload), ['from mqttv31', 'from mqttv311'])
    const sub4 = await mosquittoSub(gw, ['-V', 'mqttv311', '-t', 'mosqmix/to4', '-q', '1', '-C', '1', '-W', '8'])
    const r = await mosquittoPub(gw.tcpPort, ['-V', 'mqttv5', '-t', 'mosqmix/to4', '-q', '2', '-m', 'from v5', '-D', 'publish', 'user-property', 'k', 'v'])
    assert.equal(r.code, 0, r.stderr)
    const got = await sub4.done()
    assert.deepEqual(got.messages.map((m) => [m.payload, m.qos]), [['from v5', 1]])
  })

  test('-V mqttv5 SUBACK reason code: a shared subscription is refused with 0x9E', { skip, timeout: 15000 }, async () => {
    const r = await mosquittoPub(gw.tcpPort, ['-V', 'mqttv5', '-t', 'x', '-m', 'ok']) // sanity: v5 CONNECT accepted
    assert.equal(r.code, 0, r.stderr)
    const s = await runProcess('mosquitto_sub', ['-h', HOST, '-p', String(gw.tcpPort), '-V', 'mqttv5', '-d', '-t', '$share/g/mosq', '-W', '3'])
    // -d prints the granted codes of the SUBACK: 158 = 0x9E Shared Subscriptions not supported
    assert.match(s.stdout + s.stderr, /Subscribed \(mid: \d+\): 158\b/)
  })
})

// A raw MQTT 5 client: CONNECT, then whatever the test writes; collects the packets it gets.
function rawV5 (port, clientId) {
  const sock = net.connect(port, HOST)
  const parser = mqttPacket.parser({ protocolVersion: 5 })
  const packets = []
  parser.on('packet', (p) => packets.push(p))
  parser.on('error', () => {})
  sock.on('data', (d) => parser.parse(d))
  sock.on('error', () => {})
  const closed = new Promise((resolve) => sock.on('close', resolve))
  const connacked = withTimeout(new Promise((resolve) => {
    const iv = setInterval(() => { if (packets.some((p) => p.cmd === 'connack')) { clearInterval(iv); resolve() } }, 10)
  }), 5000, 'CONNACK')
  sock.write(connectPacket({ protocolVersion: 5, v5Properties: true, clientId }))
  return { sock, packets, closed, connacked }
}

function rssMiB () { return process.memoryUsage().rss / 1048576 }

describe('a forged 256 MiB Remaining Length', () => {
  let gw
  before(async () => { gw = await startGateway() })
  after(async () => {
    await endAll()
    if (gw) await gw.close()
  })

  // 0x30 then Remaining Length ff ff ff 7f: a QoS 0 PUBLISH of 268,435,455 bytes
  const FORGED = Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f])

  test('is refused after its header: DISCONNECT 0x95 to an MQTT 5 client, RSS does not grow, others keep receiving', { timeout: 30000 }, async () => {
    const sub = await connect(mqttUrl(gw), v5({ clientId: 'forge-sub' }))
    const pub = await connect(mqttUrl(gw, 'ws'), v5({ clientId: 'forge-pub' }))
    await subscribe(sub, 'forge/ping', 1)
    let n = 0
    async function stillDelivering () {
      const payload = `ping-${++n}`
      const got = nextMessage(sub, 'forge/ping')
      await publish(pub, 'forge/ping', payload, { qos: 1 })
      assert.equal((await got).payload, payload)
    }
    await stillDelivering()
    const before = rssMiB()
    const oversizeBefore = gw.health().oversizeDropped
    const ATTACKERS = 8
    for (let i = 0; i < ATTACKERS; i++) {
      const a = rawV5(gw.tcpPort, `forger-${i}`)
      await a.connacked
      // the header, then body bytes in 64 KiB writes for as long as the socket takes them
      a.sock.write(FORGED)
      const chunk = Buffer.alloc(65536, 0x61)
      let sent = 0
      while (!a.sock.destroyed && sent < 8 * 1048576) {
        if (!a.sock.write(chunk)) await Promise.race([new Promise((resolve) => a.sock.once('drain', resolve)), a.closed])
        sent += chunk.length
      }
      await withTimeout(a.closed, 5000, 'the gateway closes the connection')
      const disc = a.packets.find((p) => p.cmd === 'disconnect')
      assert.ok(disc, `attacker ${i}: got ${a.packets.map((p) => p.cmd).join(',')}`)
      assert.equal(disc.reasonCode, 0x95, 'Packet too large')
      await stillDelivering()
    }
    assert.equal(gw.health().oversizeDropped - oversizeBefore, ATTACKERS)
    // 8 x 256 MiB announced: nothing near that is allocated (margin for GC noise on a busy machine)
    const grown = rssMiB() - before
    assert.ok(grown < 64, `RSS grew by ${grown.toFixed(1)} MiB`)
  })

  test('over WebSocket too', { timeout: 15000 }, async () => {
    const ws = new WebSocket(`ws://${HOST}:${gw.wsPort}/mqtt`, 'mqtt')
    const parser = mqttPacket.parser({ protocolVersion: 5 })
    const packets = []
    parser.on('packet', (p) => packets.push(p))
    ws.on('message', (d) => parser.parse(d))
    ws.on('error', () => {})
    const closed = new Promise((resolve) => ws.on('close', resolve))
    await withTimeout(new Promise((resolve) => ws.on('open', resolve)), 5000, 'ws open')
    ws.send(connectPacket({ protocolVersion: 5, v5Properties: true, clientId: 'forge-ws' }))
    for (let i = 0; i < 250 && !packets.some((p) => p.cmd === 'connack'); i++) await delay(20)
    ws.send(Buffer.concat([FORGED, Buffer.alloc(1000, 0x61)]))
    await withTimeout(closed, 5000, 'closed')
    assert.equal(packets.find((p) => p.cmd === 'disconnect')?.reasonCode, 0x95)
  })

  test('a 3.1.1 client is disconnected after the header (no DISCONNECT in 3.1.1)', { timeout: 15000 }, async () => {
    const sock = net.connect(gw.tcpPort, HOST)
    const chunks = []
    sock.on('data', (d) => chunks.push(d))
    sock.on('error', () => {})
    const closed = new Promise((resolve) => sock.on('close', resolve))
    sock.write(connectPacket({ clientId: 'forge-311' }))
    for (let i = 0; i < 250 && Buffer.concat(chunks).length < 4; i++) await delay(20)
    sock.write(FORGED)
    await withTimeout(closed, 5000, 'closed')
    assert.deepEqual([...Buffer.concat(chunks)], [0x20, 0x02, 0x00, 0x00]) // the CONNACK, nothing after
  })
})
