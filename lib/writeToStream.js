'use strict'

const { encode, Refusal } = require('./encode')

const kCorked = Symbol('mqttwire.corked')

// encode()'s `out`: where it leaves a PUBLISH payload to write by reference.
const split = { tail: null }

let cacheNumbers = true

function uncork (stream) {
  stream[kCorked] = false
  stream.uncork()
}

// Encodes `packet` and writes it to `stream` with one write() call, or two
// for a PUBLISH whose Buffer payload has 512 bytes or more: the head, then the
// payload itself by reference (not copied; mqtt-packet writes payloads so
// too). Returns the last write()'s result. Invalid packets destroy the stream
// with the error mqtt-packet would report and return false without writing.
//
// Like mqtt-packet, streams that support cork() are corked until the next
// tick so that packets written in the same tick leave in one batch; a stream
// is corked at most once per tick.
function writeToStream (packet, stream, opts) {
  let buf
  try {
    buf = encode(packet, opts, split)
  } catch (err) {
    if (!(err instanceof Refusal)) throw err
    if (err.message !== null) stream.destroy(new Error(err.message))
    return false
  }
  // taken before any write: a stream's write() may call writeToStream again
  const tail = split.tail
  split.tail = null
  if (stream.cork && stream[kCorked] !== true) {
    stream.cork()
    stream[kCorked] = true
    process.nextTick(uncork, stream)
  }
  if (tail === null) return stream.write(buf)
  stream.write(buf)
  return stream.write(tail)
}

// mqtt-packet exposes its internal number-buffer cache switch here. Output
// bytes never depend on it; it is kept for API compatibility.
Object.defineProperty(writeToStream, 'cacheNumbers', {
  get () {
    return cacheNumbers
  },
  set (value) {
    cacheNumbers = !!value
  }
})

module.exports = writeToStream
