// server.js as a process: startup log (parser, beta note, limits), SIGTERM/SIGINT -> exit 0.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { HOST, connect, withTimeout, delay, endAll } from './helpers.js'

const serverJs = fileURLToPath(new URL('../server.js', import.meta.url))

function startServer (env = {}) {
  const child = spawn(process.execPath, [serverJs], {
    env: { ...process.env, HOST, MQTT_PORT: '0', WS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const state = { out: '' }
  child.stdout.on('data', (d) => { state.out += d })
  child.stderr.on('data', (d) => { state.out += d })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const killer = setTimeout(() => child.kill('SIGKILL'), 20000)
  exited.then(() => clearTimeout(killer))
  return { child, state, exited }
}

// the last line server.js prints once it is up
async function started (state) {
  while (!/c\.on\('connect'/.test(state.out)) await delay(25)
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`server.js logs its parser and exits 0 on ${signal}`, { timeout: 25000 }, async () => {
    const { child, state, exited } = startServer({ INSTANCE_ID: `cli-${signal}` })
    try {
      await withTimeout(started(state), 10000, `start: ${state.out}`)
      assert.match(state.out, /parser: (mqttwire|mqtt-packet)@\d+\.\d+\.\d+ \(as resolved from aedes@2\.0\.0-beta\.1/)
      assert.match(state.out, /Aedes 2\.0\.0-beta\.1, a BETA release/)
      assert.match(state.out, /MQTT 3\.1, 3\.1\.1 and 5\.0/)
      assert.match(state.out, /limits: MAX_PACKET_SIZE=1048576 bytes .*MAX_CONNECTIONS=10000, CONNECT_TIMEOUT_MS=10000, KEEPALIVE_LIMIT=3600 s/)
      assert.match(state.out, /mosquitto_sub -h 127\.0\.0\.1 -p \d+/)
      const port = Number(state.out.match(/"tcp":"mqtt:\/\/[\d.]+:(\d+)"/)[1])
      const c = await connect(`mqtt://${HOST}:${port}`)
      const dropped = new Promise((resolve) => c.once('close', resolve))
      child.kill(signal)
      assert.deepEqual(await withTimeout(exited, 10000, 'exit'), { code: 0, signal: null }, state.out)
      await withTimeout(dropped, 3000, 'client dropped by shutdown')
      assert.match(state.out, new RegExp(`${signal}: shutting down`))
    } finally {
      child.kill('SIGKILL')
      await endAll()
    }
  })
}

test('server.js rejects a bad numeric env value', { timeout: 10000 }, async () => {
  const { state, exited } = startServer({ MAX_CONNECTIONS: 'lots' })
  const r = await withTimeout(exited, 8000, 'exit')
  assert.equal(r.code, 2)
  assert.match(state.out, /MAX_CONNECTIONS must be an integer/)
})

test('server.js takes each limit from the environment and prints it', { timeout: 25000 }, async () => {
  const { child, state, exited } = startServer({ MAX_PACKET_SIZE: '4096', MAX_CONNECTIONS: '7', CONNECT_TIMEOUT_MS: '1500', KEEPALIVE_LIMIT: '0' })
  try {
    await withTimeout(started(state), 10000, `start: ${state.out}`)
    assert.match(state.out, /limits: MAX_PACKET_SIZE=4096 bytes .*MAX_CONNECTIONS=7, CONNECT_TIMEOUT_MS=1500, KEEPALIVE_LIMIT=none/)
    const port = Number(state.out.match(/"health":"http:\/\/[\d.]+:(\d+)\/health"/)[1])
    const h = await withTimeout(fetch(`http://${HOST}:${port}/health`).then((r) => r.json()), 5000, 'health')
    assert.deepEqual([h.maxPacketSize, h.maxConnections, h.connectTimeoutMs, h.keepaliveLimit], [4096, 7, 1500, 0])
    child.kill('SIGTERM')
    assert.deepEqual(await withTimeout(exited, 10000, 'exit'), { code: 0, signal: null }, state.out)
  } finally {
    child.kill('SIGKILL')
  }
})

test('server.js rejects a negative limit', { timeout: 10000 }, async () => {
  const { state, exited } = startServer({ KEEPALIVE_LIMIT: '-1' })
  const r = await withTimeout(exited, 8000, 'exit')
  assert.equal(r.code, 2)
  assert.match(state.out, /KEEPALIVE_LIMIT must be an integer >= 0/)
})
