'use strict'
// Zero-copy Buffer views of a larger buffer's memory.
//
// Every Node Buffer is made by one internal Uint8Array subclass, which Node
// publishes as Buffer[Symbol.species] (for the typed-array methods that make
// new arrays). Constructed over an ArrayBuffer read once per chunk (`ab`, and
// the chunk's byteOffset added to every offset), it gives exactly what
// buf.subarray() gives (prototype Buffer.prototype, same memory) without
// subarray's per-call reads of buf.buffer and buf.byteOffset, which V8 11
// does not inline (~35 of subarray's ~60 ns: bench/ops.js). Where the species
// is not such a constructor (not Node), Buffer.from(arrayBuffer, offset,
// length) makes the same view.

const FastBuffer = fastBufferCtor()
function fastBufferCtor () {
  const C = Buffer[Symbol.species]
  try {
    if (typeof C === 'function' && Object.getPrototypeOf(new C(new ArrayBuffer(2), 1, 1)) === Buffer.prototype) return C
  } catch {}
  return null
}

/** A Buffer over `len` bytes of the ArrayBuffer `ab` from byte `at` (no copy). */
function view (ab, at, len) {
  return FastBuffer !== null ? new FastBuffer(ab, at, len) : Buffer.from(ab, at, len)
}

module.exports = { view }
