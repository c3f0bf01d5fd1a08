// MQTT 3.1 / 3.1.1 / 5.0 notification gateway on Aedes 2.0.0-beta.1 (a beta
// release: npm's `latest` Aedes is still 1.2.0). Aedes' mqtt-packet is swapped
// for mqttwire through npm `overrides` (see package.json); nothing here patches
// Aedes.
//
//   const gw = await createGateway({ tcpPort: 0, wsPort: 0 })
//   ... gw.tcpPort, gw.wsPort, gw.health(), gw.limits ...
//   await gw.close()
import net from 'node:net'
import http from 'node:http'
import os from 'node:os'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Aedes } from 'aedes'
import mqttPacket from 'mqtt-packet'
import { WebSocketServer, createWebSocketStream } from 'ws'
import { parserInfo } from './lib/parser-info.js'
import { pageHandler } from './lib/page.js'
import { messageRate } from './lib/message-rate.js'

const REFUSE_WAIT_MS = 2000
const WS_MIN_MAX_PAYLOAD = 1024 * 1024

export const AEDES_BETA_NOTE =
  'broker: Aedes 2.0.0-beta.1, a BETA release (npm latest is Aedes 1.2.0, which has no MQTT 5); MQTT 3.1, 3.1.1 and 5.0 over TCP and WebSocket'

/** The limits and their defaults (each settable from the environment by server.js). */
export const LIMIT_DEFAULTS = Object.freeze({
  maxPacketSize: 1024 * 1024, // bytes, whole packet; advertised in an MQTT 5 CONNACK
  maxConnections: 10000, // TCP + WebSocket together
  connectTimeoutMs: 10000, // from accept to CONNECT
  keepaliveLimit: 3600, // seconds; 0 = none
  maxSubscriptions: 1000 // topic filters one client may hold; 0 = none
})

/** Topic aliases an MQTT 5 client may use towards the gateway (advertised in CONNACK). */
export const TOPIC_ALIAS_MAXIMUM = 64

const silent = { info () {}, warn () {}, error () {}, debug () {} }

export function consoleLogger (name = 'gateway', debug = false) {
  const line = (level, msg, extra) =>
    `${new Date().toISOString()} ${level.padEnd(5)} [${name}] ${msg}${extra ? ' ' + JSON.stringify(extra) : ''}`
  return {
    info: (m, e) => console.log(line('info', m, e)),
    warn: (m, e) => console.warn(line('warn', m, e)),
    error: (m, e) => console.error(line('error', m, e)),
    debug: debug ? (m, e) => console.log(line('debug', m, e)) : () => {}
  }
}

function withTimeout (promise, ms, what) {
  let timer
  return Promise.race([
    promise,
    new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
      timer.unref()
    })
  ]).finally(() => clearTimeout(timer))
}

async function checkRedis (redisUrl, Redis) {
  const probe = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false
  })
  probe.on('error', () => {})
  try {
    await withTimeout(probe.connect(), 5000, `connecting to Redis at ${redisUrl}`)
    await withTimeout(probe.ping(), 3000, 'Redis PING')
  } finally {
    probe.disconnect()
  }
}

async function redisBackends (redisUrl, log) {
  // Loaded only in Redis mode. mqemitter-redis: cross-instance pub/sub.
  // aedes-persistence-redis: subscriptions, retained, wills, offline queues.
  const { default: Redis } = await import('ioredis')
  const { default: mqemitterRedis } = await import('mqemitter-redis')
  const { default: redisPersistence } = await import('aedes-persistence-redis')
  await checkRedis(redisUrl, Redis)
  const mq = mqemitterRedis({ connectionString: redisUrl })
  const conn = new Redis(redisUrl)
  conn.on('error', (err) => log.warn('redis persistence connection error', { err: err.message }))
  // mqemitter-redis re-emits its connections' errors on `state`, which has no
  // listener of its own: without this one a Redis restart kills the process.
  // ioredis reconnects (and resubscribes) by itself.
  mq.state.on('error', (err) => log.warn('redis pub/sub connection error', { err: err.message }))
  const persistence = redisPersistence({ conn })
  coalesceAddSubscriptions(persistence)
  return { mq, persistence }
}

