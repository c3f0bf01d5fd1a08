// Aedes' own test suites (they ship in the aedes npm tarballs), each run twice:
// on stock mqtt-packet 9.0.2 and with mqtt-packet swapped for mqttwire in its
// default (strict) mode, through the same npm overrides alias the gateway uses.
// The two runs are compared test by test, by name:
//  - a test that fails on stock too is reported, not failed (Aedes' own flakes);
//  - a test that passes on stock must pass swapped, unless it is listed with its
//    reason in scripts/aedes-suite-expected.js; a listed test that passes
//    swapped fails this test too (the list must stay true);
//  - every test that ran on stock ran swapped, and the other way round.
// Aedes 2.0.0-beta.1 is the gateway's broker; Aedes 1.2.0 is npm's `latest`,
// which most users of the swap run, so its suite runs as well (about as long).
//
// Needs the npm registry (npm pack aedes, install of its test dependencies).
import { test } from 'node:test'
import assert from 'node:assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { STRICT_DIFFERS } from '../scripts/aedes-suite-expected.js'

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'aedes-suite.js')

function runSuite (args) {
  const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aedes-suite-json-')), 'results.json')
  return new Promise((resolve, reject) => {
    // The suite runs its own `node --test`: it must not think it is a child of ours.
    const env = { ...process.env }
    delete env.NODE_TEST_CONTEXT
    const child = spawn(process.execPath, [script, ...args, '--json', json], { stdio: ['ignore', 'pipe', 'pipe'], env })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    child.on('error', reject)
    child.on('close', (code) => {
      if (!fs.existsSync(json)) return reject(new Error(`no results from aedes-suite ${args.join(' ')} (exit ${code}):\n${out.slice(-3000)}`))
      const r = JSON.parse(fs.readFileSync(json, 'utf8'))
      fs.rmSync(path.dirname(json), { recursive: true, force: true })
      resolve({ code, out, ...r })
    })
  })
}

// A test that failed, or did not run, on one side only is run again once, its
// file alone, on the side it missed: on a loaded machine a timing test in
// Aedes' suite can fail (or a file time out and take its tests with it)
// whatever the parser. A parser difference fails again; a flake does not.
// (Aedes' random first packet identifier is one such flake: its qos2.js
// tests assert that the forwarded id differs from the publisher's 42, which
// about one run in 65,535 per such test does not.)
const fileOfKey = (k) => k.split(' :: ')[0]

async function retryFiles (base, run, keys) {
  const files = [...new Set(keys.map(fileOfKey))].filter((f) => f !== '?')
  if (files.length === 0) return run
  console.log(`# ${run.label}: running ${files.join(', ')} again, alone`)
  const again = await runSuite([...base, '--only', files.join(',')])
  const results = { ...run.results }
  for (const k of Object.keys(results)) if (files.includes(fileOfKey(k))) delete results[k]
  Object.assign(results, again.results)
  return { ...run, results, timedOut: run.timedOut || again.timedOut }
}

/** Test-by-test comparison of a stock and a swapped run. */
function compare (stock, swapped, expected) {
  const keys = new Set([...Object.keys(stock.results), ...Object.keys(swapped.results)])
  const out = { stockFails: [], regressions: [], stale: [], missing: [], differs: [] }
  for (const k of [...keys].sort()) {
    const a = stock.results[k]
    const b = swapped.results[k]
    if (!a || !b) { out.missing.push(`${k}: ${a ? 'not run swapped' : 'not run on stock'}`); continue }
    if (a.status === 'fail') { out.stockFails.push(`${k} (swapped: ${b.status})`); continue }
    if (a.status === 'skip' || b.status === 'skip') {
      if (a.status !== b.status) out.missing.push(`${k}: ${a.status} on stock, ${b.status} swapped`)
      continue
    }
    if (b.status === 'fail') {
      if (expected[k]) out.differs.push(k)
      else out.regressions.push(`${k} -- ${b.error || ''}`)
    } else if (expected[k]) out.stale.push(k)
  }
  return out
}

for (const version of ['2.0.0-beta.1', '1.2.0']) {
  test(`Aedes ${version} own test suite: mqttwire (strict) passes test by test as stock mqtt-packet`, { timeout: 1_500_000 }, async () => {
    const base = ['--aedes-version', version]
    let stock = await runSuite([...base, '--stock'])
    let swapped = await runSuite(base)
    const expected = STRICT_DIFFERS[version] || {}
    let c = compare(stock, swapped, expected)
    const notOnStock = c.missing.filter((l) => l.endsWith('not run on stock')).map((l) => l.slice(0, l.lastIndexOf(': ')))
    const stockFailed = c.stockFails.map((l) => l.slice(0, l.lastIndexOf(' (swapped: ')))
    const notSwapped = c.missing.filter((l) => l.endsWith('not run swapped')).map((l) => l.slice(0, l.lastIndexOf(': ')))
    const failedSwapped = c.regressions.map((l) => l.slice(0, l.indexOf(' -- ')))
    if (notOnStock.length + stockFailed.length > 0) stock = await retryFiles([...base, '--stock'], stock, [...notOnStock, ...stockFailed])
    if (notSwapped.length + failedSwapped.length > 0) swapped = await retryFiles(base, swapped, [...notSwapped, ...failedSwapped])
    c = compare(stock, swapped, expected)
    const count = (r, s) => Object.values(r.results).filter((x) => x.status === s).length
    for (const [name, r] of [['stock', stock], ['mqttwire', swapped]]) {
      console.log(`# Aedes ${version} ${name}: ${count(r, 'pass')} passed, ${count(r, 'fail')} failed, ${count(r, 'skip')} skipped, ${r.seconds.toFixed(0)} s`)
    }
    for (const l of c.stockFails) console.log(`# Aedes ${version}: fails on stock mqtt-packet too, not compared: ${l}`)
    for (const k of c.differs) console.log(`# Aedes ${version}: strict differs as listed: ${k}`)

    assert.ok(count(stock, 'pass') > 300 && !stock.timedOut, `the stock run ran the suite:\n${stock.out.slice(-2000)}`)
    assert.ok(!swapped.timedOut, `the swapped run finished:\n${swapped.out.slice(-2000)}`)
    assert.strictEqual(stock.parser.name, 'mqtt-packet')
    assert.strictEqual(swapped.parser.name, 'mqttwire', 'Aedes resolves mqtt-packet to mqttwire in the swapped run')
    assert.deepStrictEqual(c.missing, [], 'the same tests ran in both runs')
    assert.deepStrictEqual(c.regressions, [], 'tests that pass on stock mqtt-packet and fail on mqttwire')
    assert.deepStrictEqual(c.stale, [], 'tests listed in scripts/aedes-suite-expected.js that now pass: remove them')
  })
}
