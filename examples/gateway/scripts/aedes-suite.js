#!/usr/bin/env node
// Runs Aedes' own test suite (shipped in the aedes npm tarball) with its
// mqtt-packet dependency swapped for mqttwire, or on stock mqtt-packet with --stock.
//
//   node scripts/aedes-suite.js             # Aedes on mqttwire in its default mode (strict)
//   node scripts/aedes-suite.js --lenient   # Aedes on mqttwire, lenient (MQTTWIRE_STRICT=0)
//   node scripts/aedes-suite.js --stock     # Aedes on stock mqtt-packet 9.0.2 (baseline)
//
// Aedes creates its parsers with no options (`mqtt.parser()` in lib/client.js),
// so the mode comes from MQTTWIRE_STRICT in the test processes' environment.
// Some of Aedes' tests send, or have Aedes send, what the MQTT spec forbids:
// strict mode refuses those packets, and the tests fail for a reason listed
// per test in scripts/aedes-suite-expected.js (docs/strictness.md).
//
// Options / env:
//   --aedes-version X    (AEDES_VERSION, default 2.0.0-beta.1, the gateway's)
//   --mqttwire PATH      (MQTTWIRE_ROOT, default: the repo root two folders up)
//   --json PATH          write every test's result ("file :: name" -> pass/fail/skip)
//   --keep               keep the temp dir (printed) for inspection
//   --dir PATH           reuse an unpacked+installed dir from an earlier --keep run
//                        (of the same parser: stock and mqttwire installs differ)
//   --only a.js,b.js     run only these test files (names under test/)
//   SUITE_TIMEOUT_MS     hard limit for the whole node --test run (default 900000)
//
// Exits 0 when every failure is expected: none on stock or lenient; in the
// default (strict) mode, those listed for this Aedes version in
// aedes-suite-expected.js. test/aedes-suite.test.js compares a stock and a
// mqttwire run test by test. Needs only the npm registry.
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { STRICT_DIFFERS } from './aedes-suite-expected.js'

const here = path.dirname(fileURLToPath(import.meta.url))

// Files not run at all, with the reason.
const EXCLUDED_FILES = {
  // Starts a ghcr.io/shopify/toxiproxy container through Docker; it skips itself
  // when `docker info` fails, but it also pulls an image from a container registry,
  // which is out of reach here. Not parser-related (slow-network drain behaviour).
  'drain-toxiproxy.js': 'needs Docker + toxiproxy container image'
}

// devDependencies that aedes' test/*.js actually import
const TEST_DEV_DEPS = ['mqtt', 'ws']

function parseArgs (argv) {
  const o = {
    stock: false,
    lenient: false,
    json: null,
    keep: false,
    dir: null,
    only: null,
    aedesVersion: process.env.AEDES_VERSION || '2.0.0-beta.1',
    mqttwire: process.env.MQTTWIRE_ROOT || path.resolve(here, '..', '..', '..')
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--stock') o.stock = true
    else if (a === '--lenient') o.lenient = true
    else if (a === '--strict') o.lenient = false
    else if (a === '--json') o.json = path.resolve(argv[++i])
    else if (a === '--keep') o.keep = true
    else if (a === '--dir') o.dir = path.resolve(argv[++i])
    else if (a === '--only') o.only = argv[++i].split(',').filter(Boolean)
    else if (a === '--aedes-version') o.aedesVersion = argv[++i]
    else if (a === '--mqttwire') o.mqttwire = path.resolve(argv[++i])
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 29).join('\n'))
      process.exit(0)
    } else {
      console.error(`unknown argument ${a}`)
      process.exit(2)
    }
  }
  return o
}

function sh (cmd, args, opts = {}) {
  const out = execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000, ...opts })
  return out ? out.toString() : ''
}

