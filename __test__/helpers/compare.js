'use strict'
// Normalise packet objects for deepStrictEqual: the top-level object becomes a
// plain object (mqtt-packet's are instances of its own Packet class; the
// prototype is not part of the contract); nested values stay as they are.

function plain (packet) {
  if (packet === null || typeof packet !== 'object') return packet
  return Object.assign({}, packet)
}

// Feed `chunks` to a parser; returns the events as a list:
// { packet } / { error: message }, the parse() return values, and err.code per event.
function run (parser, chunks) {
  const events = []
  const returns = []
  const codes = [] // err.code of each event (undefined for packets)
  parser.on('packet', (p) => { events.push({ packet: plain(p) }); codes.push(undefined) })
  parser.on('error', (e) => { events.push({ error: e.message }); codes.push(e.code) })
  for (const c of chunks) returns.push(parser.parse(c))
  return { events, returns, codes }
}

// Split `buf` into random chunks (sizes from 1 to maxChunk).
function split (rng, buf, maxChunk) {
  const chunks = []
  let i = 0
  while (i < buf.length) {
    const n = 1 + Math.floor(rng.next() * maxChunk)
    chunks.push(buf.subarray(i, i + n))
    i += n
  }
  return chunks
}

module.exports = { plain, run, split }
