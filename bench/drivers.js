'use strict'
// The timed loops that feed reads to parse(), shared by bench/run.js and
// bench/ab.js (each compiles its own copies with new Function, so that every
// contender has its own type feedback).
//
// They return the timed ns. Default ('fresh'): the reads are
// handed to parse() as a socket hands them over: each one copied into a new
// Buffer (its own ArrayBuffer, as Node's stream reads are) just before, so
// the bytes are in cache as the kernel's copy leaves them; the copies are not
// timed. Reads are copied and parsed in batches of about 64 KiB (one batch =
// one chunk for w1-w3; for w5 the ~80 small reads of different clients that
// make 64 KiB), one clock pair per batch. --cold: parse() slices of the whole
// workload buffer, timed as one loop (every parser then pays the misses of a
// stream far larger than the cache).
const PARSE_DRIVERS = {
  chunks: 'return function run (p, chunks) { const t0 = process.hrtime.bigint(); for (let i = 0; i < chunks.length; i++) p.parse(chunks[i]); return process.hrtime.bigint() - t0 }',
  gateway: 'return function run (ps, who, bufs) { const t0 = process.hrtime.bigint(); for (let i = 0; i < bufs.length; i++) ps[who[i]].parse(bufs[i]); return process.hrtime.bigint() - t0 }',
  freshChunks: `return function run (p, chunks) {
    let t = 0n
    for (let i = 0; i < chunks.length; i++) {
      const src = chunks[i]
      const b = Buffer.allocUnsafeSlow(src.length)
      src.copy(b)
      const t0 = process.hrtime.bigint()
      p.parse(b)
      t += process.hrtime.bigint() - t0
    }
    return t
  }`,
  freshGateway: `return function run (ps, who, bufs, batchEnd) {
    let t = 0n
    let i = 0
    const fresh = []
    for (let k = 0; k < batchEnd.length; k++) {
      const e = batchEnd[k]
      for (let j = i; j < e; j++) {
        const src = bufs[j]
        const b = Buffer.allocUnsafeSlow(src.length)
        src.copy(b)
        fresh[j - i] = b
      }
      const t0 = process.hrtime.bigint()
      for (let j = i; j < e; j++) ps[who[j]].parse(fresh[j - i])
      t += process.hrtime.bigint() - t0
      fresh.fill(null)
      i = e
    }
    return t
  }`
}

/** End indices of consecutive runs of reads of about `size` bytes in all. */
function batchEnds (bufs, size) {
  const ends = []
  let acc = 0
  for (let i = 0; i < bufs.length; i++) {
    acc += bufs[i].length
    if (acc >= size) { ends.push(i + 1); acc = 0 }
  }
  if (ends.length === 0 || ends[ends.length - 1] !== bufs.length) ends.push(bufs.length)
  return Int32Array.from(ends)
}

module.exports = { PARSE_DRIVERS, batchEnds }
