'use strict'
// Where the addon cannot make its per-thread input area and tape (Node-API
// without external ArrayBuffers), every read is framed by frame(buf, T): the
// differential, router and parser suites pass that way too.
const { test } = require('node:test')
const assert = require('node:assert')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

// A node:test child would report to this run instead of printing its own results.
function withoutTestContext () {
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT
  return env
}

test('without the addon\'s areas: the differential, router and parser suites pass on frame(buf, T)', () => {
  const r = spawnSync(process.execPath, [
    '--require', path.join(__dirname, 'helpers', 'no-areas.js'),
    '--test', '--test-reporter=tap',
    path.join(__dirname, 'differential.test.js'),
    path.join(__dirname, 'router.test.js'),
    path.join(__dirname, 'parser.test.js')
  ], { encoding: 'utf8', timeout: 300000, env: withoutTestContext() })
  assert.strictEqual(r.status, 0, r.stdout.slice(-4000) + r.stderr.slice(-2000))
  const pass = Number((r.stdout.match(/^# pass (\d+)/m) || [])[1])
  assert.ok(pass >= 20, 'suites ran: ' + pass + ' passed')
  assert.match(r.stdout, /^# fail 0$/m)
})
