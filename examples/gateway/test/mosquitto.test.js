// Real third-party clients (Eclipse mosquitto_pub / mosquitto_sub, libmosquitto)
// against the gateway: MQTT 3.1 and 3.1.1, QoS 0/1/2, retained, will (MQTT 5: test/mqtt5.test.js).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startGateway, skipIfMissing, requireBins, mosquittoSub, mosquittoPub, connect, mqttUrl, subscribe, nextMessage, endAll } from './helpers.js'

const skip = skipIfMissing('mosquitto_pub', 'mosquitto_sub')
let gw

before(async () => { gw = await startGateway() })
after(async () => {
  await endAll()
  if (gw) await gw.close()
})

for (const version of ['mqttv31', 'mqttv311']) {
  test(`${version}: QoS 0, 1 and 2 delivered from mosquitto_pub to mosquitto_sub`, { skip, timeout: 30000 }, async () => {
    requireBins('mosquitto_pub', 'mosquitto_sub')
    for (const qos of [0, 1, 2]) {
      const topic = `mosq/${version}/q${qos}`
      const sub = await mosquittoSub(gw, ['-V', version, '-i', `sub-${version}-${qos}`, '-t', topic, '-q', String(qos), '-C', '1', '-W', '8'])
      const pub = await mosquittoPub(gw.tcpPort, ['-V', version, '-i', `pub-${version}-${qos}`, '-t', topic, '-q', String(qos), '-m', `hello ${version} q${qos}`])
      assert.equal(pub.code, 0, pub.stderr)
      const { code, messages } = await sub.done()
      assert.equal(code, 0, sub.output())
      assert.deepEqual(messages, [{ topic, qos, retain: false, payload: `hello ${version} q${qos}` }])
    }
  })

  test(`${version}: retained message is delivered to a later subscriber`, { skip, timeout: 20000 }, async () => {
    requireBins('mosquitto_pub', 'mosquitto_sub')
    const topic = `mosq/${version}/retained`
    const pub = await mosquittoPub(gw.tcpPort, ['-V', version, '-t', topic, '-q', '1', '-r', '-m', 'state=on'])
    assert.equal(pub.code, 0, pub.stderr)
    const sub = await mosquittoSub(gw, ['-V', version, '-t', topic, '-q', '1', '-C', '1', '-W', '8'])
    const { messages } = await sub.done()
    assert.deepEqual(messages, [{ topic, qos: 1, retain: true, payload: 'state=on' }])
    // clear it (empty retained payload) so a later run sees nothing
    assert.equal((await mosquittoPub(gw.tcpPort, ['-V', version, '-t', topic, '-r', '-n'])).code, 0)
  })

  test(`${version}: will message published when a mosquitto client dies`, { skip, timeout: 20000 }, async () => {
    requireBins('mosquitto_pub', 'mosquitto_sub')
    const willTopic = `mosq/${version}/will`
    const watcher = await mosquittoSub(gw, ['-V', version, '-t', willTopic, '-q', '1', '-C', '1', '-W', '8'])
    const dying = await mosquittoSub(gw, ['-V', version, '-t', 'mosq/nothing', '-k', '5',
      '--will-topic', willTopic, '--will-payload', `gone-${version}`, '--will-qos', '1'])
    await dying.kill('SIGKILL') // no DISCONNECT: the broker must publish the will
    const { messages } = await watcher.done()
    assert.deepEqual(messages, [{ topic: willTopic, qos: 1, retain: false, payload: `gone-${version}` }])
  })
}

test('mosquitto and MQTT.js interoperate through the gateway (both directions)', { skip, timeout: 20000 }, async () => {
  requireBins('mosquitto_pub', 'mosquitto_sub')
  const js = await connect(mqttUrl(gw, 'tcp'), { clientId: 'js-interop' })
  await subscribe(js, 'interop/to-js', 2)
  const got = nextMessage(js, 'interop/to-js')
  assert.equal((await mosquittoPub(gw.tcpPort, ['-V', 'mqttv31', '-t', 'interop/to-js', '-q', '2', '-m', 'from mosquitto'])).code, 0)
  const msg = await got
  assert.equal(msg.payload, 'from mosquitto')
  assert.equal(msg.packet.qos, 2)

  const sub = await mosquittoSub(gw, ['-V', 'mqttv311', '-t', 'interop/to-mosq', '-q', '1', '-C', '1', '-W', '8'])
  await js.publishAsync('interop/to-mosq', Buffer.from([0, 1, 2, 0x41]), { qos: 1 })
  const { messages } = await sub.done()
  assert.equal(messages.length, 1)
  assert.equal(messages[0].qos, 1)
  assert.equal(Buffer.from(messages[0].payload, 'latin1').subarray(-1).toString(), 'A')
})
