'use strict'
// When no native binary loads, require('mqttwire') throws an error naming the
// platform, what it tried, and mqtt-packet as the way out.
const { test } = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const root = path.join(__dirname, '..')

function packageWithoutBinary () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqttwire-nobin-'))
  for (const f of ['index.js', 'binding.js', 'package.json']) fs.copyFileSync(path.join(root, f), path.join(dir, f))
  fs.cpSync(path.join(root, 'lib'), path.join(dir, 'lib'), { recursive: true })
  return dir
}

function load (dir, env) {
  const script = `
    try { const m = require(${JSON.stringify(dir)}); console.log(JSON.stringify({ ok: true, hasNative: m.hasNative,
      packets: (() => { const out = []; const p = m.parser(); p.on('packet', (x) => out.push(x.cmd)); p.parse(Buffer.from([0xc0, 0])); return out })() }))
    } catch (e) { console.log(JSON.stringify({ ok: false, code: e.code, message: e.message, platform: e.platform })) }`
  const r = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, NODE_PATH: '', ...env },
    encoding: 'utf8'
  })
  assert.strictEqual(r.status, 0, r.stderr)
  return JSON.parse(r.stdout.trim().split('\n').pop())
}

test('no binary: require throws naming the platform and what it tried', (t) => {
  const dir = packageWithoutBinary()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const r = load(dir, {})
  assert.strictEqual(r.ok, false)
  assert.strictEqual(r.code, 'MQTTWIRE_NO_BINDING')
  const platform = `${process.platform}-${process.arch}`
  assert.strictEqual(r.platform, platform)
  assert.match(r.message, new RegExp(`no native binary loads on ${platform}`))
  // what the generated loader tried: the local file and the platform package
  assert.match(r.message, /mqttwire\.[a-z0-9-]+\.node/)
  assert.match(r.message, /mqttwire-[a-z0-9-]+/)
  assert.match(r.message, /mqtt-packet/)
  assert.match(r.message, /npm run build/)
})

