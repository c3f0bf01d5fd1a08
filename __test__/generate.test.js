'use strict'

const test = require('node:test')
const assert = require('node:assert')
const { Writable } = require('node:stream')
const mqttPacket = require('mqtt-packet')

const generate = require('../lib/generate')
const writeToStream = require('../lib/writeToStream')
const { createRng, randomPacket, clonePacket, COMMANDS } = require('./helpers/random-packets')

const SEED = 0x5eed1234
const PACKETS_PER_VERSION = 7000
const SPLIT_PAYLOAD = 512 // lib/encode.js

// A stream stand-in recording every call made by writeToStream
function recorder (writeResult = true) {
  return {
    chunks: [],
    destroyed: null,
    write (chunk) {
      this.chunks.push(chunk)
      return writeResult
    },
    destroy (err) {
      this.destroyed = err
    }
  }
}

// Something shaped like MQTT.js client options: large and circular
function clientLikeOptions (protocolVersion) {
  const opts = { protocolVersion, keepalive: 60, clientId: 'x', reconnectPeriod: 1000 }
  opts.self = opts
  opts.nested = { parent: opts, list: [opts, opts] }
  for (let i = 0; i < 200; i++) opts[`option${i}`] = { i, back: opts }
  return opts
}

function expectedBytes (packet, opts) {
  return mqttPacket.generate(clonePacket(packet), opts)
}

function describePacket (packet, opts) {
  const text = JSON.stringify(packet, (key, value) =>
    value && value.type === 'Buffer' ? `<Buffer ${value.data.length}>` : value)
  return `${text.slice(0, 500)} opts.protocolVersion=${opts && opts.protocolVersion}`
}

function assertSameAsMqttPacket (packet, opts) {
  const expected = expectedBytes(packet, opts)
  const actual = generate(clonePacket(packet), opts)
  assert.ok(Buffer.isBuffer(actual), 'generate returns a Buffer')
  if (!actual.equals(expected)) {
    assert.fail(`generate differs for ${describePacket(packet, opts)}\n` +
      `expected ${expected.toString('hex').slice(0, 400)}\n` +
      `actual   ${actual.toString('hex').slice(0, 400)}`)
  }

  const stream = recorder()
  const copy = clonePacket(packet)
  const result = writeToStream(copy, stream, opts)
  assert.strictEqual(stream.destroyed, null, 'stream not destroyed')
  if (expected.length === 0) {
    // mqtt-packet silently drops this packet
    assert.strictEqual(result, false)
    assert.strictEqual(stream.chunks.length, 0)
  } else {
    assert.strictEqual(result, true)
    // one write per packet; a PUBLISH Buffer payload of >= 512 bytes follows
    // the head as a second write, by reference
    const split = copy.cmd === 'publish' && Buffer.isBuffer(copy.payload) && copy.payload.length >= SPLIT_PAYLOAD
    assert.strictEqual(stream.chunks.length, split ? 2 : 1, `write() calls for ${describePacket(packet, opts)}`)
    if (split) assert.strictEqual(stream.chunks[1], copy.payload, 'the payload is written by reference')
    assert.ok(Buffer.concat(stream.chunks).equals(expected), `writeToStream differs for ${describePacket(packet, opts)}`)
  }
  return expected
}

test('random packets are byte-identical to mqtt-packet', () => {
  const rng = createRng(SEED)
  const seen = new Set()
  for (const version of [3, 4, 5]) {
    for (let i = 0; i < PACKETS_PER_VERSION; i++) {
      const packet = randomPacket(rng, version)
      seen.add(`${packet.cmd}/${version}`)
      let opts
      const r = rng.next()
      if (r < 0.05) opts = clientLikeOptions(version)
      else if (r < 0.1 && version === 5 && packet.properties) {
        // exercise the maximumPacketSize truncation of acknowledgements
        // (without properties mqtt-packet crashes with a TypeError there)
        opts = { protocolVersion: 5, properties: { maximumPacketSize: rng.int(2, 120) } }
      } else opts = { protocolVersion: version }
      assertSameAsMqttPacket(packet, opts)
    }
  }
  for (const cmd of COMMANDS) {
    for (const version of [3, 4, 5]) {
      if (cmd === 'auth' && version !== 5) continue
      assert.ok(seen.has(`${cmd}/${version}`), `covered ${cmd} v${version}`)
    }
  }
})

