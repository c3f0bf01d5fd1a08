// Helpers for the scale, fault and hostile-client tests: the Rust load generator
// (loadgen/, built here in the dev profile when missing or stale) and gateway
// instances as child processes (so that one can be killed with SIGKILL).
// Everything binds and connects to 127.0.0.1; every wait is bounded.
import { spawn, execFileSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { HOST, withTimeout, delay } from './helpers.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const gatewayDir = path.join(here, '..')
const root = path.join(gatewayDir, '..', '..')

let built = null
// The loadgen binary; `cargo build` is a no-op when it is up to date.
export function loadgenBin () {
  if (!built) {
    execFileSync('cargo', ['build', '--quiet', '-p', 'mqttwire-loadgen'], { cwd: root, stdio: 'inherit', timeout: 900_000 })
    built = path.join(root, 'target', 'debug', 'loadgen')
  }
  return built
}

// Run loadgen to the end; resolves with its JSON line. `onLine` sees each
// progress line on stderr (for tests that act while it runs); `control.interrupt()`
// ends its publishing early (SIGINT), after which it drains and reports.
export function runLoadgen (args, { onLine, ms = 120_000, control = {} } = {}) {
  const bin = loadgenBin()
  return withTimeout(new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    control.interrupt = () => child.kill('SIGINT')
    let out = ''
    let err = ''
    let partial = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => {
      err += d
      partial += d
      const lines = partial.split('\n')
      partial = lines.pop()
      if (onLine) for (const l of lines) onLine(l)
    })
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop()
      try {
        const r = JSON.parse(line)
        r.stderr = err
        resolve(r)
      } catch {
        reject(new Error(`loadgen exited ${code} without a JSON line:\n${err.slice(-4000)}${out}`))
      }
    })
  }), ms, `loadgen ${args.join(' ')}`)
}

// A gateway instance as a child process (node server.js), ports picked by the OS.
export async function spawnGateway (env = {}, label = 'gw') {
  const child = spawn(process.execPath, [path.join(gatewayDir, 'server.js')], {
    cwd: gatewayDir,
    env: { ...process.env, HOST, MQTT_PORT: '0', WS_PORT: '0', INSTANCE_ID: label, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { out += d })
  const re = /"tcp":"mqtt:\/\/[\d.]+:(\d+)","ws":"ws:\/\/[\d.]+:(\d+)/
  await withTimeout((async () => {
    while (!re.test(out)) {
      if (child.exitCode !== null) throw new Error(`${label} exited:\n${out}`)
      await delay(25)
    }
  })(), 20000, `${label} start`).catch((err) => { child.kill('SIGKILL'); throw err })
  const [, tcp, ws] = out.match(re)
  return {
    label,
    pid: child.pid,
    tcpPort: Number(tcp),
    wsPort: Number(ws),
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
    async health () {
      const r = await fetch(`http://${HOST}:${ws}/health`, { signal: AbortSignal.timeout(5000) })
      return r.json()
    },
    kill9 () {
      child.kill('SIGKILL')
      return new Promise((resolve) => child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve))
    },
    async stop () {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await withTimeout(new Promise((resolve) => child.once('exit', resolve)), 20000, `${label} exit`)
        .catch(() => child.kill('SIGKILL'))
    }
  }
}

// Resident set size of a process in KiB (Linux /proc).
export async function rssKib (pid) {
  const fs = await import('node:fs')
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)
  return m ? Number(m[1]) : NaN
}
