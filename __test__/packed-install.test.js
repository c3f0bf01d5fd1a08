'use strict'
// The npm packages as a user receives them. The main package and this
// machine's platform package are packed with `npm pack` (the built binary is
// moved into npm/<platform> by `napi artifacts`, as the release workflow does),
// installed from their tarballs into a fresh project in the temp folder with
// no path back to the repository, offline (a fresh npm cache, `--offline`, and
// a registry address nothing listens on), and used there: CommonJS, ESM,
// TypeScript, a parse/generate round trip, the `overrides` swap of
// mqtt-packet inside a dependency, and the load error without the platform
// package.
const { describe, it, before, after } = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync, spawnSync } = require('node:child_process')

const root = path.join(__dirname, '..')
const pkg = require('../package.json')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
// Node refuses to spawn a .cmd file without a shell (Windows)
const SHELL = process.platform === 'win32'
const NPM_TIMEOUT = 240000

/** The libc of this Node process, as npm's `libc` field names it (Linux only). */
function hostLibc () {
  if (process.platform !== 'linux') return null
  const header = process.report.getReport().header
  return header.glibcVersionRuntime ? 'glibc' : 'musl'
}

/** napi-rs's folder name under npm/ for a Rust target triple, e.g. linux-x64-gnu. */
function platformDir (triple) {
  const [arch, , sys, abi] = triple.split('-')
  const cpu = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm' }[arch]
  const platform = triple.includes('apple-darwin') ? 'darwin' : triple.includes('windows') ? 'win32' : sys
  return [platform, cpu, platform === 'darwin' ? null : abi].filter(Boolean).join('-')
}

/** This machine's entry of napi.targets and its npm/ folder, or null. */
function hostTarget () {
  const libc = hostLibc()
  for (const triple of pkg.napi.targets) {
    const dir = platformDir(triple)
    const file = path.join(root, 'npm', dir, 'package.json')
    if (!fs.existsSync(file)) continue
    const p = JSON.parse(fs.readFileSync(file, 'utf8'))
    if (!p.os.includes(process.platform) || !p.cpu.includes(process.arch)) continue
    if (p.libc && !p.libc.includes(libc)) continue
    return { triple, dir, name: p.name, binary: `${pkg.napi.binaryName}.${dir}.node` }
  }
  return null
}

/** The environment of a user's shell: no npm_* variables of the `npm test` that runs us. */
function userEnv (cache) {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'NODE_PATH' && !k.startsWith('MQTTWIRE_')) env[k] = v
  return {
    ...env,
    npm_config_cache: cache,
    npm_config_offline: 'true',
    npm_config_registry: 'http://127.0.0.1:9/', // discard port: a fetch fails at once
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false'
  }
}

/** `npm pack` of a folder into `dest`; returns the tarball's file name and size. */
function pack (dir, dest, env) {
  const out = execFileSync(npm, ['pack', dir, '--json', '--pack-destination', dest], { cwd: dest, env, encoding: 'utf8', timeout: NPM_TIMEOUT, shell: SHELL })
  const [info] = JSON.parse(out.slice(out.indexOf('[')))
  return { file: info.filename, size: info.size, entries: info.files.map((f) => f.path) }
}

function writeJson (file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n')
}

function npmInstall (app, env) {
  const r = spawnSync(npm, ['install', '--no-package-lock'], { cwd: app, env, encoding: 'utf8', timeout: NPM_TIMEOUT, shell: SHELL })
  assert.strictEqual(r.status, 0, `npm install in ${app}:\n${r.stdout}\n${r.stderr}`)
  return r
}

/** Runs `node file` in `cwd`; returns the JSON its last line prints. */
function runNode (cwd, args, env) {
  const r = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 60000 })
  assert.strictEqual(r.status, 0, `node ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`)
  return JSON.parse(r.stdout.trim().split('\n').pop())
}

const target = hostTarget()
const builtBinary = target && path.join(root, target.binary)
let skip = false
if (!target) skip = `no napi target in package.json matches ${process.platform}-${process.arch}`
else if (!fs.existsSync(builtBinary)) skip = `${target.binary} is not built (npm run build)`
if (skip && process.env.CI === 'true') throw new Error(`packed-install test cannot run under CI=true: ${skip}`)