test('edge cases are byte-identical to mqtt-packet', async (t) => {
  const big = Buffer.alloc(2 * 1024 * 1024 + 10, 0xab) // 4 byte remaining length
  const cases = [
    ['publish without qos', { cmd: 'publish', topic: 'a', payload: 'x' }, 4],
    ['publish without payload', { cmd: 'publish', topic: 'a/b', qos: 1, messageId: 1 }, 4],
    ['publish empty topic', { cmd: 'publish', topic: '', payload: Buffer.alloc(3) }, 5],
    ['publish Buffer topic', { cmd: 'publish', topic: Buffer.from('tøpic'), payload: 'ü' }, 4],
    ['publish multi-byte strings', { cmd: 'publish', topic: '温度/😀', payload: 'héllo wörld 🚀', qos: 2, messageId: 65535 }, 4],
    ['publish long ASCII topic', { cmd: 'publish', topic: 'x/'.repeat(300), payload: Buffer.alloc(10) }, 4],
    ['publish 3 byte length', { cmd: 'publish', topic: 't', payload: Buffer.alloc(20000, 1) }, 4],
    ['publish 4 byte length', { cmd: 'publish', topic: 't', payload: big }, 4],
    ['publish medium payloads', { cmd: 'publish', topic: 't', payload: Buffer.alloc(9000, 2), qos: 1, messageId: 9 }, 5],
    ['publish messageId 0', { cmd: 'publish', topic: 't', qos: 1, messageId: 0 }, 4],
    ['publish qos 0 ignores messageId', { cmd: 'publish', topic: 't', qos: 0, messageId: 42 }, 4],
    ['publish dup retain', { cmd: 'publish', topic: 't', qos: 1, messageId: 3, dup: true, retain: true }, 4],
    // what strict parsing rejects is still written as mqtt-packet writes it
    ['publish dup with qos 0 [MQTT-3.3.1-2]', { cmd: 'publish', topic: 't', qos: 0, dup: true, retain: true }, 4],
    ['publish v5 no properties', { cmd: 'publish', topic: 't' }, 5],
    ['publish v5 properties as array', { cmd: 'publish', topic: 't', properties: [1, 2] }, 5],
    ['publish v5 properties not object', { cmd: 'publish', topic: 't', properties: 'nope' }, 5],
    ['publish v5 undefined property', { cmd: 'publish', topic: 't', properties: { topicAlias: undefined, contentType: 'a' } }, 5],
    ['publish v5 subscription ids', { cmd: 'publish', topic: 't', properties: { subscriptionIdentifier: [1, 128, 16384, 268435455] } }, 5],
    ['publish v5 subscriptionIdentifier 0', { cmd: 'publish', topic: 't', properties: { subscriptionIdentifier: 0 } }, 5],
    ['publish v5 repeated string property', { cmd: 'publish', topic: 't', properties: { contentType: ['a', 'b'] } }, 5],
    ['publish v5 empty userProperties', { cmd: 'publish', topic: 't', properties: { userProperties: {} } }, 5],
    ['publish v5 userProperties with empty array', { cmd: 'publish', topic: 't', properties: { userProperties: { a: [] } } }, 5],
    ['publish v5 empty subscriptionIdentifier array', { cmd: 'publish', topic: 't', properties: { subscriptionIdentifier: [] } }, 5],
    ['publish v5 duplicated empty user property', { cmd: 'publish', topic: 't', properties: { userProperties: { a: ['', 'b'], '': '' } } }, 5],
    ['publish v5 non-string user property values', { cmd: 'publish', topic: 't', properties: { userProperties: { n: 5, b: true, l: [1, 'x'] } } }, 5],
    ['publish v5 correlationData string', { cmd: 'publish', topic: 't', properties: { correlationData: 'corr', responseTopic: 'r/t' } }, 5],
    ['publish v5 int32 max', { cmd: 'publish', topic: 't', properties: { messageExpiryInterval: 0xffffffff } }, 5],
    ['publish v5 maximumQoS fraction', { cmd: 'connack', reasonCode: 0, properties: { maximumQoS: 1.7 } }, 5],
    ['publish with opts undefined', { cmd: 'publish', topic: 't', payload: 'p', qos: 1, messageId: 7 }, undefined],
    ['puback v4', { cmd: 'puback', messageId: 7 }, 4],
    ['puback v5 without reasonCode', { cmd: 'puback', messageId: 7 }, 5],
    ['puback v5 reasonCode 0', { cmd: 'puback', messageId: 7, reasonCode: 0 }, 5],
    ['puback v5 reasonCode 16', { cmd: 'puback', messageId: 7, reasonCode: 16 }, 5],
    ['puback v5 empty properties', { cmd: 'puback', messageId: 7, reasonCode: 0, properties: {} }, 5],
    ['pubrec v5 reasonString', { cmd: 'pubrec', messageId: 7, reasonCode: 128, properties: { reasonString: 'nope' } }, 5],
    ['pubrel v4', { cmd: 'pubrel', messageId: 7 }, 4],
    ['pubcomp v5', { cmd: 'pubcomp', messageId: 7, reasonCode: 146 }, 5],
    ['subscribe v5 options', { cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a/#', qos: 2, nl: true, rap: true, rh: 2 }, { topic: '+', qos: 0, rh: 1 }] }, 5],
    ['subscribe v4 ignores v5 options', { cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a', qos: 1, nl: true, rap: true, rh: 2 }] }, 4],
    ['subscribe dup', { cmd: 'subscribe', messageId: 3, dup: true, subscriptions: [{ topic: 'a', qos: 1 }] }, 4],
    ['subscribe qos 3', { cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a', qos: 3 }] }, 4],
    ['subscribe negative rh', { cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a', qos: 1, rh: -1 }] }, 5],
    ['suback v4', { cmd: 'suback', messageId: 3, granted: [0, 1, 2, 128] }, 4],
    ['suback v5', { cmd: 'suback', messageId: 3, granted: [0, 1, 2, 128, 162], properties: { reasonString: 'r' } }, 5],
    ['unsubscribe dup', { cmd: 'unsubscribe', messageId: 3, dup: true, unsubscriptions: ['a', 'b/#'] }, 4],
    ['unsuback v4 ignores granted', { cmd: 'unsuback', messageId: 3, granted: [17] }, 4],
    ['unsuback v5', { cmd: 'unsuback', messageId: 3, granted: [0, 17] }, 5],
    ['connack v3', { cmd: 'connack', returnCode: 5 }, 3],
    ['connack v4 session present', { cmd: 'connack', returnCode: 0, sessionPresent: true }, 4],
    ['connack v4 session present with return code 5 [MQTT-3.2.2-4]', { cmd: 'connack', returnCode: 5, sessionPresent: true }, 4],
    ['connack v5 session present with reason code 0x87 [MQTT-3.2.2-6]', { cmd: 'connack', reasonCode: 0x87, sessionPresent: true }, 5],
    ['connack v5', { cmd: 'connack', reasonCode: 0, sessionPresent: true, properties: { assignedClientIdentifier: 'id', topicAliasMaximum: 10, maximumPacketSize: 1 } }, 5],
    ['connect defaults', { cmd: 'connect' }, 4],
    ['connect v3', { cmd: 'connect', protocolId: 'MQIsdp', protocolVersion: 3, clientId: 'c', clean: false, keepalive: 10 }, 3],
    ['connect protocolId Buffer', { cmd: 'connect', protocolId: Buffer.from('MQTT'), clientId: Buffer.from('cid') }, 4],
    ['connect bridge v3', { cmd: 'connect', protocolId: 'MQIsdp', protocolVersion: 3, clientId: 'c', bridgeMode: true }, 3],
    ['connect bridge v4', { cmd: 'connect', clientId: 'c', bridgeMode: true }, 4],
    ['connect will without payload', { cmd: 'connect', clientId: 'c', will: { topic: 'w', qos: 1 } }, 4],
    ['connect will empty payload', { cmd: 'connect', clientId: 'c', will: { topic: 'w', payload: '', retain: true } }, 4],
    ['connect will v5', { cmd: 'connect', protocolVersion: 5, clientId: 'c', will: { topic: 'w', payload: Buffer.from('bye'), qos: 2, properties: { willDelayInterval: 10, userProperties: { k: ['a', 'b'] } } } }, 5],
    ['connect will v5 without properties', { cmd: 'connect', protocolVersion: 5, clientId: 'c', will: { topic: 'w', payload: 'x' } }, 5],
    ['connect credentials', { cmd: 'connect', clientId: 'c', username: 'ü', password: Buffer.from([0, 1, 2]) }, 4],
    ['connect empty credentials', { cmd: 'connect', clientId: 'c', username: '', password: '' }, 4],
    ['connect keepalive 65535', { cmd: 'connect', clientId: 'c', keepalive: 65535, clean: false }, 4],
    ['connect v5 empty clientId', { cmd: 'connect', protocolVersion: 5, clientId: '', properties: { sessionExpiryInterval: 0, authenticationMethod: 'm', authenticationData: Buffer.from('d') } }, 5],
    ['pingreq', { cmd: 'pingreq' }, 4],
    ['pingresp', { cmd: 'pingresp' }, 5],
    ['disconnect v4', { cmd: 'disconnect', reasonCode: 4 }, 4],
    ['disconnect v5 without reasonCode', { cmd: 'disconnect' }, 5],
    ['disconnect v5 properties', { cmd: 'disconnect', reasonCode: 0x8e, properties: { sessionExpiryInterval: 5, serverReference: 'other' } }, 5],
    ['auth', { cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'SCRAM', authenticationData: Buffer.from('abc') } }, 5]
  ]
  for (const [name, packet, version] of cases) {
    await t.test(name, () => {
      assertSameAsMqttPacket(packet, version === undefined ? undefined : { protocolVersion: version })
    })
  }
})

test('maximumPacketSize drops reasonString then userProperties like mqtt-packet', async (t) => {
  const props = () => ({ reasonString: 'a fairly long reason string', userProperties: { key: 'value', other: ['x', 'y'] }, subscriptionIdentifier: 5 })
  const packets = [
    { cmd: 'puback', messageId: 1, reasonCode: 0x80 },
    { cmd: 'pubrec', messageId: 1, reasonCode: 0x80 },
    { cmd: 'pubrel', messageId: 1, reasonCode: 0x92 },
    { cmd: 'pubcomp', messageId: 1, reasonCode: 0 },
    { cmd: 'suback', messageId: 1, granted: [0, 1] },
    { cmd: 'unsuback', messageId: 1, granted: [0] },
    { cmd: 'disconnect', reasonCode: 0 },
    { cmd: 'auth', reasonCode: 0x18 }
  ]
  for (const base of packets) {
    await t.test(base.cmd, () => {
      for (let max = 2; max <= 80; max++) {
        const opts = { protocolVersion: 5, properties: { maximumPacketSize: max } }
        assertSameAsMqttPacket(Object.assign({ properties: props() }, base), opts)
        // only userProperties: mqtt-packet gives up when there is no reasonString
        assertSameAsMqttPacket(Object.assign({ properties: { userProperties: { k: 'v' } } }, base), opts)
        assertSameAsMqttPacket(Object.assign({ properties: { reasonString: 'why' } }, base), opts)
      }
    })
  }

  await t.test('does not mutate the packet', () => {
    const packet = { cmd: 'puback', messageId: 1, reasonCode: 0x80, properties: props() }
    generate(packet, { protocolVersion: 5, properties: { maximumPacketSize: 8 } })
    assert.deepStrictEqual(packet.properties, props())
  })
})

test('cacheNumbers does not change the output', () => {
  assert.strictEqual(writeToStream.cacheNumbers, true)
  const rng = createRng(SEED + 1)
  try {
    writeToStream.cacheNumbers = false
    mqttPacket.writeToStream.cacheNumbers = false
    assert.strictEqual(writeToStream.cacheNumbers, false)
    for (let i = 0; i < 500; i++) {
      const version = rng.pick([3, 4, 5])
      assertSameAsMqttPacket(randomPacket(rng, version), { protocolVersion: version })
    }
  } finally {
    writeToStream.cacheNumbers = true
    mqttPacket.writeToStream.cacheNumbers = true
  }
  assert.strictEqual(writeToStream.cacheNumbers, true)
})

// [name, packet, opts]: both libraries must reject the packet with the
// same message
const INVALID = [
  ['unknown cmd', { cmd: 'nope' }],
  ['missing cmd', {}],
  ['publish without topic', { cmd: 'publish', payload: 'x' }],
  ['publish numeric topic', { cmd: 'publish', topic: 42 }],
  ['publish qos 1 without messageId', { cmd: 'publish', topic: 't', qos: 1 }],
  ['publish qos 2 string messageId', { cmd: 'publish', topic: 't', qos: 2, messageId: '5' }],
  ['publish invalid byte property', { cmd: 'publish', topic: 't', properties: { payloadFormatIndicator: 1 } }, 5],
  ['publish invalid int32 property', { cmd: 'publish', topic: 't', properties: { messageExpiryInterval: -1 } }, 5],
  ['publish too big int32 property', { cmd: 'publish', topic: 't', properties: { messageExpiryInterval: 0x100000000 } }, 5],
  ['publish invalid int16 property', { cmd: 'publish', topic: 't', properties: { topicAlias: 70000 } }, 5],
  ['publish string int16 property', { cmd: 'publish', topic: 't', properties: { topicAlias: '1' } }, 5],
  ['publish invalid var property', { cmd: 'publish', topic: 't', properties: { subscriptionIdentifier: 0x10000000 } }, 5],
  ['publish invalid var in array', { cmd: 'publish', topic: 't', properties: { subscriptionIdentifier: [1, -2] } }, 5],
  ['publish invalid string property', { cmd: 'publish', topic: 't', properties: { contentType: 5 } }, 5],
  ['publish invalid user properties', { cmd: 'publish', topic: 't', properties: { userProperties: 'a=b' } }, 5],
  ['publish unknown property', { cmd: 'publish', topic: 't', properties: { notAProperty: 1 } }, 5],
  ['publish unknown property toString', { cmd: 'publish', topic: 't', properties: { toString: 'x' } }, 5],
  ['connack invalid int8 property', { cmd: 'connack', reasonCode: 0, properties: { maximumQoS: 256 } }, 5],
  ['connack without return code', { cmd: 'connack' }, 4],
  ['connack v5 with returnCode only', { cmd: 'connack', returnCode: 0 }, 5],
  ['connect invalid protocolId', { cmd: 'connect', protocolId: 42, clientId: 'c' }],
  ['connect invalid protocol version', { cmd: 'connect', protocolVersion: 6, clientId: 'c' }],
  ['connect v3 without clientId', { cmd: 'connect', protocolId: 'MQIsdp', protocolVersion: 3 }],
  ['connect no clientId without clean', { cmd: 'connect', clean: false }],
  ['connect invalid keepalive', { cmd: 'connect', clientId: 'c', keepalive: 65536 }],
  ['connect fractional keepalive', { cmd: 'connect', clientId: 'c', keepalive: 1.5 }],
  ['connect string keepalive', { cmd: 'connect', clientId: 'c', keepalive: '60' }],
  ['connect invalid will', { cmd: 'connect', clientId: 'c', will: 'w' }],
  ['connect will without topic', { cmd: 'connect', clientId: 'c', will: { payload: 'x' } }],
  ['connect will empty topic', { cmd: 'connect', clientId: 'c', will: { topic: '', payload: 'x' } }],
  ['connect will numeric payload', { cmd: 'connect', clientId: 'c', will: { topic: 't', payload: 5 } }],
  ['connect will invalid properties', { cmd: 'connect', protocolVersion: 5, clientId: 'c', will: { topic: 't', properties: { willDelayInterval: 'x' } } }],
  ['connect invalid properties', { cmd: 'connect', protocolVersion: 5, clientId: 'c', properties: { sessionExpiryInterval: true } }],
  ['connect invalid username', { cmd: 'connect', clientId: 'c', username: 5 }],
  ['connect password without username', { cmd: 'connect', clientId: 'c', password: 'p' }],
  ['connect invalid password', { cmd: 'connect', clientId: 'c', username: 'u', password: 5 }],
  ['puback without messageId', { cmd: 'puback' }],
  ['pubrel string messageId', { cmd: 'pubrel', messageId: '1' }],
  ['puback invalid properties', { cmd: 'puback', messageId: 1, properties: { reasonString: 1 } }, 5],
  ['subscribe without messageId', { cmd: 'subscribe', subscriptions: [{ topic: 'a', qos: 0 }] }],
  ['subscribe without subscriptions', { cmd: 'subscribe', messageId: 1 }],
  ['subscribe empty subscriptions', { cmd: 'subscribe', messageId: 1, subscriptions: [] }],
  ['subscribe invalid topic', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 5, qos: 0 }] }],
  ['subscribe invalid qos', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a' }] }],
  ['subscribe invalid nl', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0, nl: 1 }] }, 5],
  ['subscribe invalid rap', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0, rap: 'y' }] }, 5],
  ['subscribe invalid rh', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0, rh: 3 }] }, 5],
  ['subscribe invalid properties', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }], properties: { subscriptionIdentifier: 'x' } }, 5],
  ['suback without granted', { cmd: 'suback', messageId: 1 }],
  ['suback invalid granted', { cmd: 'suback', messageId: 1, granted: [0, 'x'] }],
  ['suback without messageId', { cmd: 'suback', granted: [0] }],
  ['unsubscribe without messageId', { cmd: 'unsubscribe', unsubscriptions: ['a'] }],
  ['unsubscribe invalid unsubscriptions', { cmd: 'unsubscribe', messageId: 1, unsubscriptions: 'a' }],
  ['unsubscribe non-string unsubscription', { cmd: 'unsubscribe', messageId: 1, unsubscriptions: ['a', 5] }],
  ['unsuback without messageId', { cmd: 'unsuback' }],
  ['unsuback v5 without granted', { cmd: 'unsuback', messageId: 1 }, 5],
  ['disconnect invalid properties', { cmd: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: -5 } }, 5],
  ['auth invalid properties', { cmd: 'auth', reasonCode: 0, properties: { authenticationMethod: 5 } }, 5],
  ['auth before MQTT 5', { cmd: 'auth', reasonCode: 0 }, 4]
]