function prepare (o) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aedes-suite-'))
  console.log(`# temp dir ${tmp}`)
  const tgz = sh('npm', ['pack', `aedes@${o.aedesVersion}`, '--pack-destination', tmp, '--silent'], { cwd: tmp }).trim().split('\n').pop()
  sh('tar', ['-xzf', path.join(tmp, tgz), '-C', tmp])
  const pkgDir = path.join(tmp, 'package')
  if (!fs.existsSync(path.join(pkgDir, 'test'))) throw new Error(`aedes@${o.aedesVersion} tarball ships no test/ folder`)

  const pkgFile = path.join(pkgDir, 'package.json')
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'))
  // The same swap as examples/gateway: mqtt-packet is a direct dependency of aedes,
  // so npm wants the `$name` reference form in overrides.
  pkg.dependencies['mqtt-packet'] = o.stock ? '9.0.2' : `file:${o.mqttwire}`
  pkg.overrides = { ...(pkg.overrides || {}), 'mqtt-packet': '$mqtt-packet' }
  delete pkg['pre-commit']
  // Keep only the devDependencies the test files import. The rest is lint/release/
  // coverage tooling (eslint, release-it, c8, tsd, ...) whose trees are large and
  // not all resolvable from every registry mirror; toxiproxy-node-client only
  // serves the excluded Docker test.
  const dropped = Object.keys(pkg.devDependencies || {}).filter((d) => !TEST_DEV_DEPS.includes(d))
  for (const d of dropped) delete pkg.devDependencies[d]
  console.log(`# devDependencies kept: ${Object.keys(pkg.devDependencies).join(', ')}; dropped: ${dropped.join(', ')}`)
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2))

  console.log(`# npm install in ${pkgDir} (mqtt-packet -> ${pkg.dependencies['mqtt-packet']})`)
  sh('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: pkgDir, stdio: ['ignore', 'inherit', 'inherit'] })
  return { tmp, pkgDir }
}

function resolvedParser (pkgDir) {
  const code = "const r=require('node:module').createRequire(require('node:path').join(process.cwd(),'aedes.js'));" +
    "const p=r('mqtt-packet/package.json');console.log(JSON.stringify({name:p.name,version:p.version,path:require('node:fs').realpathSync(r.resolve('mqtt-packet/package.json'))}))"
  return JSON.parse(sh(process.execPath, ['-e', code], { cwd: pkgDir }))
}

