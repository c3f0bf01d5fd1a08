'use strict'
// index.d.ts: __test__/types-check.ts (written against mqtt-packet's API plus
// mqttwire's) compiles with `tsc --noEmit --strict`.

const { test } = require('node:test')
const assert = require('node:assert')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

test('tsc --noEmit on __test__/types-check.ts', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2020', '--module', 'commonjs',
    '--moduleResolution', 'node', '--types', 'node', '--skipLibCheck', 'false', path.join(__dirname, 'types-check.ts')], { encoding: 'utf8' })
  assert.strictEqual(r.status, 0, r.stdout + r.stderr)
})