function thrownMessage (fn) {
  try {
    fn()
  } catch (err) {
    return err.message
  }
  return null
}

test('invalid packets fail with the same message as mqtt-packet', async (t) => {
  for (const [name, packet, version] of INVALID) {
    await t.test(name, () => {
      const opts = { protocolVersion: version || 4 }
      const expected = thrownMessage(() => mqttPacket.generate(clonePacket(packet), opts))
      assert.ok(expected, 'mqtt-packet rejects it')

      assert.throws(() => generate(clonePacket(packet), opts), err => {
        assert.ok(err instanceof Error)
        assert.strictEqual(err.message, expected)
        return true
      })

      const stream = recorder()
      assert.strictEqual(writeToStream(clonePacket(packet), stream, opts), false)
      assert.strictEqual(stream.chunks.length, 0, 'nothing written')
      assert.ok(stream.destroyed instanceof Error, 'stream destroyed')
      assert.strictEqual(stream.destroyed.message, expected)
    })
  }
})

test('PUBLISH with an odd qos value: the same bytes or the same error as mqtt-packet', () => {
  const outcome = (fn) => {
    try {
      return { bytes: fn().toString('hex') }
    } catch (err) {
      return { error: err.message }
    }
  }
  // ('0' is left out: mqtt-packet counts a messageId it then does not write, broken output)
  for (const qos of [0, 1, 2, 3, 4, -1, 1.5, '1', '2', '3', true, false, null, undefined, NaN]) {
    for (const dup of [false, true]) {
      for (const version of [4, 5]) {
        // (a messageId with a falsy qos: mqtt-packet writes a broken length, a deliberate fix here)
        const packet = { cmd: 'publish', topic: 'a/b', payload: Buffer.from('x'), qos, dup, retain: dup }
        if (qos) packet.messageId = 9
        const opts = { protocolVersion: version }
        assert.deepStrictEqual(outcome(() => generate(clonePacket(packet), opts)),
          outcome(() => mqttPacket.generate(clonePacket(packet), opts)), `qos ${JSON.stringify(qos)} dup ${dup} v${version}`)
      }
    }
  }
})

