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

// Aedes gives each client a random first packet identifier
// (Math.ceil(Math.random() * 65535), lib/client.js), and its qos2.js tests
// assert that the identifier it forwards with differs from the publisher's 42:
// about one run in 65,535 per such test fails whatever the parser. A swapped
// run whose only new failures are that assertion is run once more.
const RANDOM_IN_AEDES = /messageId must differ/

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
    const stock = await runSuite([...base, '--stock'])
    let swapped = await runSuite(base)
    const expected = STRICT_DIFFERS[version] || {}
    let c = compare(stock, swapped, expected)
    if (c.regressions.length > 0 && c.regressions.every((l) => RANDOM_IN_AEDES.test(l))) {
      console.log(`# Aedes ${version}: run again, the only new failures are Aedes' random identifier: ${c.regressions.join('; ')}`)
      swapped = await runSuite(base)
      c = compare(stock, swapped, expected)
    }
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
