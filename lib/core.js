'use strict'
// The streaming engine shared by Parser and Router.
//
// Each socket chunk is framed by one native call (lib/native.js) into the
// addon's per-thread tape (or, for a large read, a tape of our own); a
// 'packet' handler that parses meanwhile gets a tape of its own. Strings and
// payloads are cut from the chunk itself; only a packet that straddles two
// chunks is copied (into a buffer just large enough for it), and it is framed
// in the same call as the rest of the read that completes it. Subclasses implement
// `_mwDeliver(buf, T, r, A, ab, bo)` (one record) and get `parse(buf)`.

const { EventEmitter } = require('events')
const { nativeFrame: frame, nativeFrameAfter: frameAfter, areas, tape: areaTape, COPY_MAX } = require('./native')
const { TAPE } = require('./generated/protocol')
const { makeError } = require('./errors')
const { readStrict, readMaxPacketSize, checkFramerOption } = require('./defaults')
const { view } = require('./view')
const { isAnyArrayBuffer } = require('node:util').types

const { DONE, PARTIAL, ERROR, FULL, LENIENT, ARENA, BRIDGE } = TAPE
const { STATUS, NEXT, NEED_OR_CODE, ERROR_PARAM, ERROR_OFFSET, RECORDS, VERSION, ARENA_AT, ARENA_USED, R_WORDS, R_OFFSET } = TAPE
const HEADER = TAPE.HEADER_WORDS
// Bytes to frame above which the string arena is used: up to that (a socket
// read of a few packets) one latin1Slice per string is cheaper than copying
// the strings to the arena and making one more string of it (bench/ab.js w5).
// Without the arena, the records of such a read always fit the area tape
// (at most 3 words a byte: lib/native.js).
const ARENA_ABOVE = 4096

// The tapes of a parse that is not nested in another's 'packet' handler:
// the addon's area tape (lib/native.js), and a tape of our own, grown x2
// whenever a call reports FULL and kept for the next (also the only one
// where the addon has no areas).
let bigTape = areaTape === null ? new Uint32Array(16384) : null

// The arena of a tape as one JS string (T[ARENA_AT]: start, T[ARENA_USED]:
// bytes used), to which the records' arena strings are offsets: one native
// call per frame call instead of one per string, and `substring` per string.
// lastTape / lastTapeBytes cache a byte view of the last tape seen.
let lastTape = null
let lastTapeBytes = null
function arenaOf (T) {
  const used = T[ARENA_USED]
  if (used === 0) return ''
  if (T !== lastTape) {
    lastTape = T
    lastTapeBytes = Buffer.from(T.buffer, T.byteOffset, T.byteLength)
  }
  const at = T[ARENA_AT]
  return lastTapeBytes.latin1Slice(at, at + used)
}

// Bytes of a pending packet buffered up front; beyond that the buffer grows
// with what actually arrives (a forged remaining length cannot make us
// allocate 256 MB).
const PREALLOC = 1 << 20

/**
 * What parse() accepts besides a Buffer, as mqtt-packet (its BufferList)
 * does: any ArrayBuffer view (Uint8Array, DataView, ...) and an ArrayBuffer
 * or SharedArrayBuffer (of any realm) are parsed in place, as bytes; a string
 * (or String object) as its UTF-8 bytes; null or undefined is nothing to
 * parse (returns null). Anything else is a TypeError (mqtt-packet would parse
 * the digits of a number's decimal form).
 */
function asBuffer (x) {
  if (ArrayBuffer.isView(x)) return view(x.buffer, x.byteOffset, x.byteLength)
  if (isAnyArrayBuffer(x)) return view(x, 0, x.byteLength)
  if (typeof x === 'string' || x instanceof String) return Buffer.from(String(x))
  if (x === null || x === undefined) return null
  throw new TypeError('mqttwire: parse() takes a Buffer, a Uint8Array or other ArrayBuffer view, an ArrayBuffer or a string; got ' + (Array.isArray(x) ? 'an array' : typeof x))
}

/** Framer config word from mqtt-packet-style settings ({ protocolVersion, bridgeMode }). */
function configOf (settings) {
  let v = 4
  let bridge = 0
  if (settings !== null && typeof settings === 'object') {
    const pv = settings.protocolVersion
    if (pv === 3 || pv === 5) v = pv
    if (settings.bridgeMode) bridge = 1
  }
  return v | (bridge !== 0 ? BRIDGE : 0)
}

/** The config bits that do not come from the settings: LENIENT unless strict; ARENA. */
function modeBits (opts) {
  return (readStrict(opts) ? 0 : LENIENT) | ARENA
}

class Core extends EventEmitter {
  constructor () {
    super()
    this.settings = null
    this.error = null
    this._mwMax = 0
    this._mwMode = 0 // LENIENT or 0, fixed at construction (settings change with a CONNECT)
    this._mwPend = null // Buffer holding the start of a straddling packet
    this._mwPendLen = 0 // bytes of it received
    this._mwPendTotal = 0 // its total size, 0 while its fixed header is incomplete
    this._mwBadHead = null // up to 5 first bytes of the packet the last error was in
  }

