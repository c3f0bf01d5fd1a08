// The swap is real: Aedes' own `import mqtt from 'mqtt-packet'` lands on mqttwire.
// Set MQTTWIRE_GATEWAY_STOCK=1 to skip these while developing against stock mqtt-packet 9.0.2.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parserInfo } from '../lib/parser-info.js'
import { startGateway, connect, mqttUrl, subscribe, publish, nextMessage, endAll } from './helpers.js'

const require = createRequire(import.meta.url)
const stock = process.env.MQTTWIRE_GATEWAY_STOCK === '1'
const skip = stock ? 'MQTTWIRE_GATEWAY_STOCK=1: running against stock mqtt-packet' : false
const repoRoot = fs.realpathSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..'))

test('mqtt-packet as resolved from aedes is the package named mqttwire', { skip }, () => {
  const pj = require.resolve('mqtt-packet/package.json', { paths: [require.resolve('aedes')] })
  assert.equal(JSON.parse(fs.readFileSync(pj, 'utf8')).name, 'mqttwire')
  const info = parserInfo()
  assert.equal(info.name, 'mqttwire')
  assert.equal(info.swapped, true)
  assert.equal(info.path, repoRoot, 'the file: alias points at the repo root')
})

test('every mqtt-packet in the install tree is the repo root (npm ls)', { skip }, async () => {
  // aedes, aedes-packet and mqtt (MQTT.js) all depend on mqtt-packet; the override covers all of them
  const nm = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules')
  const found = []
  const walk = (dir, depth) => {
    if (depth > 6 || !fs.existsSync(dir)) return
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith('.')) continue
      const p = path.join(dir, name)
      if (name.startsWith('@')) { walk(p, depth); continue }
      if (name === 'mqtt-packet') found.push(fs.realpathSync(p))
      const inner = path.join(p, 'node_modules')
      if (fs.existsSync(inner) && !fs.lstatSync(p).isSymbolicLink()) walk(inner, depth + 1)
    }
  }
  walk(nm, 0)
  assert.ok(found.length >= 1)
  assert.deepEqual([...new Set(found)], [repoRoot])
})

test('npm ls mqtt-packet: aedes, aedes-packet and mqtt all get the root package', { skip, timeout: 30000 }, async () => {
  const gatewayDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const r = spawnSync('npm', ['ls', 'mqtt-packet', '--all', '--json', '--long'], { cwd: gatewayDir, encoding: 'utf8', timeout: 25000 })
  const tree = JSON.parse(r.stdout)
  const seen = []
  const walk = (node, trail) => {
    for (const [key, dep] of Object.entries(node.dependencies || {})) {
      const here = [...trail, key]
      // below the file: link itself npm also lists mqttwire's *own* devDependencies
      // (it tests against stock mqtt-packet); nothing in this install resolves those
      if (trail.length === 0 && key === 'mqtt-packet') { seen.push({ via: here.join(' > '), name: dep.name }); continue }
      if (key === 'mqtt-packet') seen.push({ via: here.join(' > '), name: dep.name })
      walk(dep, here)
    }
  }
  walk(tree, [])
  const vias = seen.map((x) => x.via)
  for (const want of ['mqtt-packet', 'aedes > mqtt-packet', 'aedes > aedes-packet > mqtt-packet']) assert.ok(vias.includes(want), `npm ls lacks ${want}: ${vias}`)
  for (const x of seen) assert.equal(x.name, 'mqttwire', `${x.via} resolves to ${x.name}`)
})

test('the module Aedes loaded at run time is mqttwire, and it carries traffic', { skip, timeout: 15000 }, async () => {
  const gw = await startGateway()
  try {
    const loaded = Object.keys(require.cache).filter((f) => f.startsWith(repoRoot + path.sep) && !f.includes(`${path.sep}examples${path.sep}`))
    assert.ok(loaded.length > 0, `no module from ${repoRoot} in require.cache: aedes did not load mqttwire`)
    assert.equal(gw.health().parser, 'mqttwire')
    const c = await connect(mqttUrl(gw))
    await subscribe(c, 'swap/echo', 2)
    const got = nextMessage(c, 'swap/echo')
    await publish(c, 'swap/echo', 'parsed by mqttwire', { qos: 2 })
    assert.equal((await got).payload, 'parsed by mqttwire')
  } finally {
    await endAll()
    await gw.close()
  }
})

test('stock mode really is stock mqtt-packet', { skip: stock ? false : 'only with MQTTWIRE_GATEWAY_STOCK=1' }, () => {
  assert.equal(parserInfo().name, 'mqtt-packet')
})