describe('the packed npm packages, installed in a project outside the repository', { skip }, () => {
  let tmp, packs, app, bare, env, mainTgz, platformTgz

  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mqttwire-packed-')))
    packs = path.join(tmp, 'packs')
    fs.mkdirSync(packs)
    env = userEnv(path.join(tmp, 'npm-cache'))

    // The release workflow's step: `napi artifacts` moves each built binary
    // into its npm/<platform> package. Here with this machine's target only,
    // in a copy of package.json and npm/<platform>, so the repository is not
    // touched.
    const stage = path.join(tmp, 'stage')
    writeJson(path.join(stage, 'package.json'), { ...pkg, napi: { ...pkg.napi, targets: [target.triple] } })
    fs.cpSync(path.join(root, 'npm', target.dir), path.join(stage, 'npm', target.dir), { recursive: true })
    const artifacts = path.join(tmp, 'artifacts')
    fs.mkdirSync(artifacts)
    fs.copyFileSync(builtBinary, path.join(artifacts, target.binary))
    const cli = require.resolve('@napi-rs/cli/package.json')
    execFileSync(process.execPath, [path.join(path.dirname(cli), 'dist', 'cli.js'), 'artifacts', '--cwd', stage,
      '--output-dir', artifacts, '--npm-dir', 'npm'], { env, stdio: 'pipe', timeout: NPM_TIMEOUT })

    mainTgz = pack(root, packs, env)
    platformTgz = pack(path.join(stage, 'npm', target.dir), packs, env)

    // A dependency that requires mqtt-packet, as Aedes and MQTT.js do.
    const dep = path.join(tmp, 'uses-mqtt-packet')
    writeJson(path.join(dep, 'package.json'), { name: 'uses-mqtt-packet', version: '1.0.0', main: 'index.js', dependencies: { 'mqtt-packet': '^9.0.2' } })
    fs.writeFileSync(path.join(dep, 'index.js'), `'use strict'
const mqttPacket = require('mqtt-packet')
module.exports = { name: require('mqtt-packet/package.json').name, implementation: mqttPacket.implementation, resolved: require.resolve('mqtt-packet') }
`)
    const depTgz = pack(dep, packs, env)

    // Node's types, which index.d.ts references, as tarballs too.
    const typesNode = path.dirname(require.resolve('@types/node/package.json'))
    const undiciTypes = path.dirname(require.resolve('undici-types/package.json', { paths: [typesNode] }))
    const typesTgz = [pack(typesNode, packs, env), pack(undiciTypes, packs, env)]

    // The project: every dependency a tarball copied into it.
    app = path.join(tmp, 'app')
    fs.mkdirSync(app)
    const local = (t) => { fs.copyFileSync(path.join(packs, t.file), path.join(app, t.file)); return `file:${t.file}` }
    writeJson(path.join(app, 'package.json'), {
      name: 'app',
      version: '1.0.0',
      private: true,
      dependencies: {
        mqttwire: local(mainTgz),
        [target.name]: local(platformTgz),
        // The README's swap: `"mqtt-packet": "npm:mqttwire@^0.1.0"` from the
        // registry; here the same package from its tarball.
        'mqtt-packet': `file:${mainTgz.file}`,
        'uses-mqtt-packet': local(depTgz),
        '@types/node': local(typesTgz[0]),
        'undici-types': local(typesTgz[1])
      },
      overrides: { 'mqtt-packet': '$mqtt-packet' }
    })
    npmInstall(app, env)

    // The same main package alone: the platform package is not there (the
    // optional dependencies cannot be fetched offline, as on a platform
    // without a published binary).
    bare = path.join(tmp, 'bare')
    fs.mkdirSync(bare)
    writeJson(path.join(bare, 'package.json'), { name: 'bare', version: '1.0.0', private: true, dependencies: { mqttwire: local(mainTgz) } })
    fs.copyFileSync(path.join(packs, mainTgz.file), path.join(bare, mainTgz.file))
    npmInstall(bare, env)
  })

  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }) })

  it('packs the binary into the platform package and leaves it out of the main one', (t) => {
    t.diagnostic(`${mainTgz.file}: ${mainTgz.size} bytes, ${mainTgz.entries.length} files`)
    t.diagnostic(`${platformTgz.file}: ${platformTgz.size} bytes, ${platformTgz.entries.length} files`)
    assert.ok(platformTgz.entries.includes(target.binary), platformTgz.entries.join(', '))
    assert.ok(!mainTgz.entries.some((f) => f.endsWith('.node')), mainTgz.entries.join(', '))
    for (const f of ['package.json', 'index.js', 'index.d.ts', 'binding.js', 'LICENSE', 'README.md']) {
      assert.ok(mainTgz.entries.includes(f), `${f} missing from ${mainTgz.file}`)
    }
    const main = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'mqttwire', 'package.json'), 'utf8'))
    assert.strictEqual(main.optionalDependencies[target.name], pkg.version)
  })

  it('installs real copies: no link or path back to the repository', () => {
    for (const name of ['mqttwire', target.name, 'mqtt-packet', 'uses-mqtt-packet']) {
      const dir = path.join(app, 'node_modules', name)
      assert.strictEqual(fs.lstatSync(dir).isSymbolicLink(), false, `${name} is a link`)
      assert.ok(fs.realpathSync(dir).startsWith(app + path.sep), `${name} resolves outside the project`)
    }
    const r = runNode(app, ['-e', `console.log(JSON.stringify({
      main: require.resolve('mqttwire'), binary: require.resolve(${JSON.stringify(target.name)}) }))`], env)
    for (const f of [r.main, r.binary]) assert.ok(fs.realpathSync(f).startsWith(app + path.sep), f)
    assert.ok(!fs.existsSync(path.join(app, 'node_modules', 'mqttwire', target.binary)))
  })

  it("require('mqttwire') works and a parse/generate round trip gives the right bytes", () => {
    fs.writeFileSync(path.join(app, 'cjs.js'), `'use strict'
const mqtt = require('mqttwire')
const bytes = mqtt.generate({ cmd: 'publish', topic: 'a/b', payload: Buffer.from('hi'), qos: 1, messageId: 7, retain: false, dup: false })
const packets = []
const p = mqtt.parser({ protocolVersion: 4 })
p.on('packet', (x) => packets.push({ cmd: x.cmd, topic: x.topic, payload: x.payload.toString(), qos: x.qos, messageId: x.messageId }))
p.on('error', (e) => { throw e })
p.parse(bytes)
console.log(JSON.stringify({ hasNative: mqtt.hasNative, bytes: bytes.toString('hex'), packets }))
`)
    const r = runNode(app, ['cjs.js'], env)
    assert.strictEqual(r.hasNative, true)
    // PUBLISH QoS 1 (0x32), remaining length 9, topic "a/b", packet id 7, "hi"
    assert.strictEqual(r.bytes, '3209' + '0003612f62' + '0007' + '6869')
    assert.deepStrictEqual(r.packets, [{ cmd: 'publish', topic: 'a/b', payload: 'hi', qos: 1, messageId: 7 }])
  })

  it("import mqtt, { parser } from 'mqttwire' works", () => {
    fs.writeFileSync(path.join(app, 'esm.mjs'), `import mqtt, { parser, generate } from 'mqttwire'
const got = []
const p = parser()
p.on('packet', (x) => got.push(x.cmd))
p.parse(generate({ cmd: 'pingreq' }))
console.log(JSON.stringify({ same: mqtt.parser === parser, got }))
`)
    assert.deepStrictEqual(runNode(app, ['esm.mjs'], env), { same: true, got: ['pingreq'] })
  })

  it('a TypeScript file compiles against the installed types', () => {
    fs.writeFileSync(path.join(app, 'check.mts'), `import mqtt, { parser, generate, type IPublishPacket, type Packet } from 'mqttwire'
const pub: IPublishPacket = { cmd: 'publish', topic: 'a/b', payload: 'hi', qos: 1, messageId: 7, retain: false, dup: false }
const bytes: Buffer = generate(pub)
const p = parser({ protocolVersion: 5 })
p.on('packet', (packet: Packet) => { if (packet.cmd === 'publish') console.log(packet.topic.length) })
const left: number = p.parse(bytes)
mqtt.writeToStream(pub, process.stdout)
console.log(left)
`)
    // A wrong type must fail the same compile (the check is not vacuous).
    fs.writeFileSync(path.join(app, 'wrong.mts'), `import { generate } from 'mqttwire'
generate({ cmd: 'publish', topic: 7 })
`)
    const tsc = require.resolve('typescript/bin/tsc')
    const args = (file) => [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--types', 'node', file]
    const ok = spawnSync(process.execPath, args('check.mts'), { cwd: app, env, encoding: 'utf8', timeout: 120000 })
    assert.strictEqual(ok.status, 0, ok.stdout + ok.stderr)
    const bad = spawnSync(process.execPath, args('wrong.mts'), { cwd: app, env, encoding: 'utf8', timeout: 120000 })
    assert.notStrictEqual(bad.status, 0, 'a wrong packet type compiled')
    assert.match(bad.stdout, /wrong\.mts/)
  })

  it("the overrides alias makes require('mqtt-packet') inside a dependency resolve to mqttwire", () => {
    const r = runNode(app, ['-e', "console.log(JSON.stringify(require('uses-mqtt-packet')))"], env)
    assert.strictEqual(r.name, 'mqttwire')
    assert.strictEqual(r.implementation, 'mqttwire')
    assert.ok(fs.realpathSync(r.resolved).startsWith(app + path.sep), r.resolved)
  })

  it('without the platform package, the load error names the platform and the package expected', () => {
    assert.strictEqual(fs.existsSync(path.join(bare, 'node_modules', target.name)), false)
    const r = runNode(bare, ['-e', `try { require('mqttwire'); console.log(JSON.stringify({ loaded: true })) }
      catch (e) { console.log(JSON.stringify({ loaded: false, message: e.message })) }`], env)
    assert.strictEqual(r.loaded, false)
    assert.ok(r.message.includes(`${process.platform}-${process.arch}`), r.message)
    assert.ok(r.message.includes(target.name), r.message)
  })
})