test('inputs where mqtt-packet produces broken output are rejected cleanly', async (t) => {
  const cases = [
    ['messageId out of range', { cmd: 'puback', messageId: 70000 }, 'Invalid messageId'],
    ['fractional messageId', { cmd: 'publish', topic: 't', qos: 1, messageId: 1.5 }, 'Invalid messageId'],
    ['topic longer than 65535 bytes', { cmd: 'publish', topic: 'x'.repeat(65536) }, 'Invalid topic'],
    ['fractional topicAlias', { cmd: 'publish', topic: 't', properties: { topicAlias: 1.5 } }, 'Invalid topicAlias: 1.5', 5]
  ]
  for (const [name, packet, message, version] of cases) {
    await t.test(name, () => {
      const opts = { protocolVersion: version || 4 }
      assert.throws(() => generate(packet, opts), { message })
      const stream = recorder()
      assert.strictEqual(writeToStream(packet, stream, opts), false)
      assert.strictEqual(stream.chunks.length, 0)
      assert.strictEqual(stream.destroyed.message, message)
    })
  }
})

test('deliberate fixes of mqtt-packet bugs produce valid packets', async (t) => {
  await t.test('pubrel with dup keeps the mandatory 0x62 header', () => {
    assert.deepStrictEqual([...generate({ cmd: 'pubrel', messageId: 1, dup: true })], [0x62, 2, 0, 1])
  })

  await t.test('MQTT 5 bridge connect is parsed back by mqtt-packet', () => {
    const packet = {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      bridgeMode: true,
      clean: true,
      keepalive: 30,
      clientId: 'bridge',
      properties: { sessionExpiryInterval: 10 },
      will: { topic: 'w', payload: Buffer.from('x'), qos: 0, retain: false, properties: { willDelayInterval: 3 } }
    }
    const buf = generate(packet)
    assert.strictEqual(buf[8], 0x85)
    const parser = mqttPacket.parser({ protocolVersion: 5 })
    const parsed = []
    parser.on('packet', p => parsed.push(p))
    parser.on('error', err => { throw err })
    parser.parse(buf)
    assert.strictEqual(parsed.length, 1)
    assert.strictEqual(parsed[0].bridgeMode, true)
    assert.strictEqual(parsed[0].protocolVersion, 5)
    assert.deepStrictEqual(parsed[0].properties, { sessionExpiryInterval: 10 })
    assert.deepStrictEqual(parsed[0].will.properties, { willDelayInterval: 3 })
  })
})

