'use strict'
// mqttwire loads and parses inside worker_threads (several at once), and
// the memory its addon frames from stays on its own thread.

const { describe, it } = require('node:test')
const assert = require('node:assert')
const path = require('node:path')
const { Worker } = require('node:worker_threads')

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const mqttwire = require(workerData.root)
const pk = mqttwire.generate({ cmd: 'publish', topic: 'w/' + workerData.id, payload: Buffer.alloc(100, 1), qos: 1, messageId: 1 })
const buf = Buffer.concat(Array(1000).fill(pk))
const p = mqttwire.parser()
let n = 0
let topic = ''
p.on('packet', (x) => { n++; topic = x.topic })
p.on('error', (e) => { throw e })
for (let i = 0; i < buf.length; i += 777) p.parse(buf.subarray(i, i + 777))
mqttwire.parseAsync(buf).then((list) => {
  parentPort.postMessage({ n, topic, asyncCount: list.length, implementation: mqttwire.implementation })
})
`

function runWorker (id) {
  return new Promise((resolve, reject) => {
    const w = new Worker(SOURCE, { eval: true, workerData: { root: path.join(__dirname, '..'), id } })
    w.once('message', resolve)
    w.once('error', reject)
    w.once('exit', (code) => { if (code !== 0) reject(new Error('worker exit ' + code)) })
  })
}

{
  describe(`worker_threads`, () => {
    it('parses in 4 workers at once', async () => {
      const results = await Promise.all([0, 1, 2, 3].map((id) => runWorker(id)))
      results.forEach((r, id) => {
        assert.deepStrictEqual(r, { n: 1000, topic: 'w/' + id, asyncCount: 1000, implementation: 'mqttwire' })
      })
    })

    it("the addon's per-thread input area and tape cannot be transferred away: postMessage and structuredClone copy them, and parsing goes on", () => {
      const binding = require('../binding.js')
      const mqttwire = require('..')
      const { MessageChannel } = require('node:worker_threads')
      const { input, tape } = binding
      assert.ok(input instanceof Uint8Array && tape instanceof Uint32Array)
      const { port1, port2 } = new MessageChannel()
      try {
        port1.postMessage(input, [input.buffer])
        structuredClone(tape.buffer, { transfer: [tape.buffer] })
      } catch (err) {
        assert.strictEqual(err.name, 'DataCloneError') // newer Node throws instead of copying
      } finally {
        port1.close()
        port2.close()
      }
      assert.strictEqual(input.byteLength, 65536)
      assert.strictEqual(tape.byteLength, 65536)
      const p = mqttwire.parser()
      const got = []
      p.on('packet', (x) => got.push(x.topic))
      const pk = mqttwire.generate({ cmd: 'publish', topic: 'still/here', payload: Buffer.alloc(10) })
      p.parse(Buffer.concat([pk, pk]))
      assert.deepStrictEqual(got, ['still/here', 'still/here'])
    })
  })
}
