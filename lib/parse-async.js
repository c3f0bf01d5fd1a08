'use strict'
// parseAsync(buffer, opts): frame a buffer of whole packets on the libuv
// thread pool (native binding.frameAsync) and build the packet objects.
//
// Resolves with Packet[] when `buffer` is a sequence of complete, valid
// packets. Rejects with the parse Error (same message and code as the
// streaming parser) otherwise; the error carries `packets`: the packets
// before the bad one. A buffer ending inside a packet rejects with code
// 'MQTTWIRE_INCOMPLETE'. opts: protocolVersion, bridgeMode, maxPacketSize,
// strict, framer ('js' frames synchronously on the calling thread); the
// options not given come from lib/defaults.js.

const { asBuffer, configOf, modeBits, readMaxPacketSize, frameAll, arenaOf, HEADER, DONE, PARTIAL, ERROR, FULL } = require('./core')
const { buildPacket } = require('./build')
const { makeError } = require('./errors')
const { readFramerName } = require('./defaults')
const native = require('./native')
const { isAnyArrayBuffer } = require('node:util').types

function toBuffer (b) {
  if (Buffer.isBuffer(b)) return b
  if (ArrayBuffer.isView(b) || isAnyArrayBuffer(b)) return asBuffer(b)
  throw new TypeError('mqttwire.parseAsync: buffer must be a Buffer, a Uint8Array or other ArrayBuffer view, or an ArrayBuffer')
}

async function parseAsync (buffer, opts) {
  let buf = toBuffer(buffer)
  const mode = modeBits(opts)
  let config = configOf(opts) | mode
  const max = readMaxPacketSize(opts)
  const framerName = readFramerName(opts)
  const frame = native.selectFramer(framerName) // throws if native is wanted and missing
  const useAsync = frame !== native.jsFrame && typeof native.binding.frameAsync === 'function'
  const packets = []
  for (;;) {
    const T = useAsync
      ? await native.binding.frameAsync(buf, config, max)
      : frameAll(frame, buf, config, max)
    const n = T[5]
    const A = arenaOf(T)
    const ab = buf.buffer
    const bo = buf.byteOffset
    let r = HEADER
    for (let k = 0; k < n; k++) {
      packets.push(buildPacket(buf, T, r, A, ab, bo))
      r += T[r + 1]
    }
    const status = T[0]
    if (status === DONE) return packets
    if (status === FULL) { // only if frameAsync uses a bounded tape: go on from the first unrecorded packet
      config = T[6] | mode
      buf = buf.subarray(T[1])
      continue
    }
    let err
    if (status === ERROR) {
      err = makeError(T[2], T[3], T[4])
    } else if (status === PARTIAL) {
      err = new Error('Incomplete packet at the end of the buffer')
      err.code = 'MQTTWIRE_INCOMPLETE'
      err.offset = T[1]
    } else {
      err = new Error('mqttwire: unexpected tape status ' + status)
    }
    err.packets = packets
    throw err
  }
}

module.exports = { parseAsync }