test('writeToStream returns the result of stream.write', async (t) => {
  const packets = [
    { cmd: 'publish', topic: 'a', payload: Buffer.alloc(10), qos: 1, messageId: 1 },
    { cmd: 'puback', messageId: 1 },
    { cmd: 'connect', clientId: 'c' },
    { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }] },
    { cmd: 'pingreq' },
    { cmd: 'disconnect' }
  ]
  for (const packet of packets) {
    await t.test(packet.cmd, () => {
      const busy = recorder(false)
      assert.strictEqual(writeToStream(packet, busy), false)
      assert.strictEqual(busy.chunks.length, 1)
      assert.strictEqual(busy.destroyed, null)

      const free = recorder(true)
      assert.strictEqual(writeToStream(packet, free), true)
      assert.strictEqual(free.chunks.length, 1)
    })
  }

  await t.test('real Writable with backpressure', () => {
    const stream = new Writable({ highWaterMark: 16, write (chunk, enc, cb) { setImmediate(cb) } })
    const payload = Buffer.alloc(64)
    assert.strictEqual(writeToStream({ cmd: 'publish', topic: 't', payload }, stream), false)
    stream.destroy()
  })
})

test('writeToStream writes a PUBLISH payload of 512 bytes or more by reference, after the head', () => {
  for (const version of [4, 5]) {
    const opts = { protocolVersion: version }
    for (const size of [SPLIT_PAYLOAD - 1, SPLIT_PAYLOAD, 5000, 70000]) {
      const payload = Buffer.alloc(size, 0xab)
      const packet = { cmd: 'publish', topic: 'x/y', payload, qos: 1, messageId: 7, properties: version === 5 ? { contentType: 'a/b' } : undefined }
      const stream = recorder()
      assert.strictEqual(writeToStream(packet, stream, opts), true)
      const expected = mqttPacket.generate(packet, opts)
      assert.ok(Buffer.concat(stream.chunks).equals(expected), `v${version} ${size} B: bytes differ`)
      if (size < SPLIT_PAYLOAD) {
        assert.strictEqual(stream.chunks.length, 1, `v${version} ${size} B: one write`)
      } else {
        assert.strictEqual(stream.chunks.length, 2, `v${version} ${size} B: head, then payload`)
        assert.strictEqual(stream.chunks[1], payload, 'the payload object itself')
        assert.strictEqual(stream.chunks[0].length, expected.length - size)
      }
    }
    // a string payload is encoded into the one buffer, whatever its size
    const stream = recorder()
    writeToStream({ cmd: 'publish', topic: 't', payload: 'z'.repeat(2000) }, stream, opts)
    assert.strictEqual(stream.chunks.length, 1)
  }
  // the result is the last write()'s (backpressure on the payload write)
  let calls = 0
  const busyAtPayload = { write () { return ++calls === 1 }, destroy (err) { throw err } }
  assert.strictEqual(writeToStream({ cmd: 'publish', topic: 't', payload: Buffer.alloc(4096) }, busyAtPayload), false)
  assert.strictEqual(calls, 2)
})

