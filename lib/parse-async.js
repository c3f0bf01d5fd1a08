'use strict'
// parseAsync(buffer, opts): frame a buffer of whole packets on the libuv
// thread pool (native binding.frameAsync) and build the packet objects.
//
// Resolves with Packet[] when `buffer` is a sequence of complete, valid
// packets. Rejects with the parse Error (same message and code as the
// streaming parser) otherwise; the error carries `packets`: the packets
// before the bad one. A buffer ending inside a packet rejects with code
// 'MQTTWIRE_INCOMPLETE'. opts: protocolVersion, bridgeMode, maxPacketSize,
// strict; the options not given come from lib/defaults.js.

const { asBuffer, configOf, modeBits, readMaxPacketSize, arenaOf } = require('./core')
const { TAPE } = require('./generated/protocol')
const { buildPacket } = require('./build')
const { makeError } = require('./errors')
const { checkFramerOption } = require('./defaults')
const native = require('./native')
const { isAnyArrayBuffer } = require('node:util').types

const { DONE, PARTIAL, ERROR, FULL, STATUS, NEXT, NEED_OR_CODE, ERROR_PARAM, ERROR_OFFSET, RECORDS, VERSION, R_WORDS } = TAPE
const HEADER = TAPE.HEADER_WORDS

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
  checkFramerOption(opts)
  const packets = []
  for (;;) {
    const T = await native.binding.frameAsync(buf, config, max)
    const n = T[RECORDS]
    const A = arenaOf(T)
    const ab = buf.buffer
    const bo = buf.byteOffset
    let r = HEADER
    for (let k = 0; k < n; k++) {
      packets.push(buildPacket(buf, T, r, A, ab, bo))
      r += T[r + R_WORDS]
    }
    const status = T[STATUS]
    if (status === DONE) return packets
    if (status === FULL) { // only if frameAsync uses a bounded tape: go on from the first unrecorded packet
      config = T[VERSION] | mode
      buf = buf.subarray(T[NEXT])
      continue
    }
    let err
    if (status === ERROR) {
      err = makeError(T[NEED_OR_CODE], T[ERROR_PARAM], T[ERROR_OFFSET])
    } else if (status === PARTIAL) {
      err = new Error('Incomplete packet at the end of the buffer')
      err.code = 'MQTTWIRE_INCOMPLETE'
      err.offset = T[NEXT]
    } else {
      err = new Error('mqttwire: unexpected tape status ' + status)
    }
    err.packets = packets
    throw err
  }
}

module.exports = { parseAsync }
