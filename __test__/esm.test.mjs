// The package loads as ESM: default import of the CJS module (as Aedes does)
// and named imports detected by cjs-module-lexer.
import { test } from 'node:test'
import assert from 'node:assert'
import mqtt, { parser, generate, writeToStream, Parser, router, Router, PublishProperties, parseAsync, implementation, errorMessage } from '../index.js'

test('ESM default and named imports', () => {
  assert.strictEqual(typeof mqtt.parser, 'function')
  assert.strictEqual(mqtt.parser, parser)
  for (const f of [generate, writeToStream, Parser, router, Router, PublishProperties, parseAsync, errorMessage]) assert.strictEqual(typeof f, 'function')
  assert.strictEqual(implementation, 'mqttwire')
  const p = parser()
  let got
  p.on('packet', (x) => { got = x })
  p.parse(generate({ cmd: 'pingreq' }))
  assert.strictEqual(got.cmd, 'pingreq')
})