test('packets written in one tick reach a Writable together', async () => {
  const batches = []
  const stream = new Writable({
    write (chunk, enc, cb) { batches.push([chunk]); cb() },
    writev (chunks, cb) { batches.push(chunks.map(c => c.chunk)); cb() }
  })
  writeToStream({ cmd: 'publish', topic: 'a', payload: 'x' }, stream)
  writeToStream({ cmd: 'puback', messageId: 1 }, stream)
  writeToStream({ cmd: 'pingreq' }, stream)
  assert.strictEqual(batches.length, 0, 'corked until the next tick')
  await new Promise(resolve => setImmediate(resolve))
  assert.strictEqual(batches.length, 1)
  assert.strictEqual(batches[0].length, 3)
  assert.strictEqual(stream.writableCorked, 0)
  // next tick: corked again
  writeToStream({ cmd: 'pingresp' }, stream)
  await new Promise(resolve => setImmediate(resolve))
  assert.strictEqual(batches.length, 2)
  assert.deepStrictEqual([...batches[1][0]], [0xd0, 0])
})

test('opts is only read, never iterated', () => {
  const opts = new Proxy(clientLikeOptions(5), {
    ownKeys () { throw new Error('opts iterated') },
    getOwnPropertyDescriptor () { throw new Error('opts inspected') }
  })
  const packet = { cmd: 'publish', topic: 't', payload: 'x', properties: { contentType: 'c' } }
  assertSameAsMqttPacket(packet, opts)
  assertSameAsMqttPacket({ cmd: 'puback', messageId: 2, reasonCode: 0x10, properties: { reasonString: 'r' } }, opts)
})

