// The MAX_PACKET_SIZE framing guard on its own: MQTT framing across arbitrary chunking.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FrameScanner } from '../lib/packet-size-guard.js'

function remLen (n) {
  const out = []
  do { let d = n % 128; n = Math.floor(n / 128); if (n > 0) d |= 0x80; out.push(d) } while (n > 0)
  return out
}
const packet = (bodyLen) => Buffer.concat([Buffer.from([0x30, ...remLen(bodyLen)]), Buffer.alloc(bodyLen, 7)])

test('accepts packets up to the limit, in every chunking', () => {
  // sizes around the 1/2/3-byte Remaining Length boundaries; total = 1 + lenBytes + body
  const stream = Buffer.concat([packet(0), packet(125), packet(127), packet(128), packet(16383), packet(16384), packet(2)])
  const max = 1 + 3 + 16384
  for (const step of [1, 2, 3, 5, 7, 64, 1000, stream.length]) {
    const s = new FrameScanner(max)
    for (let i = 0; i < stream.length; i += step) assert.equal(s.push(stream.subarray(i, i + step)), null, `step ${step} at ${i}`)
    assert.equal(s.state, 0, 'ends on a packet boundary')
  }
})

test('rejects the first packet over the limit as soon as its header is complete', () => {
  const s = new FrameScanner(100)
  assert.equal(s.push(packet(97)), null) // 1 + 1 + 97 = 99
  assert.equal(s.push(packet(98)), null) // exactly 100
  const err = s.push(Buffer.from([0x30, ...remLen(99)])) // 101, body not even sent
  assert.equal(err && err.code, 'MAX_PACKET_SIZE')
  assert.match(err.message, /101 bytes exceeds MAX_PACKET_SIZE 100/)
})

test('a 256 MB announcement is refused from its 5 header bytes', () => {
  const s = new FrameScanner(1024 * 1024)
  assert.equal(s.push(Buffer.from([0x30, 0xff, 0xff])), null)
  assert.equal(s.push(Buffer.from([0xff, 0x7f])).code, 'MAX_PACKET_SIZE')
})

test('a Remaining Length with a 4th continuation bit is malformed', () => {
  const s = new FrameScanner(Number.MAX_SAFE_INTEGER)
  const err = s.push(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x01]))
  assert.match(err.message, /malformed Remaining Length/)
})