  // mqtt-packet's parse() returns the bytes it holds after consuming a
  // complete fixed header (or just the first byte while the remaining length
  // is incomplete): report the same.
  _mwBuffered () {
    const have = this._mwPendLen
    if (have === 0) return 0
    const total = this._mwPendTotal
    if (total === 0) return have - 1
    const p = this._mwPend
    let h = 2
    while (h < 5 && p[h - 1] >= 0x80) h++
    return have - h
  }

  _mwInit (opts) {
    // opts may be a huge circular object (MQTT.js client options): read only what we need.
    this.settings = opts || {}
    checkFramerOption(opts)
    this._mwMax = readMaxPacketSize(opts)
    this._mwMode = modeBits(opts)
    this._mwResetState()
  }

  _mwResetState () {
    this.error = null
    this._mwBadHead = null
    this._mwPend = null
    this._mwPendLen = 0
    this._mwPendTotal = 0
  }

  /**
   * Parse a chunk: delivers every complete packet synchronously, keeps an
   * incomplete trailing packet for the next call, and returns the number of
   * bytes buffered (mqtt-packet's contract). After an error the rest of the
   * chunk is dropped; the next call starts afresh.
   */
  parse (buf) {
    if (this.error !== null) this._mwResetState()
    if (!(buf instanceof Buffer)) {
      buf = asBuffer(buf)
      if (buf === null) return this._mwBuffered()
    }
    let T
    // a 'packet' handler may parse with another parser: it then gets a tape of its own
    const own = !areas.busy
    if (own) {
      areas.busy = true
      T = areaTape !== null ? areaTape : bigTape
    } else {
      T = new Uint32Array(1024)
    }
    try {
      return this._mwParse(buf, T, own)
    } finally {
      if (own) areas.busy = false
    }
  }

  _mwParse (buf, T, own) {
    const len = buf.length
    let off = 0
    // A pending packet this read completes, framed with the rest of the read
    // in the first call (one native call per read, also when packets
    // straddle small reads).
    let head = null
    if (this._mwPend !== null) {
      const total = this._mwPendTotal
      if (own && frameAfter !== null && total !== 0 && total <= COPY_MAX && len <= COPY_MAX && len >= total - this._mwPendLen) {
        off = total - this._mwPendLen
        head = this._mwTake(buf, 0)
      } else {
        off = this._mwFill(buf, T, own)
        if (off < 0) return len // error: the rest of the chunk is dropped
        if (this._mwPend !== null) return this._mwBuffered()
      }
    }
    const mode = len - off > ARENA_ABOVE ? this._mwMode : this._mwMode & ~ARENA
    let config = configOf(this.settings) | mode
    const max = this._mwMax
    // read once per chunk: every payload view is made over them (lib/build.js view)
    const ab = buf.buffer
    const bo = buf.byteOffset
    while (off < len || head !== null) {
      if (head === null) frame(buf, off, len, config, max, T)
      else frameAfter(head, buf, off, config, max)
      const status = T[STATUS]
      const n = T[RECORDS]
      const A = arenaOf(T)
      let r = HEADER
      let k = 0
      if (head !== null) {
        if (n === 0) {
          // stopped within the head: a malformed packet (the area tape
          // always holds its record: at most 3 words a byte, 4 KiB at most)
          this._mwBadHead = Buffer.from(head.subarray(0, Math.min(head.length, 5)))
          this._mwError(T[NEED_OR_CODE], T[ERROR_PARAM], T[ERROR_OFFSET])
          return len
        }
        this._mwDeliver(head, T, r, A, head.buffer, head.byteOffset)
        r += T[r + R_WORDS]
        k = 1
        head = null
      }
      for (; k < n; k++) {
        this._mwDeliver(buf, T, r, A, ab, bo)
        r += T[r + R_WORDS]
      }
      if (status === DONE) break
      const at = T[NEXT]
      if (status === PARTIAL) {
        this._mwStash(buf, at, len, T[NEED_OR_CODE])
        break
      }
      if (status === ERROR) {
        this._mwBadHead = Buffer.from(buf.subarray(at, Math.min(len, at + 5)))
        this._mwError(T[NEED_OR_CODE], T[ERROR_PARAM], T[ERROR_OFFSET])
        return len - at
      }
      // FULL: grow the tape and go on from the first packet not recorded
      config = T[VERSION] | mode
      off = at
      T = this._mwGrow(T, own)
    }
    return this._mwBuffered()
  }

  // A tape larger than T: our own big tape when not nested (grown when not
  // larger, and kept for the next parse), else a new one.
  _mwGrow (T, own) {
    if (!own) return new Uint32Array(T.length * 2)
    if (bigTape === null || bigTape.length <= T.length) bigTape = new Uint32Array(T.length * 2)
    return bigTape
  }