test('buffers kept from many generate() calls stay intact: small, slab-carved and large sizes, across slab refills', () => {
  // lib/encode.js: < 512 B carved from a private 64 KiB pool, 512 B-16 KiB
  // from a 128 KiB slab, larger on their own; every one is a real Buffer of
  // its own bytes, not overwritten by the packets generated after it.
  const rng = createRng(SEED ^ 0x51ab)
  const sizes = [0, 1, 100, 200, 300, 400, 450, 499, 500, 510, 511, 512, 513, 1000, 4000, 8000, 16000, 16360, 16370, 16371, 20000]
  const kept = []
  for (let k = 0; k < 1500; k++) {
    const n = k < sizes.length ? sizes[k] : sizes[rng.int(0, sizes.length - 1)] + rng.int(0, 15) // every size mod 8
    const payload = Buffer.alloc(n)
    for (let i = 0; i < n; i++) payload[i] = (k * 31 + i) & 0xff
    const packet = { cmd: 'publish', topic: 'slab/' + k, qos: k % 2, messageId: k % 2 ? k + 1 : undefined, payload }
    kept.push([packet, generate(packet)])
  }
  const ranges = new Map()
  for (const [packet, got] of kept) {
    assert.strictEqual(Object.getPrototypeOf(got), Buffer.prototype, packet.topic)
    assert.deepStrictEqual(got, mqttPacket.generate(packet), packet.topic)
    const list = ranges.get(got.buffer) || []
    list.push([got.byteOffset, got.byteOffset + got.length])
    ranges.set(got.buffer, list)
  }
  // the small pool and the slab were each refilled at least once
  const blocks = (small) => new Set(kept.filter(([, got]) => (got.length < 512) === small && got.length <= 16384).map(([, got]) => got.buffer)).size
  assert.ok(blocks(true) >= 2, `small packets came from ${blocks(true)} pool block(s)`)
  assert.ok(blocks(false) >= 2, `medium packets came from ${blocks(false)} slab block(s)`)
  for (const list of ranges.values()) {
    list.sort((a, b) => a[0] - b[0])
    for (let i = 1; i < list.length; i++) assert.ok(list[i][0] >= list[i - 1][1], 'packets do not share bytes')
  }
})

