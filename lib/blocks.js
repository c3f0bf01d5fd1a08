'use strict'
// Memory for encoded packets (lib/encode.js allocate()).
//
// Packets are views (lib/view.js) carved from private memory: small ones
// (< 512 B) from a 64 KiB pool, medium ones (a PUBLISH with a few KiB of
// payload) from a 128 KiB slab; big packets get their own memory. Carving
// skips allocUnsafe's argument checks and pool lookups (paired A/B, generate
// of w1: 1.15-1.19x). A new ArrayBuffer costs ~1.3-2 us whatever its size
// (bench/ops.js), ~35 ns a packet when refilled every 8 KiB as Node's pool
// is, ~4 ns every 64 KiB (A/B, generate of w1: 1.08-1.18x over 8 KiB). The
// price: a packet kept alive keeps its block alive (64 KiB at most), as a
// payload view from the parser keeps its socket read.

const { view } = require('./view')

/** Packets below this size are carved from the 64 KiB pool. */
const SMALL_PACKET = 512
/** Packets above this size get memory of their own; between the two, the 128 KiB slab. */
const SLAB_MAX_PACKET = 16 * 1024

/** Memory packets are carved from, 8-byte aligned; a new block when full. */
class Region {
  constructor (size) {
    this.size = size
    this.ab = null // the block's ArrayBuffer and byteOffset
    this.base = 0
    this.offset = size
  }

  take (n) {
    if (this.offset + n > this.size) {
      const b = Buffer.allocUnsafeSlow(this.size)
      this.ab = b.buffer
      this.base = b.byteOffset
      this.offset = 0
    }
    const buf = view(this.ab, this.base + this.offset, n)
    this.offset = (this.offset + n + 7) & ~7
    return buf
  }
}

const pool = new Region(64 * 1024)
const slab = new Region(128 * 1024)

/** A Buffer of `size` bytes for one packet. */
function allocate (size) {
  if (size < SMALL_PACKET) return pool.take(size)
  if (size > SLAB_MAX_PACKET) return Buffer.allocUnsafeSlow(size)
  return slab.take(size)
}

module.exports = { allocate, Region, SMALL_PACKET, SLAB_MAX_PACKET }
