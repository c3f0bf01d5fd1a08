'use strict'
// Smoke test of the Node benchmark harness: `node bench/run.js --quick` runs
// to the end and its correctness pre-check passes (every contender's output
// deep-equal to mqtt-packet's before anything is timed). Nothing here reads the
// printed table or any timing: speed is measured by `npm run bench`, not by
// tests, and a layout or a figure on a loaded machine is not a fault.

const { test } = require('node:test')
const assert = require('node:assert')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const RUN = path.join(__dirname, '..', 'bench', 'run.js')

test('bench/run.js --quick runs and passes its correctness pre-check', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqttwire-bench-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'bench.json')
  const r = spawnSync(process.execPath, [RUN, '--quick', '--json', file], { encoding: 'utf8', timeout: 600000, maxBuffer: 64 << 20 })
  assert.strictEqual(r.status, 0, `bench/run.js --quick exited with ${r.status} (${r.signal || 'no signal'}):\n${r.stderr}`)
  const out = JSON.parse(fs.readFileSync(file, 'utf8'))
  assert.strictEqual(out.correctness.passed, true)
  assert.ok(out.correctness.checks.length > 0, 'no correctness checks ran')
  for (const c of out.correctness.checks) assert.strictEqual(c.ok, true, `${c.workload} ${c.path}: ${c.message}`)
  assert.ok(out.workloads.length > 0, 'no workload was timed')
})
