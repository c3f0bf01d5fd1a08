#!/usr/bin/env node
// CLI entry: configuration from the environment, graceful shutdown on SIGINT/SIGTERM.
import { createGateway, consoleLogger, AEDES_BETA_NOTE, LIMIT_DEFAULTS, TOPIC_ALIAS_MAXIMUM } from './gateway.js'
import { parserInfo } from './lib/parser-info.js'

function intEnv (name, dflt) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return dflt
  const n = Number(raw)
  if (!Number.isInteger(n) || n < (name.endsWith('_PORT') ? -1 : 0)) {
    console.error(`${name} must be an integer${name.endsWith('_PORT') ? '' : ' >= 0'}, got ${JSON.stringify(raw)}`)
    process.exit(2)
  }
  return n
}

const config = {
  host: process.env.HOST || '127.0.0.1',
  tcpPort: intEnv('MQTT_PORT', 1883),
  wsPort: intEnv('WS_PORT', 8080),
  redisUrl: process.env.REDIS_URL || undefined,
  maxConnections: intEnv('MAX_CONNECTIONS', LIMIT_DEFAULTS.maxConnections),
  maxPacketSize: intEnv('MAX_PACKET_SIZE', LIMIT_DEFAULTS.maxPacketSize),
  connectTimeoutMs: intEnv('CONNECT_TIMEOUT_MS', LIMIT_DEFAULTS.connectTimeoutMs),
  keepaliveLimit: intEnv('KEEPALIVE_LIMIT', LIMIT_DEFAULTS.keepaliveLimit),
  maxSubscriptions: intEnv('MAX_SUBSCRIPTIONS', LIMIT_DEFAULTS.maxSubscriptions),
  topicAliasMaximum: intEnv('TOPIC_ALIAS_MAXIMUM', TOPIC_ALIAS_MAXIMUM),
  instanceId: process.env.INSTANCE_ID || undefined
}
const log = consoleLogger('gateway', process.env.LOG_LEVEL === 'debug')

const p = parserInfo()
log.info(`parser: ${p.name}@${p.version} (as resolved from aedes@${p.aedesVersion}: ${p.path})`)
if (!p.swapped) log.warn('aedes is running on stock mqtt-packet, not mqttwire: check the overrides in package.json and `npm ls mqtt-packet`')
log.warn(AEDES_BETA_NOTE)

let gw
try {
  gw = await createGateway({ ...config, logger: log })
} catch (err) {
  log.error(`startup failed: ${err.message}`)
  process.exit(1)
}

const h = gw.host
log.info(`instance ${gw.instanceId} up`, {
  tcp: `mqtt://${h}:${gw.tcpPort}`,
  ws: gw.wsPort ? `ws://${h}:${gw.wsPort}/mqtt` : 'disabled',
  health: gw.wsPort ? `http://${h}:${gw.wsPort}/health` : 'disabled',
  page: gw.wsPort ? `http://${h}:${gw.wsPort}/` : 'disabled',
  mode: config.redisUrl ? `redis (${config.redisUrl.replace(/\/\/[^@]*@/, '//***@')})` : 'standalone, in memory'
})
const L = gw.limits
log.info('limits: ' + [
  `MAX_PACKET_SIZE=${L.maxPacketSize || 'none'}${L.maxPacketSize ? ' bytes (refused from the fixed header' + (p.swapped ? ' by mqttwire' : ' by Aedes') + '; advertised to MQTT 5 clients in CONNACK)' : ''}`,
  `MAX_CONNECTIONS=${L.maxConnections || 'unlimited'}`,
  `CONNECT_TIMEOUT_MS=${L.connectTimeoutMs || 'Aedes default 30000'}`,
  `KEEPALIVE_LIMIT=${L.keepaliveLimit || 'none'}${L.keepaliveLimit ? ' s (3.1/3.1.1: CONNACK 6 above it or at 0; 5.0: Server Keep Alive)' : ''}`,
  `MAX_SUBSCRIPTIONS=${L.maxSubscriptions || 'none'}${L.maxSubscriptions ? ' filters a client (SUBACK 0x80 past it)' : ''}`
].join(', '))
console.log(`
${gw.wsPort ? `Notifications page (MQTT.js in the browser over WebSocket), and a notification for it:
  http://${h}:${gw.wsPort}/?user=alice
  mosquitto_pub -h ${h} -p ${gw.tcpPort} -V mqttv5 -t user/alice/notifications -q 1 -D publish user-property source mosquitto -m "{\\"text\\":\\"hello\\",\\"ts\\":$(date +%s%3N)}"
` : ''}Try it:
  mosquitto_sub -h ${h} -p ${gw.tcpPort} -V mqttv5 -t 'alerts/#' -q 1 -v -F '%t %p %P'
  mosquitto_pub -h ${h} -p ${gw.tcpPort} -V mqttv5 -t alerts/door -q 1 -m open -D publish message-expiry-interval 60 -D publish user-property site hq
  mosquitto_pub -h ${h} -p ${gw.tcpPort} -V mqttv311 -t alerts/door -q 1 -m closed
  mosquitto_pub -h ${h} -p ${gw.tcpPort} -V mqttv31  -t alerts/status -r -m online   # retained, MQTT 3.1
${gw.wsPort ? `  curl -s http://${h}:${gw.wsPort}/health\n` : ''}MQTT.js:
  const mqtt = require('mqtt')
  const c = mqtt.connect('mqtt://${h}:${gw.tcpPort}', { protocolVersion: 5 })${gw.wsPort ? `   // or 'ws://${h}:${gw.wsPort}/mqtt'` : ''}
  c.on('connect', () => { c.subscribe('alerts/#'); c.publish('alerts/door', 'open', { qos: 1, properties: { messageExpiryInterval: 60 } }) })
`)

let stopping = false
async function shutdown (signal) {
  if (stopping) {
    log.warn(`${signal} again: exiting now`)
    process.exit(1)
  }
  stopping = true
  log.info(`${signal}: shutting down (stop accepting, close clients, close aedes${config.redisUrl ? ' and redis' : ''})`)
  const hard = setTimeout(() => {
    log.error('shutdown took longer than 15 s, exiting')
    process.exit(1)
  }, 15000)
  hard.unref()
  try {
    await gw.close()
    log.info('bye')
    process.exit(0)
  } catch (err) {
    log.error(`shutdown error: ${err.message}`)
    process.exit(1)
  }
}
process.on('SIGINT', () => shutdown('SIGINT'))
process.on('SIGTERM', () => shutdown('SIGTERM'))
