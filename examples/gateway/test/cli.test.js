// server.js as a process: startup log (parser, v5 note), SIGTERM/SIGINT -> exit 0.
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

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`server.js logs its parser and exits 0 on ${signal}`, { timeout: 25000 }, async () => {
    const { child, state, exited } = startServer({ INSTANCE_ID: `cli-${signal}` })
    try {
      await withTimeout((async () => { while (!/protocolVersion 5 is refused/.test(state.out)) await delay(25) })(), 10000, `start: ${state.out}`)
      assert.match(state.out, /parser: (mqttwire|mqtt-packet)@\d+\.\d+\.\d+ \(as resolved from aedes@1\./)
      assert.match(state.out, /MQTT 3\.1 and 3\.1\.1 only/)
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