test('PUBLISH topics of every length up to 50 chars with a non-ASCII char at every place: same bytes as mqtt-packet', () => {
  // lib/encode.js takes a topic of <= 48 chars as ASCII and checks it while
  // copying; a non-ASCII char anywhere sends it down the UTF-8 path again.
  const chars = ['\x7f', '\x80', 'é', '€', '\u{1F600}', '\ud800']
  const payloads = [Buffer.from('p'), Buffer.alloc(600, 7), 'a string payload', Buffer.alloc(20000, 3)]
  let n = 0
  for (let len = 1; len <= 50; len++) {
    for (const ch of chars) {
      for (let at = 0; at < len; at++) {
        const topic = 'a'.repeat(at) + ch + 'b'.repeat(len - at - 1)
        const payload = payloads[(len + at) % payloads.length]
        for (const protocolVersion of [4, 5]) {
          assertSameAsMqttPacket({ cmd: 'publish', topic, payload, qos: 1, messageId: 9 }, { protocolVersion })
          n++
        }
      }
    }
    const ascii = 'c'.repeat(len)
    assertSameAsMqttPacket({ cmd: 'publish', topic: ascii, payload: Buffer.alloc(700, 1) }, { protocolVersion: 4 })
  }
  assert.ok(n > 7000)
  // too large: the error names the packet's real (UTF-8) length, as mqtt-packet's does
  const huge = Buffer.allocUnsafe(268435455 - 3) // 'é' x 2 = 4 bytes: 2 over the limit
  for (const topic of ['éé', 'ab']) {
    const want = (() => { try { mqttPacket.generate({ cmd: 'publish', topic, payload: huge }) } catch (e) { return e.message } })()
    assert.match(want, /^Invalid variable byte integer: 26843545/)
    assert.throws(() => generate({ cmd: 'publish', topic, payload: huge }), { message: want })
  }
})

test('strings of every length up to 50 chars with a non-ASCII char at every place, in every string field: same bytes as mqtt-packet', () => {
  // (the lengths of the UTF-8 forms, as measured for the length prefixes and
  // the remaining length, and the ASCII fast copies of short strings: a
  // PUBLISH takes property strings of <= 48 chars as ASCII and encodes again
  // when one is not; a PUBLISH of > 16 KiB is measured exactly up front)
  const chars = ['\x7f', '\x80', 'ß', '\u{1F600}']
  const payloads = ['p', Buffer.alloc(700, 2), Buffer.alloc(20000, 3)]
  const strings = []
  for (let len = 0; len <= 50; len++) {
    strings.push('s'.repeat(len))
    for (const ch of chars) for (let at = 0; at < len; at += (len > 12 ? 5 : 1)) strings.push('x'.repeat(at) + ch + 'y'.repeat(Math.max(0, len - at - 1)))
  }
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i]
    const t = s.length === 0 ? 't' : s
    const payload = payloads[i % payloads.length]
    assertSameAsMqttPacket({
      cmd: 'publish',
      topic: 'a/b',
      payload,
      properties: { contentType: s, responseTopic: t, correlationData: s, userProperties: { [t]: s, k: [s, t] } }
    }, { protocolVersion: 5 })
    // the only non-ASCII string is the last one written
    assertSameAsMqttPacket({
      cmd: 'publish',
      topic: 'a/b',
      payload,
      properties: { contentType: 'text/plain', userProperties: { a: 'b', c: ['d', s] } }
    }, { protocolVersion: 5 })
    assertSameAsMqttPacket({ cmd: 'puback', messageId: 3, reasonCode: 0x10, properties: { reasonString: s } }, { protocolVersion: 5 })
    assertSameAsMqttPacket({ cmd: 'subscribe', messageId: 4, subscriptions: [{ topic: t, qos: 1 }, { topic: t + '/x', qos: 0 }] }, { protocolVersion: 4 })
    assertSameAsMqttPacket({ cmd: 'unsubscribe', messageId: 5, unsubscriptions: [t, 'u'] }, { protocolVersion: 4 })
    assertSameAsMqttPacket({
      cmd: 'connect',
      protocolVersion: 4,
      clientId: s,
      username: t,
      password: s,
      will: { topic: t, payload: s, qos: 0, retain: false }
    }, { protocolVersion: 4 })
  }
})
