// The notification page's HTTP side (no browser): the files served at fixed
// paths, nothing else; /health's message counters; server.js prints the URL.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import fs from 'node:fs'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { HOST, startGateway, connect, mqttUrl, publish, endAll, withTimeout, delay } from './helpers.js'
import { EventEmitter } from 'node:events'
import { pageFiles } from '../lib/page.js'
import { messageRate } from '../lib/message-rate.js'

function get (port, path, method = 'GET') {
  return withTimeout(new Promise((resolve, reject) => {
    http.request({ host: HOST, port, path, method }, (res) => {
      const chunks = []
      res.on('data', (d) => chunks.push(d))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }))
    }).on('error', reject).end()
  }), 5000, `${method} ${path}`)
}

describe('the page over HTTP', () => {
  let gw
  before(async () => { gw = await startGateway() })
  after(async () => {
    await endAll()
    if (gw) await gw.close()
  })

  test('GET / is the page; its scripts and style are served with their types', async () => {
    const root = await get(gw.wsPort, '/?user=alice')
    assert.equal(root.status, 200)
    assert.match(root.headers['content-type'], /^text\/html/)
    const html = root.body.toString()
    for (const [ref, type] of [['vendor/mqtt.min.js', /^text\/javascript/], ['app.js', /^text\/javascript/], ['style.css', /^text\/css/]]) {
      assert.ok(html.includes(`"${ref}"`), `index.html refers to ${ref}`)
      const r = await get(gw.wsPort, `/${ref}`)
      assert.equal(r.status, 200, ref)
      assert.match(r.headers['content-type'], type, ref)
      assert.equal(r.headers['x-content-type-options'], 'nosniff')
      assert.match(r.headers['content-security-policy'], /default-src 'self'/)
      assert.equal(Number(r.headers['content-length']), r.body.length)
    }
  })

  test("the MQTT.js build served is the installed package's browser bundle", async () => {
    const r = await get(gw.wsPort, '/vendor/mqtt.min.js')
    assert.deepEqual(r.body, fs.readFileSync(pageFiles().get('/vendor/mqtt.min.js')))
    assert.match(r.body.subarray(0, 200).toString(), /var mqtt=/)
  })

  test('HEAD answers without a body; other paths and methods are not the page', async () => {
    const head = await get(gw.wsPort, '/app.js', 'HEAD')
    assert.equal(head.status, 200)
    assert.equal(head.body.length, 0)
    assert.ok(Number(head.headers['content-length']) > 0)
    for (const path of ['/gateway.js', '/../gateway.js', '/public/app.js', '/vendor/mqtt.js', '/node_modules/mqtt/package.json', '/%2e%2e/server.js']) {
      assert.equal((await get(gw.wsPort, path)).status, 404, path)
    }
    assert.equal((await get(gw.wsPort, '/', 'POST')).status, 404)
  })

  test('/health counts the PUBLISH packets clients send', { timeout: 20000 }, async () => {
    const before = gw.health().messagesIn
    const c = await connect(mqttUrl(gw, 'ws'))
    for (let i = 0; i < 10; i++) await publish(c, 'rate/test', `m${i}`, { qos: 1 })
    const h = JSON.parse((await get(gw.wsPort, '/health')).body)
    assert.equal(h.messagesIn - before, 10)
    assert.equal(typeof h.messagesPerSec, 'number')
  })
})

test('messagesPerSec is the mean over the last 5 whole seconds; broker-made messages do not count', () => {
  const broker = new EventEmitter()
  let now = 1_000_000_000 // ms, at the start of a second
  const rate = messageRate(broker, () => now)
  const client = { id: 'c' }
  const send = (n, who = client) => { for (let i = 0; i < n; i++) broker.emit('publish', { topic: 't' }, who) }
  send(7)
  send(3, null) // $SYS and the like
  assert.equal(rate.perSecond(), 0, 'the current second is not over yet')
  now += 1000
  assert.equal(rate.perSecond(), 7 / 5)
  send(13)
  now += 1000
  assert.equal(rate.perSecond(), 20 / 5)
  now += 3000 // the 7 are now 5 seconds old: still in the window
  assert.equal(rate.perSecond(), 20 / 5)
  now += 1000
  assert.equal(rate.perSecond(), 13 / 5)
  now += 60_000 // long idle: the ring's old seconds must not come back
  assert.equal(rate.perSecond(), 0)
  send(5)
  now += 1000
  assert.equal(rate.perSecond(), 1)
  assert.equal(rate.total(), 25)
})

test('server.js prints the page URL, and the page is there', { timeout: 25000 }, async () => {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../server.js', import.meta.url))], {
    env: { ...process.env, HOST, MQTT_PORT: '0', WS_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { out += d })
  try {
    await withTimeout((async () => { while (!/MQTT\.js:/.test(out)) await delay(25) })(), 15000, `start: ${out}`)
    const m = out.match(/^ {2}http:\/\/127\.0\.0\.1:(\d+)\/\?user=alice$/m)
    assert.ok(m, `page URL printed:\n${out}`)
    assert.match(out, /mosquitto_pub .* -t user\/alice\/notifications /)
    const r = await get(Number(m[1]), '/?user=alice')
    assert.equal(r.status, 200)
    assert.match(r.body.toString(), /<title>Notifications/)
  } finally {
    child.kill('SIGKILL')
  }
})