// Aedes (1.2.0, 2.0.0-beta.1) stores a persistent session's SUBSCRIBE once per
// filter, each time with the packet's whole list; aedes-persistence-redis then
// waits for its own "$SYS/sub/add" echo under a key made of the client id and
// the list's first topic, so concurrent calls for one packet share a key, one
// waiter replaces the other and that SUBSCRIBE never gets its SUBACK. One store
// per list (the same array object for every filter of a packet) avoids it.
function coalesceAddSubscriptions (persistence) {
  const add = persistence.addSubscriptions.bind(persistence)
  const pending = new WeakMap()
  persistence.addSubscriptions = (client, subs) => {
    let p = pending.get(subs)
    if (!p) {
      p = add(client, subs)
      pending.set(subs, p)
    }
    return p
  }
}

// Aedes drops a message for a client when its broker counter is not above the
// last one that client got from the same broker (client.js dedupe). A QoS > 0
// PUBLISH is handed to the emitter only after it is stored for every
// persistent subscriber (outgoingEnqueueCombi), which takes longer for a
// broadcast to thousands than for a notification to one: a later notification
// overtook an earlier broadcast, and the broadcast was then silently dropped
// for that user (left in its stored queue until it reconnected). The stores
// still run at once; they now complete in the order they were started.
function keepEnqueueOrder (persistence) {
  const enqueue = persistence.outgoingEnqueueCombi.bind(persistence)
  let last = Promise.resolve()
  persistence.outgoingEnqueueCombi = (subs, packet) => {
    const stored = enqueue(subs, packet)
    const inOrder = last.then(() => stored)
    last = inOrder.catch(() => {})
    return inOrder
  }
}

function limitOf (value, name, dflt) {
  if (value === undefined || value === null) return dflt
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`${name} must be an integer >= 0, got ${JSON.stringify(value)}`)
  return n
}

// mqttwire.defaults.maxPacketSize is process-wide (Aedes creates its parsers
// with no options): the gateways open in one process must agree on it.
const openLimits = new Map() // gateway -> maxPacketSize

/**
 * @param {object} [opts]
 * @param {string} [opts.host='127.0.0.1']
 * @param {number} [opts.tcpPort=1883]   0 picks a free port
 * @param {number} [opts.wsPort=8080]    0 picks a free port; -1 disables WS + HTTP (/health, the page)
 * @param {string} [opts.redisUrl]       e.g. redis://127.0.0.1:6379 -> shared multi-instance mode
 * @param {number} [opts.maxConnections=10000]   TCP + WS together; 0 = unlimited
 * @param {number} [opts.maxPacketSize=1048576]  bytes per packet, fixed header included; 0 = MQTT's own 256 MiB cap
 * @param {number} [opts.connectTimeoutMs=10000] from accept to CONNECT; 0 = Aedes' 30 s
 * @param {number} [opts.keepaliveLimit=3600]    seconds; 0 = none
 * @param {number} [opts.maxSubscriptions=1000]  topic filters one client may hold (SUBACK 0x80 past it); 0 = none
 * @param {number} [opts.topicAliasMaximum=64]   MQTT 5 topic aliases a client may use; 0 = none
 * @param {string} [opts.instanceId]      also Aedes' broker id
 * @param {object} [opts.logger]          { info, warn, error, debug }; default silent
 * @param {(req, res) => boolean} [opts.httpHandler]  called for an HTTP request other than
 *        GET /health on the WebSocket port; returns true when it answered the request
 * @param {object} [opts.aedes]           extra Aedes options (hooks, heartbeatInterval, ...)
 */
