// Aedes' own test suite (it ships in the aedes npm tarball) run twice in this
// test: on stock mqtt-packet 9.0.2 and with mqtt-packet swapped for mqttwire
// through the same npm overrides alias the gateway uses. The swap must pass
// exactly as stock does: same passed, failed and skipped counts.
//
// Needs the npm registry (npm pack aedes, install of its test dependencies).
// mqttwire runs it in lenient mode (MQTTWIRE_STRICT=0): Aedes creates its
// parsers without options and its tests send packets the MQTT spec forbids to
// check Aedes' own reactions (scripts/aedes-suite.js, docs/strictness.md).
import { test } from 'node:test'
import assert from 'node:assert'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'aedes-suite.js')

function runSuite (args) {
  return new Promise((resolve, reject) => {
    // The suite runs its own `node --test`: it must not think it is a child of ours.
    const env = { ...process.env }
    delete env.NODE_TEST_CONTEXT
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    child.on('error', reject)
    child.on('close', (code) => {
      const m = /aedes-suite\(([^)]*)\): (\d+) passed, (\d+) failed, (\d+) skipped/.exec(out)
      if (!m) return reject(new Error(`no summary from aedes-suite ${args.join(' ')} (exit ${code}):\n${out.slice(-3000)}`))
      resolve({ code, passed: +m[2], failed: +m[3], skipped: +m[4], out })
    })
  })
}

// Aedes gives each client a random first packet identifier
// (Math.ceil(Math.random() * 65535), lib/client.js), and its qos2.js tests
// assert that the identifier it forwards with differs from the publisher's 42:
// about one run in 65,535 per such test fails whatever the parser. A run whose
// only failures are that assertion is run once more.
const RANDOM_IN_AEDES = / -- messageId must differ$/
const failures = (run) => run.out.split('\n').filter((l) => l.startsWith('# FAIL'))
async function runSuiteOnce (args) {
  const run = await runSuite(args)
  const failed = failures(run)
  if (run.failed > 0 && failed.length === run.failed && failed.every((l) => RANDOM_IN_AEDES.test(l))) {
    console.log(`# ${args.join(' ') || 'mqttwire'}: run again, the only failure is Aedes' random identifier: ${failed.join('; ')}`)
    return runSuite(args)
  }
  return run
}

test('Aedes 1.2.0 own test suite: mqttwire swapped in passes exactly as stock mqtt-packet', { timeout: 1_200_000 }, async () => {
  const stock = await runSuiteOnce(['--stock'])
  const swapped = await runSuiteOnce([])
  console.log(`# stock: ${stock.passed} passed, ${stock.failed} failed, ${stock.skipped} skipped`)
  console.log(`# mqttwire: ${swapped.passed} passed, ${swapped.failed} failed, ${swapped.skipped} skipped`)
  assert.ok(stock.passed > 300, `the stock run ran the suite:\n${stock.out.slice(-2000)}`)
  assert.match(swapped.out, /resolves mqtt-packet to mqttwire@/, 'Aedes resolves mqtt-packet to mqttwire in the swapped run')
  assert.deepStrictEqual(
    { passed: swapped.passed, failed: swapped.failed, skipped: swapped.skipped },
    { passed: stock.passed, failed: stock.failed, skipped: stock.skipped },
    swapped.out.split('\n').filter((l) => l.startsWith('# FAIL')).join('\n')
  )
  assert.strictEqual(swapped.code, 0)
})
