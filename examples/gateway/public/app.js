// The notification page: one MQTT-over-WebSocket connection (MQTT.js's browser
// build, the global `mqtt`), the user's own topic and the broadcast topic, a
// feed of what arrives, the gateway's /health, and a form that publishes.
//
// URL parameters: ?user=<id> (otherwise one is made up and put in the URL),
// ?mqtt=5 or ?mqtt=3.1.1 to force a protocol version (default: MQTT 5, and
// 3.1.1 when the broker refuses 5), ?ws=<url> for another gateway's WebSocket.
/* global mqtt */
'use strict'
;(function () {
  const BROADCAST_TOPIC = 'broadcast/notifications'
  const FEED_MAX = 100
  const HEALTH_EVERY_MS = 2000
  const RETRY_MAX_MS = 10000

  const $ = (id) => document.getElementById(id)
  const params = new URLSearchParams(location.search)

  // --- who -------------------------------------------------------------------
  let user = params.get('user')
  if (!user || !/^[A-Za-z0-9_.-]{1,64}$/.test(user)) {
    user = 'u' + randomHex(4)
    params.set('user', user)
    history.replaceState(null, '', '?' + params.toString())
  }
  const ownTopic = `user/${user}/notifications`
  $('user').textContent = user
  $('topics').textContent = `${ownTopic}, ${BROADCAST_TOPIC}`
  for (const t of [ownTopic, BROADCAST_TOPIC]) {
    const o = document.createElement('option')
    o.value = t
    $('send-topics').append(o)
  }
  $('send-topic').value = ownTopic

  // --- connection ------------------------------------------------------------
  const wsUrl = params.get('ws') || (() => {
    const u = new URL('mqtt', location.href)
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:'
    u.search = ''
    u.hash = ''
    return u.href
  })()
  const forced = { 5: 5, '3.1.1': 4 }[params.get('mqtt')] || 0
  let version = forced || 5
  let fellBack = false
  let client = null
  let retryMs = 1000

  // A broker that does not speak MQTT 5 answers a v5 CONNECT with a 3.1.1
  // CONNACK "unacceptable protocol version" (read by the v5 parser as reason
  // code 1) or with v5 reason code 0x84 "Unsupported Protocol Version".
  function refusesV5 (err) {
    return !!err && (err.code === 1 || err.code === 0x84)
  }

  function start () {
    const v = version
    const c = mqtt.connect(wsUrl, {
      protocolVersion: v,
      clientId: `page-${user}-${randomHex(3)}`,
      clean: true,
      keepalive: 30,
      reconnectPeriod: 0, // reconnects are ours: the version may change in between
      connectTimeout: 10000,
      resubscribe: false
    })
    client = c
    let connected = false
    let lastError = null
    setConn('connecting', `connecting with MQTT ${v === 5 ? '5' : '3.1.1'}…`)

    c.on('connect', (connack) => {
      connected = true
      retryMs = 1000
      const why = fellBack ? ' (the broker refused MQTT 5)' : ''
      $('protocol').textContent = `MQTT ${v === 5 ? '5.0' : '3.1.1'}${why}`
      // MQTT 5: what the broker told this client in CONNACK (Maximum Packet Size, ...)
      const props = Object.entries(connack.properties || {})
      $('connack').textContent = props.length ? props.map(([k, val]) => `${k} ${typeof val === 'object' ? JSON.stringify(val) : val}`).join(', ') : '–'
      $('conn').dataset.protocol = String(v)
      c.subscribe([ownTopic, BROADCAST_TOPIC], { qos: 1 }, (err, granted) => {
        if (c !== client) return
        const refused = (granted || []).filter((g) => g.qos >= 0x80).map((g) => g.topic)
        if (err || refused.length) {
          setConn('error', `subscribe refused: ${err ? err.message : refused.join(', ')}`)
          return
        }
        setConn('connected', `connected, MQTT ${v === 5 ? '5' : '3.1.1'}`)
        $('send-button').disabled = false
        refreshHealth() // this connection among the gateway's
      })
    })
    c.on('message', onMessage)
    c.on('error', (err) => { lastError = err })
    // MQTT 5: the broker says why it closes the connection
    c.on('disconnect', (packet) => {
      lastError = new Error(`the gateway sent DISCONNECT, reason code 0x${(packet.reasonCode || 0).toString(16)}${packet.properties?.reasonString ? ` (${packet.properties.reasonString})` : ''}`)
    })
    c.on('close', () => {
      if (c !== client) return
      $('send-button').disabled = true
      c.end(true)
      if (!connected && v === 5 && !forced && refusesV5(lastError)) {
        version = 4
        fellBack = true
        start()
        return
      }
      const why = lastError ? `: ${lastError.message}` : connected ? ': closed by the gateway' : ''
      if (connected) {
        $('dropped').textContent = `${new Date().toLocaleTimeString()}${why || ': connection lost'}`
        $('dropped').hidden = $('dropped-dt').hidden = false
      }
      setConn('disconnected', `disconnected${why}; retrying in ${retryMs / 1000} s`)
      setTimeout(start, retryMs)
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS)
    })
  }

  function setConn (state, text) {
    const el = $('conn')
    el.dataset.state = state
    el.textContent = text
  }

  // --- feed ------------------------------------------------------------------
  const decoder = new TextDecoder()
  let count = 0

  function onMessage (topic, payload, packet) {
    const receivedAt = Date.now()
    const raw = decoder.decode(payload)
    let body = null
    try { body = JSON.parse(raw) } catch {}
    const ts = body && typeof body.ts === 'number' ? body.ts : null

    const li = el('li', 'note')
    li.dataset.topic = topic
    li.dataset.receivedAt = String(receivedAt)
    li.dataset.kind = topic === BROADCAST_TOPIC ? 'broadcast' : 'own'
    li.dataset.bytes = String(payload.length)

    const meta = el('div', 'meta')
    meta.append(el('span', 'topic', topic))
    if (packet.qos) meta.append(el('span', 'badge', `QoS ${packet.qos}`))
    if (packet.retain) meta.append(el('span', 'badge', 'retained'))
    if (payload.length >= 1024) meta.append(el('span', 'badge', size(payload.length)))
    meta.append(el('time', 'at', new Date(receivedAt).toLocaleTimeString()))
    const latency = el('span', 'latency', ts === null ? 'no timestamp' : `${receivedAt - ts} ms`)
    if (ts !== null) li.dataset.latency = String(receivedAt - ts)
    meta.append(latency)
    li.append(meta)

    if (body && typeof body.text === 'string') li.append(el('p', 'text', body.text))
    li.append(el('pre', 'payload', raw.length > 2000 ? raw.slice(0, 2000) + '…' : raw))

    const userProps = (packet.properties && packet.properties.userProperties) || null
    if (userProps) {
      const ul = el('ul', 'props')
      for (const [k, v] of Object.entries(userProps)) {
        for (const one of Array.isArray(v) ? v : [v]) {
          const p = el('li', 'prop')
          p.dataset.key = k
          p.dataset.value = one
          p.append(el('span', 'k', k), el('span', 'v', one))
          ul.append(p)
        }
      }
      li.append(ul)
    }

    const feed = $('feed')
    feed.prepend(li)
    while (feed.children.length > FEED_MAX) feed.lastElementChild.remove()
    $('empty').hidden = true
    $('count').textContent = String(++count)
  }

  // --- publish form ----------------------------------------------------------
  $('send').addEventListener('submit', (ev) => {
    ev.preventDefault()
    const c = client
    if (!c || !c.connected) return
    const topic = $('send-topic').value.trim()
    const payload = JSON.stringify({ text: $('send-text').value, ts: Date.now(), from: user })
    const opts = { qos: Number($('send-qos').value) }
    const prop = $('send-prop').value.trim()
    if (prop && c.options.protocolVersion === 5) {
      const eq = prop.indexOf('=')
      const k = eq < 0 ? prop : prop.slice(0, eq)
      opts.properties = { userProperties: { [k]: eq < 0 ? '' : prop.slice(eq + 1) } }
    }
    const status = $('send-status')
    status.textContent = `sending ${payload.length} bytes to ${topic}…`
    c.publish(topic, payload, opts, (err) => {
      status.textContent = err ? `not sent: ${err.message}` : `sent to ${topic}${opts.qos ? ' (acknowledged)' : ''}`
      status.dataset.state = err ? 'error' : 'sent'
      if (!err) $('send-text').value = ''
    })
  })

  // --- gateway figures -------------------------------------------------------
  async function refreshHealth () {
    try {
      const res = await fetch(new URL('health', location.href), { cache: 'no-store' })
      const h = await res.json()
      $('health-state').textContent = h.status === 'ok' ? '' : h.status
      $('h-connections').textContent = String(h.connections)
      $('h-rate').textContent = String(h.messagesPerSec)
      $('h-parser').textContent = `${h.parser} ${h.parserVersion}`
      $('h-broker').textContent = `Aedes ${h.aedesVersion}${h.redis ? ', Redis' : ''}`
      $('h-limits').textContent = [
        `packet ${h.maxPacketSize ? bytes(h.maxPacketSize) : 'unlimited'}`,
        `connections ${h.maxConnections || 'unlimited'}`
      ].join(' · ')
    } catch (err) {
      $('health-state').textContent = 'unreachable'
    }
  }

  // --- helpers ---------------------------------------------------------------
  function el (tag, cls, text) {
    const e = document.createElement(tag)
    if (cls) e.className = cls
    if (text !== undefined) e.textContent = text
    return e
  }

  function bytes (n) {
    return n >= 1048576 && n % 1048576 === 0 ? `${n / 1048576} MiB` : n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`
  }

  function size (n) {
    return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`
  }

  function randomHex (n) {
    return Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('')
  }

  start()
  refreshHealth()
  setInterval(refreshHealth, HEALTH_EVERY_MS)
})()