export async function createGateway (opts = {}) {
  const host = opts.host || '127.0.0.1'
  const tcpPortWanted = opts.tcpPort ?? 1883
  const wsPortWanted = opts.wsPort ?? 8080
  const limits = {
    maxPacketSize: limitOf(opts.maxPacketSize, 'maxPacketSize', LIMIT_DEFAULTS.maxPacketSize),
    maxConnections: limitOf(opts.maxConnections, 'maxConnections', LIMIT_DEFAULTS.maxConnections),
    connectTimeoutMs: limitOf(opts.connectTimeoutMs, 'connectTimeoutMs', LIMIT_DEFAULTS.connectTimeoutMs),
    keepaliveLimit: limitOf(opts.keepaliveLimit, 'keepaliveLimit', LIMIT_DEFAULTS.keepaliveLimit),
    maxSubscriptions: limitOf(opts.maxSubscriptions, 'maxSubscriptions', LIMIT_DEFAULTS.maxSubscriptions)
  }
  const { maxPacketSize, maxConnections } = limits
  const redisUrl = opts.redisUrl || null
  const log = opts.logger || silent
  const instanceId = opts.instanceId || `gw-${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`
  const parser = parserInfo()

  // mqttwire refuses an oversized packet from its fixed header, before its
  // body is buffered: Aedes creates its parsers with no options, so the limit
  // goes through mqttwire.defaults. (Stock mqtt-packet has no limit; there
  // Aedes 2 refuses from the parser's announced length after each read.)
  if (parser.swapped) {
    for (const [, other] of openLimits) {
      if (other !== maxPacketSize) throw new Error(`maxPacketSize ${maxPacketSize} differs from ${other} of a gateway still open in this process (mqttwire.defaults.maxPacketSize is process-wide)`)
    }
    mqttPacket.defaults.maxPacketSize = maxPacketSize
  }

  const userForward = opts.aedes && opts.aedes.authorizeForward
  const userSubscribe = opts.aedes && opts.aedes.authorizeSubscribe
  // Filters each client holds, counted as they are granted (a SUBSCRIBE's
  // filters are authorized one by one): past maxSubscriptions a new filter is
  // refused with SUBACK 0x80 (5.0: 0x80 too, "unspecified error").
  const subCount = new WeakMap()
  function limitSubscriptions (client, sub, cb) {
    const known = client.subscriptions && client.subscriptions[sub.topic] !== undefined
    if (!known) {
      const n = subCount.get(client) || 0
      if (limits.maxSubscriptions > 0 && n >= limits.maxSubscriptions) {
        stats.subscriptionsRefused++
        return cb(null, null)
      }
      subCount.set(client, n + 1)
    }
    if (userSubscribe) return userSubscribe(client, sub, cb)
    cb(null, sub)
  }
  const backends = redisUrl ? await redisBackends(redisUrl, log) : {}
  const broker = await Aedes.createBroker({
    ...(opts.aedes || {}),
    id: instanceId,
    // advertised in an MQTT 5 CONNACK; Aedes answers an oversized packet of a
    // v5 client with DISCONNECT 0x95
    maximumPacketSize: maxPacketSize,
    connectTimeout: limits.connectTimeoutMs || 30000,
    keepaliveLimit: limits.keepaliveLimit,
    topicAliasMaximum: limitOf(opts.topicAliasMaximum, 'topicAliasMaximum', TOPIC_ALIAS_MAXIMUM),
    authorizeSubscribe: limitSubscriptions,
    authorizeForward (client, packet) {
      const out = userForward ? userForward(client, packet) : packet
      return out && withoutWillOnlyProperties(out)
    },
    ...backends
  })
  const rate = messageRate(broker)

  keepEnqueueOrder(broker.persistence)

  const conns = new Set() // transport streams handed to Aedes
  const rawSockets = new Set() // every TCP socket + upgraded HTTP socket, for shutdown
  const stats = { accepted: 0, refused: 0, oversize: 0, tcp: 0, ws: 0, subscriptionsRefused: 0 }
  let closing = false
  // Event-loop delay since start, or since the last GET /health?reset
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()

  broker.on('unsubscribe', (topics, client) => {
    if (client && subCount.has(client)) subCount.set(client, Math.max(0, subCount.get(client) - topics.length))
  })

  broker.on('clientError', (client, err) => {
    if (err.message === 'packet too large') countOversize(client, err)
    else log.debug('client error', { client: client && client.id, err: err.message })
  })
  broker.on('connectionError', (client, err) => {
    if (err.message === 'packet too large') countOversize(client, err)
    else log.debug('connection error', { err: err.message })
  })
  broker.on('error', (err) => log.error('broker error', { err: err.message }))

  function countOversize (client, err) {
    stats.oversize++
    log.warn('packet too large: connection closed', { client: client && client.id, size: err.size, max: err.maximumPacketSize })
  }

  function overLimit () {
    return closing || (maxConnections > 0 && conns.size >= maxConnections)
  }

  // Tell an MQTT client "server unavailable" the MQTT way: wait for its CONNECT
  // (so the CONNACK is not lost to a reset), answer in its version (3.1 / 3.1.1:
  // return code 3 "Server unavailable"; 5.0: reason code 0x89 "Server busy"), close.
  function refuse (stream) {
    stats.refused++
    const timer = setTimeout(() => stream.destroy(), REFUSE_WAIT_MS)
    stream.on('error', () => {})
    const p = mqttPacket.parser()
    p.on('error', () => stream.destroy())
    p.on('packet', (packet) => {
      if (packet.cmd !== 'connect') return stream.destroy()
      const v = packet.protocolVersion === 5 ? 5 : packet.protocolVersion === 3 ? 3 : 4
      const connack = v === 5 ? { cmd: 'connack', reasonCode: 0x89 } : { cmd: 'connack', returnCode: 3 }
      stream.end(mqttPacket.generate(connack, { protocolVersion: v }))
    })
    stream.on('data', (chunk) => p.parse(chunk))
    stream.once('close', () => clearTimeout(timer))
  }

  function attach (stream, kind, req) {
    conns.add(stream)
    stats.accepted++
    stats[kind]++
    stream.on('close', () => { conns.delete(stream); stats[kind]-- })
    const client = broker.handle(stream, req)
    if (parser.swapped && maxPacketSize > 0) answerTooLarge(client)
  }

  // mqttwire reports an oversized packet as a parser 'error' from its fixed
  // header, which Aedes would answer by destroying the socket. Hand it to
  // Aedes' own refusal instead: DISCONNECT 0x95 "Packet too large" to a
  // connected MQTT 5 client, a close otherwise; Aedes then stops reading.
  function answerTooLarge (client) {
    const p = client._parser
    const others = p.listeners('error')
    p.removeAllListeners('error')
    p.on('error', function (err) {
      if (err.code === 'MQTTWIRE_PACKET_TOO_LARGE' && typeof client.rejectPacketTooLarge === 'function') {
        client.rejectPacketTooLarge(wireSize(p.packet.length))
        return
      }
      for (const l of others) l.call(this, err)
    })
  }

  // --- MQTT over TCP --------------------------------------------------------
  const tcpServer = net.createServer((socket) => {
    rawSockets.add(socket)
    socket.once('close', () => rawSockets.delete(socket))
    socket.setNoDelay(true)
    if (overLimit()) return refuse(socket)
    attach(socket, 'tcp', null)
  })
  tcpServer.on('error', (err) => log.error('tcp server error', { err: err.message }))
  tcpServer.listen(tcpPortWanted, host)
  await once(tcpServer, 'listening')

  // --- MQTT over WebSocket + HTTP (GET /health, opts.httpHandler) -----------
  let httpServer = null
  let wss = null
  if (wsPortWanted !== -1) {
    const servePage = pageHandler() // the notification page at / (lib/page.js)
    wss = new WebSocketServer({
      noServer: true,
      // ws buffers a whole message before handing it over, so cap it; but one WS
      // message may carry several MQTT packets, so not at maxPacketSize itself
      // (mqttwire enforces that per MQTT packet)
      maxPayload: maxPacketSize > 0 ? Math.max(maxPacketSize, WS_MIN_MAX_PAYLOAD) : 256 * 1024 * 1024 + 5
    })
    httpServer = http.createServer((req, res) => {
      const [path, query] = (req.url || '/').split('?')
      if (req.method === 'GET' && (path === '/health' || path === '/healthz')) {
        const body = JSON.stringify(health())
        if (query === 'reset') loopDelay.reset()
        res.writeHead(closing ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        res.end(body)
        return
      }
      if (servePage(req, res)) return
      if (opts.httpHandler && opts.httpHandler(req, res)) return
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('MQTT over WebSocket: connect with a WebSocket client (subprotocol "mqtt"); GET /health for status\n')
    })
    httpServer.on('connection', (socket) => {
      rawSockets.add(socket)
      socket.once('close', () => rawSockets.delete(socket))
    })
    httpServer.on('upgrade', (req, socket, head) => {
      if (overLimit()) {
        stats.refused++
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
        return
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const stream = createWebSocketStream(ws)
        stream.on('error', (err) => {
          if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
            stats.oversize++
            log.warn('packet too large: connection closed', { kind: 'ws', reason: `WebSocket message over ${wss.options.maxPayload} bytes` })
          } else log.debug('ws stream error', { err: err.message })
        })
        attach(stream, 'ws', req)
      })
    })
    httpServer.on('error', (err) => log.error('http server error', { err: err.message }))
    httpServer.listen(wsPortWanted, host)
    await once(httpServer, 'listening')
  }

  function health () {
    return {
      status: closing ? 'closing' : 'ok',
      parser: parser.name,
      parserVersion: parser.version,
      aedesVersion: parser.aedesVersion,
      instanceId,
      connections: conns.size,
      clients: broker.connectedClients,
      messagesIn: rate.total(),
      messagesPerSec: rate.perSecond(),
      tcp: stats.tcp,
      ws: stats.ws,
      refused: stats.refused,
      oversizeDropped: stats.oversize,
      subscriptionsRefused: stats.subscriptionsRefused,
      ...limits,
      redis: !!redisUrl,
      uptimeSec: Math.round(process.uptime()),
      eventLoopDelayMs: {
        p50: loopDelay.count ? loopDelay.percentile(50) / 1e6 : 0,
        p99: loopDelay.count ? loopDelay.percentile(99) / 1e6 : 0,
        max: loopDelay.count ? loopDelay.max / 1e6 : 0
      },
      rssMb: Math.round(process.memoryUsage.rss() / 1048576)
    }
  }

  const tcpPort = tcpServer.address().port
  const wsPort = httpServer ? httpServer.address().port : null

  const gateway = {
    broker,
    host,
    tcpPort,
    wsPort,
    instanceId,
    parser,
    redisUrl,
    limits,
    maxConnections,
    maxPacketSize,
    health,
    close
  }
  openLimits.set(gateway, maxPacketSize)

  let closed = null
  function close () {
    if (closed) return closed
    closing = true
    loopDelay.disable()
    closed = (async () => {
      const serversClosed = [new Promise((resolve) => tcpServer.close(resolve))]
      if (httpServer) serversClosed.push(new Promise((resolve) => httpServer.close(resolve)))
      // 1. disconnect MQTT clients (their wills fire, as for any server-side close)
      const clients = Object.values(broker.clients)
      await withTimeout(Promise.all(clients.map((c) => new Promise((resolve) => c.close(resolve)))), 5000, 'closing clients')
        .catch((err) => log.warn(err.message))
      // 2. Redis persistence goes first, it unsubscribes through the emitter
      if (backends.persistence) {
        await withTimeout(backends.persistence.destroy(), 5000, 'closing redis persistence')
          .catch((err) => log.warn(err.message))
      }
      // 3. Aedes itself (closes the emitter: mqemitter-redis quits its connections)
      await withTimeout(new Promise((resolve) => broker.close(resolve)), 5000, 'closing aedes')
        .catch((err) => log.warn(err.message))
      // 4. anything that never got as far as CONNECT
      for (const s of conns) s.destroy()
      for (const s of rawSockets) s.destroy()
      if (wss) wss.close()
      await withTimeout(Promise.all(serversClosed), 5000, 'closing listeners').catch((err) => log.warn(err.message))
      openLimits.delete(gateway)
    })()
    return closed
  }

  return gateway
}

/** Bytes of a whole packet from its Remaining Length (fixed header included). */
function wireSize (remaining) {
  if (remaining < 0) return 0
  return 1 + (remaining < 128 ? 1 : remaining < 16384 ? 2 : remaining < 2097152 ? 3 : 4) + remaining
}

// Aedes 2.0.0-beta.1 publishes a will with the will's own properties, Will
// Delay Interval included, which MQTT 5 does not allow in a PUBLISH (table
// 2-4): a strict client (mqttwire's default) refuses such a PUBLISH. Forward
// a copy without it.
function withoutWillOnlyProperties (packet) {
  const props = packet.properties
  if (!props || props.willDelayInterval === undefined) return packet
  const { willDelayInterval, ...rest } = props
  const copy = Object.assign(Object.create(Object.getPrototypeOf(packet)), packet)
  if (Object.keys(rest).length === 0) delete copy.properties
  else copy.properties = rest
  return copy
}