  // The pending packet made whole with the bytes of buf from `off` (which
  // holds the rest of it); no packet is pending after.
  _mwTake (buf, off) {
    const total = this._mwPendTotal
    const have = this._mwPendLen
    let p = this._mwPend
    if (p.length !== total) {
      const q = Buffer.allocUnsafe(total)
      p.copy(q, 0, 0, have)
      p = q
    }
    buf.copy(p, have, off, off + total - have)
    this._mwPend = null
    this._mwPendLen = 0
    this._mwPendTotal = 0
    return p
  }

  _mwError (code, param, offset) {
    const err = makeError(code, param, offset)
    this.error = err
    this._mwPend = null
    this._mwPendLen = 0
    this._mwPendTotal = 0
    this.emit('error', err)
  }

  // Keep buf[at..len) (the start of a packet of `total` bytes, 0 = unknown yet).
  _mwStash (buf, at, len, total) {
    const have = len - at
    const cap = total === 0 ? 8 : (total <= PREALLOC ? total : Math.max(PREALLOC, have))
    const p = Buffer.allocUnsafe(cap)
    buf.copy(p, 0, at, len)
    this._mwPend = p
    this._mwPendLen = have
    this._mwPendTotal = total
  }

  // Complete the pending packet from the start of `buf`. Returns the offset
  // in buf of the first byte not used, or -1 after an error.
  _mwFill (buf, T, own) {
    const len = buf.length
    let off = 0
    const max = this._mwMax
    while (this._mwPendTotal === 0) {
      // fixed header incomplete (at most 4 bytes held): add up to 5 bytes and look again
      if (off >= len) return off
      const k = Math.min(5, len - off)
      let p = this._mwPend
      const have = this._mwPendLen
      if (p.length < have + k) {
        const q = Buffer.allocUnsafe(have + k)
        p.copy(q, 0, 0, have)
        p = q
        this._mwPend = p
      }
      buf.copy(p, have, off, off + k)
      frame(p, 0, have + k, configOf(this.settings) | (this._mwMode & ~ARENA), max, T)
      if (T[RECORDS] > 0) {
        // the packet is complete within these bytes
        const size = T[RECORDS] > 1 ? T[HEADER + T[HEADER + R_WORDS] + R_OFFSET] : T[NEXT]
        this._mwPend = null
        this._mwPendLen = 0
        this._mwDeliver(p, T, HEADER, arenaOf(T), p.buffer, p.byteOffset)
        return off + size - have
      }
      if (T[NEXT] !== 0) throw new Error('mqttwire: framer reported no record for the first packet')
      if (T[STATUS] === ERROR) {
        this._mwBadHead = Buffer.from(p.subarray(0, Math.min(have + k, 5)))
        this._mwError(T[NEED_OR_CODE], T[ERROR_PARAM], T[ERROR_OFFSET])
        return -1
      }
      // PARTIAL on the pending packet
      const total = T[NEED_OR_CODE]
      if (total === 0) {
        this._mwPendLen = have + k
        off += k
        continue
      }
      // size known now: move what we have into a buffer sized for it
      this._mwPendTotal = total
      const cap = total <= PREALLOC ? total : Math.max(PREALLOC, have + k)
      const q = Buffer.allocUnsafe(cap)
      p.copy(q, 0, 0, have)
      this._mwPend = q
      this._mwPendLen = have
    }
    const total = this._mwPendTotal
    let p = this._mwPend
    const have = this._mwPendLen
    const need = total - have
    const avail = len - off
    if (avail < need) {
      if (p.length < have + avail) {
        const q = Buffer.allocUnsafe(Math.min(total, Math.max(p.length * 2, have + avail)))
        p.copy(q, 0, 0, have)
        p = q
        this._mwPend = p
      }
      buf.copy(p, have, off, len)
      this._mwPendLen = have + avail
      return len
    }
    return this._mwWhole(this._mwTake(buf, off), T, own) ? off + need : -1
  }

  // Frame and deliver `p`, one whole packet, alone (growing the tape while
  // FULL). Returns false after an error.
  _mwWhole (p, T, own) {
    const total = p.length
    for (;;) {
      frame(p, 0, total, configOf(this.settings) | (this._mwMode & ~ARENA), this._mwMax, T)
      if (T[STATUS] !== FULL) break
      T = this._mwGrow(T, own)
    }
    if (T[RECORDS] === 1) this._mwDeliver(p, T, HEADER, arenaOf(T), p.buffer, p.byteOffset)
    if (T[STATUS] === ERROR) {
      this._mwBadHead = Buffer.from(p.subarray(0, Math.min(total, 5)))
      this._mwError(T[NEED_OR_CODE], T[ERROR_PARAM], T[ERROR_OFFSET])
      return false
    }
    return true
  }

  _mwDeliver (buf, T, r, A, ab, bo) {
    throw new Error('not implemented')
  }
}

module.exports = { Core, asBuffer, configOf, modeBits, readMaxPacketSize, arenaOf }