function runSuite (pkgDir, files, timeoutMs, env) {
  const results = path.join(pkgDir, `.suite-results-${process.pid}.jsonl`)
  fs.rmSync(results, { force: true })
  const args = [
    '--test', '--test-timeout=180000',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${path.join(here, 'suite-reporter.mjs')}`, `--test-reporter-destination=${results}`,
    ...files
  ]
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, args, { cwd: pkgDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    const logFile = path.join(pkgDir, `.suite-output-${process.pid}.log`)
    const log = fs.createWriteStream(logFile)
    child.stdout.pipe(log)
    child.stderr.pipe(log)
    if (process.env.AEDES_SUITE_VERBOSE) { child.stdout.pipe(process.stdout); child.stderr.pipe(process.stderr) }
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try { process.kill(-child.pid, 'SIGKILL') } catch {}
    }, timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      const lines = fs.existsSync(results) ? fs.readFileSync(results, 'utf8').split('\n').filter(Boolean) : []
      resolve({ code, timedOut, seconds: (Date.now() - started) / 1000, events: lines.map((l) => JSON.parse(l)), log: logFile })
    })
  })
}

async function main () {
  const o = parseArgs(process.argv.slice(2))
  const label = o.stock ? 'stock mqtt-packet' : o.lenient ? 'mqttwire lenient' : 'mqttwire strict'
  // mqttwire reads MQTTWIRE_STRICT once when it loads, in the test processes
  const env = { ...process.env }
  if (!o.stock) env.MQTTWIRE_STRICT = o.lenient ? '0' : '1'
  if (!o.stock) {
    const pj = path.join(o.mqttwire, 'package.json')
    const name = fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, 'utf8')).name
    if (name !== 'mqttwire') throw new Error(`${o.mqttwire} is not the mqttwire package (package.json name: ${name})`)
  }
  const { tmp, pkgDir } = o.dir ? { tmp: null, pkgDir: o.dir } : prepare(o)

  const parser = resolvedParser(pkgDir)
  console.log(`# aedes@${o.aedesVersion} resolves mqtt-packet to ${parser.name}@${parser.version} (${parser.path})`)
  const wanted = o.stock ? 'mqtt-packet' : 'mqttwire'
  if (parser.name !== wanted) throw new Error(`expected aedes' mqtt-packet to be ${wanted}, got ${parser.name}`)

  // helper.js is a support module (no tests); every other test/*.js|*.cjs is a test file
  let files = fs.readdirSync(path.join(pkgDir, 'test')).filter((f) => /\.c?js$/.test(f) && f !== 'helper.js').sort()
  const skippedFiles = files.filter((f) => EXCLUDED_FILES[f])
  files = files.filter((f) => !EXCLUDED_FILES[f])
  if (o.only) files = files.filter((f) => o.only.includes(f))
  for (const f of skippedFiles) console.log(`# excluded test/${f}: ${EXCLUDED_FILES[f]}`)

  const timeoutMs = Number(process.env.SUITE_TIMEOUT_MS || 900_000)
  console.log(`# running ${files.length} test files with ${label} (timeout ${timeoutMs / 1000}s)`)
  if (!o.stock) console.log(`# MQTTWIRE_STRICT=${env.MQTTWIRE_STRICT}`)
  const r = await runSuite(pkgDir, files.map((f) => path.join('test', f)), timeoutMs, env)
  console.log(`# log: ${r.log}`)

  // A file that fails as a whole (a crash, a timeout) is reported by node:test
  // under its own path, which holds this run's temp dir: key it by its file name,
  // so that results of runs in different dirs compare.
  const isFilePath = (e) => path.isAbsolute(e.name) && /\.c?js$/.test(e.name)
  const fileOf = (e) => e.file ? path.basename(e.file) : isFilePath(e) ? path.basename(e.name) : '?'
  const nameOf = (e) => isFilePath(e) ? `(file) ${path.basename(e.name)}` : e.name
  // a failing suite (describe) with no failing leaf is e.g. a hook failure: count it
  const counted = r.events.filter((e) => e.kind !== 'suite' || (e.status === 'fail' && !e.todo &&
    !r.events.some((x) => x.status === 'fail' && x.kind !== 'suite' && x.file === e.file && x.nesting > e.nesting)))
  // one result per "file :: name" (a repeated name gets " #2", " #3", ... in run order)
  const results = {}
  for (const e of counted) {
    let k = `${fileOf(e)} :: ${nameOf(e)}`
    for (let n = 2; k in results; n++) k = `${fileOf(e)} :: ${nameOf(e)} #${n}`
    results[k] = { status: e.skip || e.todo ? 'skip' : e.status, error: e.error ? e.error.split('\n')[0] : undefined }
  }
  const keys = Object.keys(results)
  const passed = keys.filter((k) => results[k].status === 'pass')
  const failed = keys.filter((k) => results[k].status === 'fail')
  const skipped = keys.filter((k) => results[k].status === 'skip')
  const expected = (!o.stock && !o.lenient && STRICT_DIFFERS[o.aedesVersion]) || {}
  const unexpected = failed.filter((k) => !expected[k])

  for (const k of failed) console.log(`# FAIL${expected[k] ? ' (strict, expected)' : ''} ${k}${results[k].error ? ' -- ' + results[k].error : ''}`)
  if (r.timedOut) console.log(`# suite killed after ${timeoutMs / 1000}s`)
  console.log(`# node --test exit code ${r.code}; ${r.seconds.toFixed(1)}s; ${files.length} files; excluded files: ${skippedFiles.join(', ') || 'none'}`)
  console.log(`# expected failures hit: ${failed.length - unexpected.length}; unexpected failures: ${unexpected.length}`)
  console.log(`aedes-suite(${label}): ${passed.length} passed, ${failed.length} failed, ${skipped.length} skipped`)
  if (o.json) {
    fs.writeFileSync(o.json, JSON.stringify({ aedesVersion: o.aedesVersion, label, parser, timedOut: r.timedOut, seconds: r.seconds, results }, null, 1))
  }

  if (tmp && !o.keep && unexpected.length === 0 && !r.timedOut) fs.rmSync(tmp, { recursive: true, force: true })
  else if (tmp) console.log(`# kept ${tmp}`)
  process.exitCode = unexpected.length > 0 || r.timedOut || keys.length === 0 ? 1 : 0
}

main().catch((err) => {
  console.error(`aedes-suite: ${err.stack || err}`)
  process.exit(1)
})
